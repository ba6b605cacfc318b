"""The action tracker: who sees and updates which actions, how urgent each is, and saving an update."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from access import policy
from access.audit import AuditAction, record_event
from access.models import User
from access.policy import ActionScope
from cases import store as cases_store
from cases.models import Case
from extensions import db
from meetings import store
from meetings.models import Action, ActionStatus, ActionUpdate, Meeting
from transactions import all_or_nothing

CLOSED_SHOWN_DAYS = 90


class ActionChanged(Exception):
    """Someone else saved the action after this person opened it; nothing was saved."""

    def __init__(self, action: Action):
        super().__init__(f"action {action.id} changed")
        self.action = action


@dataclass(frozen=True)
class TrackerRow:
    action: Action
    case_reference: str
    urgency: str | None
    can_update: bool


def reminder_window_days() -> int:
    return current_app.config["ACTION_REMINDER_DAYS_BEFORE_DUE"]


def urgency(action: Action, today: date, window_days: int) -> str | None:
    """'overdue', 'due-soon' (within the reminder window) or None; only open actions are urgent."""
    if action.status is not ActionStatus.OPEN:
        return None
    if action.due_on < today:
        return "overdue"
    if action.due_on <= today + timedelta(days=window_days):
        return "due-soon"
    return None


def case_reference(case: Case, meeting_starts_at: datetime) -> str:
    """How agendas, minutes and action plans name a case: its reference, then initials and meeting, never the name."""
    return f"{case.reference} ({case.victim.initials}, MARAC {meeting_starts_at.strftime('%-d %b %Y')})"


def action_scope(action: Action, excluded_cases: set[str]) -> ActionScope:
    return ActionScope(owner_agency_id=action.owner_agency_id, excluded=action.case_id in excluded_cases)


def tracker_agency_id(user: User, requested_agency_id: int | None) -> int | None:
    """Agency staff see only their own agency's actions; coordinator and chair may pick one or see all."""
    if user.role in policy.AGENCY_SCOPED_ROLES:
        return user.agency_id
    return requested_agency_id


def tracker_rows(user: User, rows: list[tuple], today: date) -> list[TrackerRow]:
    """The rows this user may see: never an action on a case whose exclusion list names them."""
    window = reminder_window_days()
    excluded = cases_store.cases_excluding(user, list({action.case_id for action, _, _ in rows}))
    return [
        TrackerRow(
            action=action,
            case_reference=case_reference(case, starts_at),
            urgency=urgency(action, today, window),
            can_update=policy.may_update_action(user, action_scope(action, excluded)),
        )
        for action, case, starts_at in rows
        if policy.may_view_action(user, action_scope(action, excluded))
    ]


def open_rows(user: User, agency_id: int | None, today: date) -> list[TrackerRow]:
    return tracker_rows(user, store.list_tracker_actions(agency_id=agency_id), today)


def recently_closed_rows(user: User, agency_id: int | None, today: date) -> list[TrackerRow]:
    since = datetime.combine(today - timedelta(days=CLOSED_SHOWN_DAYS), time.min, tzinfo=UTC)
    return tracker_rows(user, store.list_closed_tracker_actions(agency_id=agency_id, closed_since=since), today)


def reminder_rows(rows: list[TrackerRow]) -> list[TrackerRow]:
    """The open actions due soon or overdue, for the agency's reminders panel."""
    return [row for row in rows if row.urgency is not None]


def case_reference_for(action: Action) -> str:
    return case_reference(action.agenda_item.referral.case, action.agenda_item.meeting.starts_at)


def load_action_for(user: User, action_id: int) -> Action | None:
    """The action if this person may update it, else None (so the page is a 404)."""
    action = store.get_action(action_id)
    if action is None:
        return None
    scope = action_scope(action, cases_store.cases_excluding(user, [action.case_id]))
    return action if policy.may_update_action(user, scope) else None


def set_status(action: Action, status: ActionStatus, note: str, today: date) -> None:
    """The completion date is the day it was first marked done, and goes if it is no longer done."""
    if status is ActionStatus.DONE and action.status is not ActionStatus.DONE:
        action.completed_on = today
    elif status is not ActionStatus.DONE:
        action.completed_on = None
    action.status = status
    action.completion_note = note or None


def save_update(action: Action, *, status: ActionStatus, note: str, version: int, user: User, today: date) -> None:
    """Saves the new status and note, or raises ActionChanged if the action is no longer at `version`."""
    if action.version_id != version:
        raise ActionChanged(action)
    changes = (action.status, action.completion_note or "") != (status, note or "")
    try:
        with all_or_nothing():
            set_status(action, status, note, today)
            if changes:
                record_update(action, user=user)
            # Written now, so that an update someone saved since is found here rather than at the commit.
            db.session.flush()
            record_event(AuditAction.ACTION_UPDATED, user=user, object_type="action", object_id=action.id)
    except StaleDataError:
        raise ActionChanged(store.get_action(action.id)) from None


def record_update(action: Action, *, user: User, reviewed_at: Meeting | None = None) -> None:
    """The action keeps only its latest status and note; each change is kept here too, so the case's
    history can show every update, who made it and when."""
    db.session.add(
        ActionUpdate(
            action_id=action.id,
            status=action.status,
            note=action.completion_note,
            updated_by_id=user.id,
            agency_id=user.agency_id,
            reviewed_at_meeting_id=reviewed_at.id if reviewed_at else None,
        )
    )
