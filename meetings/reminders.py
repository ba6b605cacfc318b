"""E-mail reminders for open actions due soon or overdue, one e-mail per owning agency; and overdue
actions raised with the MARAC coordinators (after ACTION_ESCALATE_TO_COORDINATOR_DAYS) and with the
chair of the meeting that agreed them (after ACTION_ESCALATE_TO_CHAIR_DAYS).

An e-mail leaves the system, so it carries only counts, action numbers, case references, due dates and
links (absolute, from PUBLIC_URL): never a name, an address, a description or a note. The same
reminders always show on the agency's action page, whether or not e-mail is configured or delivered.
An escalation is kept (ActionEscalation) once delivered, one of each kind a due date, so the daily run
does not repeat it; a new due date that is missed again is raised again.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from itertools import groupby

from flask import current_app

from access import notifications, policy
from access import store as access_store
from access.audit import AuditAction, record_event
from access.models import Role, User
from access.policy import ActionScope
from cases import store as cases_store
from meetings import notices, store
from meetings.models import Action
from meetings.vocabulary import RaisedWith

log = logging.getLogger("marac")
SMTP_TIMEOUT_SECONDS = 10
NOT_DELIVERED = "Could not send the reminder e-mails; the reminders still show on the action page."


@dataclass(frozen=True)
class ReminderOutcome:
    configured: bool
    agencies: int = 0
    actions: int = 0
    failed_agencies: int = 0
    agencies_without_representatives: int = 0
    raised_with_coordinator: int = 0
    raised_with_chair: int = 0
    failed_escalations: int = 0

    @property
    def message(self) -> str:
        if not self.configured:
            return " ".join(
                [
                    "E-mail is not configured, so no reminders were sent. Reminders show on each agency's action page.",
                    *self.raised_lines(" in the service"),
                ]
            )
        raised = self.raised_with_coordinator or self.raised_with_chair or self.failed_escalations
        if not (self.agencies or self.failed_agencies or self.agencies_without_representatives or raised):
            return "No reminders were due: every open action due soon or overdue has already been reminded today."
        parts = []
        if self.agencies or self.failed_agencies or self.agencies_without_representatives:
            actions = plural(self.actions, "action", "actions")
            parts.append(f"Reminded {plural(self.agencies, 'agency', 'agencies')} about {actions}.")
        parts += self.raised_lines()
        if self.agencies_without_representatives:
            parts.append(
                f"{plural(self.agencies_without_representatives, 'agency has', 'agencies have')} no active "
                "representative to e-mail."
            )
        if self.failed_agencies or self.failed_escalations:
            parts.append(NOT_DELIVERED)
        return " ".join(parts)

    def raised_lines(self, how: str = "") -> list[str]:
        lines = []
        if self.raised_with_coordinator:
            count = plural(self.raised_with_coordinator, "overdue action", "overdue actions")
            lines.append(f"Raised {count} with the MARAC coordinator{how}.")
        if self.raised_with_chair:
            count = plural(self.raised_with_chair, "overdue action", "overdue actions")
            lines.append(f"Raised {count} with the chair of its meeting{how}.")
        return lines

    @property
    def succeeded(self) -> bool:
        return self.configured and not (self.failed_agencies or self.failed_escalations)


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def reminder_text(actions: list[Action], today: date, window_days: int) -> str:
    overdue = [action for action in actions if action.due_on < today]
    lines = [
        f"Your agency has {plural(len(actions), 'MARAC action', 'MARAC actions')} due soon or overdue:",
        f"- {len(overdue)} overdue",
        f"- {len(actions) - len(overdue)} due within {window_days} days",
        "",
        *(
            f"Action {action.id}: due "
            f"{action.due_on.strftime('%-d %B %Y')}{' (overdue)' if action.due_on < today else ''}: "
            f"{notifications.public_link('meetings.update_action', action_id=action.id)}"
            for action in actions
        ),
        "",
        f"Sign in to {current_app.config['SERVICE_NAME']} to update them: "
        f"{notifications.public_link('meetings.list_actions')}",
        "This e-mail holds no case details on purpose.",
    ]
    return "\n".join(lines) + "\n"


def reminder_message(actions: list[Action], recipients: list[str], today: date, window_days: int) -> EmailMessage:
    return plain_message(
        f"{plural(len(actions), 'MARAC action', 'MARAC actions')} due soon or overdue",
        reminder_text(actions, today, window_days),
        recipients,
    )


def plain_message(subject: str, text: str, recipients: list[str]) -> EmailMessage:
    """A plain-text e-mail from the service. The subject and text must hold no case details."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=current_app.config["MAIL_FROM"].rpartition("@")[2] or "localhost")
    message.set_content(text)
    return message


