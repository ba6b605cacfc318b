"""E-mail reminders for open actions due soon or overdue, one e-mail per owning agency.

An e-mail leaves the system, so it carries only counts, action numbers, due dates and the path of the
action page: never a name, a description or a note. The same reminders always show on the agency's
action page, whether or not e-mail is configured or delivered.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from itertools import groupby

from flask import current_app, has_request_context, url_for

from access.audit import AuditAction, record_event
from access.models import User
from cases import store as cases_store
from meetings import store
from meetings.models import Action

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

    @property
    def message(self) -> str:
        if not self.configured:
            return "E-mail is not configured, so no reminders were sent. Reminders show on each agency's action page."
        if not (self.agencies or self.failed_agencies or self.agencies_without_representatives):
            return "No reminders were due: every open action due soon or overdue has already been reminded today."
        parts = [
            f"Reminded {plural(self.agencies, 'agency', 'agencies')} about {plural(self.actions, 'action', 'actions')}."
        ]
        if self.agencies_without_representatives:
            parts.append(
                f"{plural(self.agencies_without_representatives, 'agency has', 'agencies have')} no active "
                "representative to e-mail."
            )
        if self.failed_agencies:
            parts.append(NOT_DELIVERED)
        return " ".join(parts)

    @property
    def succeeded(self) -> bool:
        return self.configured and not self.failed_agencies


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def actions_path() -> str:
    return path_of("meetings.list_actions")


def path_of(endpoint: str) -> str:
    if has_request_context():
        return url_for(endpoint)
    return current_app.url_map.bind("localhost").build(endpoint)


def reminder_text(actions: list[Action], today: date, window_days: int) -> str:
    overdue = [action for action in actions if action.due_on < today]
    lines = [
        f"Your agency has {plural(len(actions), 'MARAC action', 'MARAC actions')} due soon or overdue:",
        f"- {len(overdue)} overdue",
        f"- {len(actions) - len(overdue)} due within {window_days} days",
        "",
        *(
            f"Action {action.id}: due "
            f"{action.due_on.strftime('%-d %B %Y')}{' (overdue)' if action.due_on < today else ''}"
            for action in actions
        ),
        "",
        f"Sign in to {current_app.config['SERVICE_NAME']} and open {actions_path()} to update them.",
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
    overdue and not yet reminded today, then marks those actions reminded. Never raises for SMTP."""
    if not current_app.config["MAIL_SERVER"]:
        return ReminderOutcome(configured=False)
    today = today or date.today()
    window_days = current_app.config["ACTION_REMINDER_DAYS_BEFORE_DUE"]
    by_agency = due_by_agency(today, window_days)
    recipients = {agency_id: store.list_reminder_recipients(agency_id) for agency_id in by_agency}
    to_send = {agency_id: actions for agency_id, actions in by_agency.items() if recipients[agency_id]}
    unreachable = len(by_agency) - len(to_send)
    if not to_send:
        return ReminderOutcome(configured=True, agencies_without_representatives=unreachable)
    try:
        connection = open_smtp()
    except (smtplib.SMTPException, OSError) as error:
        log.warning({"event": "action-reminders", "outcome": "smtp-unavailable", "error": type(error).__name__})
        return ReminderOutcome(
            configured=True, failed_agencies=len(to_send), agencies_without_representatives=unreachable
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
    finally:
        close_quietly(connection)
    log.info(
        {"event": "action-reminders", "agencies": agencies, "actions": actions_reminded, "failed_agencies": failed}
    )
    return ReminderOutcome(
        configured=True,
        agencies=agencies,
        actions=actions_reminded,
        failed_agencies=failed,
        agencies_without_representatives=unreachable,
    )


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