def send_all(messages: list[EmailMessage]) -> bool:
    """Sends the messages over one connection; False if any could not be sent. Never raises for SMTP."""
    try:
        connection = open_smtp()
    except (smtplib.SMTPException, OSError) as error:
        log.warning({"event": "e-mail", "outcome": "smtp-unavailable", "error": type(error).__name__})
        return False
    try:
        return all([deliver(connection, message) for message in messages])
    finally:
        close_quietly(connection)


def open_smtp() -> smtplib.SMTP:
    config = current_app.config
    connection = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if config["MAIL_USE_STARTTLS"]:
            connection.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    except (smtplib.SMTPException, OSError):
        connection.close()
        raise
    return connection


def send_reminders(*, today: date | None = None, user: User | None = None) -> ReminderOutcome:
    """Sends each owning agency's representatives one e-mail about its open actions due soon or
    overdue and not yet reminded today, then marks those actions reminded. Never raises for SMTP. The
    representatives are told of a newly overdue action in the service as well, with or without e-mail."""
    today = today or date.today()
    tell_owners_of_overdue(today)
    if not current_app.config["MAIL_SERVER"]:
        return raise_in_the_service_only(today, user)
    window_days = current_app.config["ACTION_REMINDER_DAYS_BEFORE_DUE"]
    by_agency = due_by_agency(today, window_days)
    recipients = {agency_id: store.list_reminder_recipients(agency_id) for agency_id in by_agency}
    to_send = {agency_id: actions for agency_id, actions in by_agency.items() if recipients[agency_id]}
    unreachable = len(by_agency) - len(to_send)
    overdue = {raised_with: overdue_to_raise(raised_with, today) for raised_with in ESCALATION_DAYS_SETTING}
    if not to_send and not any(overdue.values()):
        return ReminderOutcome(configured=True, agencies_without_representatives=unreachable)
    try:
        connection = open_smtp()
    except (smtplib.SMTPException, OSError) as error:
        log.warning({"event": "action-reminders", "outcome": "smtp-unavailable", "error": type(error).__name__})
        return ReminderOutcome(
            configured=True,
            failed_agencies=len(to_send),
            agencies_without_representatives=unreachable,
            failed_escalations=sum(1 for rows in overdue.values() if rows),
        )
    agencies = actions_reminded = failed = 0
    try:
        for agency_id, actions in to_send.items():
            messages = messages_for(actions, recipients[agency_id])
            if all(
                [deliver(connection, reminder_message(shown, emails, today, window_days)) for shown, emails in messages]
            ):
                reminded = list({action.id: action for shown, _ in messages for action in shown}.values())
                record_reminded(agency_id, reminded, today, user)
                agencies, actions_reminded = agencies + 1, actions_reminded + len(reminded)
            else:
                failed += 1
        raised = {
            raised_with: raise_overdue(connection, raised_with, rows, today, user)
            for raised_with, rows in overdue.items()
        }
    finally:
        close_quietly(connection)
    log.info(
        {
            "event": "action-reminders",
            "agencies": agencies,
            "actions": actions_reminded,
            "failed_agencies": failed,
            "raised": {str(raised_with): count for raised_with, (count, _) in raised.items()},
        }
    )
    return ReminderOutcome(
        configured=True,
        agencies=agencies,
        actions=actions_reminded,
        failed_agencies=failed,
        agencies_without_representatives=unreachable,
        raised_with_coordinator=raised[RaisedWith.COORDINATOR][0],
        raised_with_chair=raised[RaisedWith.CHAIR][0],
        failed_escalations=sum(failures for _, failures in raised.values()),
    )


def tell_owners_of_overdue(today: date) -> None:
    """Once an action is overdue, its agency's representatives are told in the service, once for each
    due date, each only of the actions on cases they may see."""
    actions = [action for action, _, _ in store.list_actions_to_raise(RaisedWith.OWNER_AGENCY, due_before=today)]
    for agency_id, owned in groupby(sorted(actions, key=owning_agency), key=owning_agency):
        owned = list(owned)
        for person in store.list_reminder_recipients(agency_id):
            excluded = cases_store.cases_excluding(person, [action.case_id for action in owned])
            if shown := [action for action in owned if action.case_id not in excluded]:
                notices.actions_overdue(person, shown)
    store.add_escalations(actions, RaisedWith.OWNER_AGENCY)


def owning_agency(action: Action) -> int:
    return action.owner_agency_id


# Overdue actions raised with the people above the agency.

ESCALATION_DAYS_SETTING = {
    RaisedWith.COORDINATOR: "ACTION_ESCALATE_TO_COORDINATOR_DAYS",
    RaisedWith.CHAIR: "ACTION_ESCALATE_TO_CHAIR_DAYS",
}


@dataclass(frozen=True)
class OverdueAction:
    action: Action
    case_reference: str
    meeting_chair_id: int | None


def overdue_to_raise(raised_with: RaisedWith, today: date) -> list[OverdueAction]:
    """Open actions overdue by at least the setting's days and not yet raised with these people for their due date."""
    days = current_app.config[ESCALATION_DAYS_SETTING[raised_with]]
    rows = store.list_actions_to_raise(raised_with, due_before=today - timedelta(days=days - 1))
    return [OverdueAction(action, reference, chair_id) for action, reference, chair_id in rows]


def escalation_recipients(raised_with: RaisedWith, rows: list[OverdueAction]) -> list[User]:
    if raised_with is RaisedWith.COORDINATOR:
        return access_store.list_active_users(Role.COORDINATOR)
    return store.list_active_users_by_id([row.meeting_chair_id for row in rows if row.meeting_chair_id is not None])


def shown_to(person: User, raised_with: RaisedWith, rows: list[OverdueAction]) -> list[OverdueAction]:
    """The rows this person may see, as the policy decides (never one whose case's exclusion list names
    them); a chair is told only of the actions of the meetings they chaired."""
    excluded = cases_store.cases_excluding(person, list({row.action.case_id for row in rows}))
    return [
        row
        for row in rows
        if (raised_with is RaisedWith.COORDINATOR or row.meeting_chair_id == person.id)
        and policy.may_view_action(
            person,
            ActionScope(
                owner_agency_id=row.action.owner_agency_id,
                excluded=row.action.case_id in excluded,
                meeting_chair_id=row.meeting_chair_id,
            ),
        )
    ]


def raise_in_the_service_only(today: date, user: User | None) -> ReminderOutcome:
    """Without e-mail, overdue actions are still raised with the coordinator and the chair, in the service."""
    raised = {
        raised_with: raise_overdue(None, raised_with, overdue_to_raise(raised_with, today), today, user)
        for raised_with in ESCALATION_DAYS_SETTING
    }
    return ReminderOutcome(
        configured=False,
        raised_with_coordinator=raised[RaisedWith.COORDINATOR][0],
        raised_with_chair=raised[RaisedWith.CHAIR][0],
    )


def raise_overdue(
    connection: smtplib.SMTP | None, raised_with: RaisedWith, rows: list[OverdueAction], today: date, user: User | None
) -> tuple[int, int]:
    """E-mails each person the overdue actions they may see (with no connection, e-mail is not set up, and
    they are told in the service alone), and keeps as raised those that reached someone. Returns (actions
    raised, messages not delivered)."""
    if not rows:
        return 0, 0
    delivered: dict[int, Action] = {}
    failures = 0
    for person in escalation_recipients(raised_with, rows):
        shown = shown_to(person, raised_with, rows)
        if not shown:
            continue
        if connection is None or deliver(connection, escalation_message(shown, person, raised_with, today)):
            delivered |= {row.action.id: row.action for row in shown}
            notices.actions_overdue(person, [row.action for row in shown])
        else:
            failures += 1
    store.add_escalations(list(delivered.values()), raised_with)
    for action in delivered.values():
        record_event(AuditAction.ACTION_ESCALATED, user=user, object_type="action", object_id=action.id)
    return len(delivered), failures


def escalation_text(rows: list[OverdueAction], person: User, raised_with: RaisedWith, today: date) -> str:
    days = current_app.config[ESCALATION_DAYS_SETTING[raised_with]]
    endpoint = "meetings.update_action" if person.role is Role.COORDINATOR else "meetings.edit_action"
    lines = [
        f"{plural(len(rows), 'MARAC action is', 'MARAC actions are')} overdue by {days} days or more. "
        f"As {raised_with.label}, please check with the owning agency what is in the way:",
        "",
        *(
            f"Action {row.action.id} (case {row.case_reference}): due {row.action.due_on.strftime('%-d %B %Y')}, "
            f"{plural((today - row.action.due_on).days, 'day', 'days')} overdue: "
            f"{notifications.public_link(endpoint, action_id=row.action.id)}"
            for row in rows
        ),
        "",
        "This e-mail holds no case details on purpose.",
    ]
    return "\n".join(lines) + "\n"


def escalation_message(rows: list[OverdueAction], person: User, raised_with: RaisedWith, today: date) -> EmailMessage:
    days = current_app.config[ESCALATION_DAYS_SETTING[raised_with]]
    subject = f"{plural(len(rows), 'MARAC action', 'MARAC actions')} overdue by {days} days or more"
    return plain_message(subject, escalation_text(rows, person, raised_with, today), [person.email])


def messages_for(actions: list[Action], recipients: list[User]) -> list[tuple[list[Action], list[str]]]:
    """One message to each group of representatives who may see the same actions: an action on a
    case whose exclusion list names a representative is left out of the e-mail they receive."""
    groups: dict[tuple[int, ...], tuple[list[Action], list[str]]] = {}
    for person in recipients:
        excluded = cases_store.cases_excluding(person, list({action.case_id for action in actions}))
        shown = [action for action in actions if action.case_id not in excluded]
        if shown:
            groups.setdefault(tuple(action.id for action in shown), (shown, []))[1].append(person.email)
    return list(groups.values())


def due_by_agency(today: date, window_days: int) -> dict[int, list[Action]]:
    due = store.list_open_actions_due_by(today + timedelta(days=window_days), not_reminded_on=today)
    return {agency_id: list(actions) for agency_id, actions in groupby(due, key=lambda action: action.owner_agency_id)}


def close_quietly(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def deliver(connection: smtplib.SMTP, message: EmailMessage) -> bool:
    try:
        connection.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        log.warning({"event": "action-reminders", "outcome": "not-delivered", "error": type(error).__name__})
        return False
    return True


def record_reminded(agency_id: int, actions: list[Action], today: date, user: User | None) -> None:
    store.mark_actions_reminded([action.id for action in actions], today)
    record_event(
        AuditAction.ACTION_REMINDERS_SENT, user=user, agency_id=agency_id, object_type="agency", object_id=agency_id
    )
