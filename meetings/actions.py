"""The action tracker: who sees, updates and edits which actions, how urgent each is, saving an update
or an edit, and each action's history."""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy.orm.exc import StaleDataError

from access import policy
from access import store as access_store
from access.audit import AuditAction, record_event
from access.models import User
from access.policy import ActionScope, MeetingScope
from cases import store as cases_store
from cases.models import Case
from extensions import db
from meetings import notices, store
from meetings.models import Action, ActionChangeKind, ActionStatus, ActionUpdate, Meeting
from meetings.store import TrackerFilters
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
    can_edit: bool = False
    reference: str = ""
    """The case's own reference, like RIV-2026-0142."""
    initials_and_meeting: str = ""
    """Like "VC, MARAC 2 Dec 2026": never the name."""
    case_link: bool = False
    """The user may open the case, so the reference links to it."""
    meeting: Meeting | None = None
    meeting_link: bool = False
    """The user may open the meeting that agreed the action."""


@dataclass(frozen=True)
class AgencyGroup:
    agency_name: str
    rows: list[TrackerRow]


@dataclass(frozen=True)
class TrackerPage:
    groups: list[AgencyGroup]
    total: int
    page: int
    pages: int
    first: int
    last: int


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


def action_scope(action: Action, excluded_cases: set[str], meeting_chair_id: int | None = None) -> ActionScope:
    return ActionScope(
        owner_agency_id=action.owner_agency_id,
        excluded=action.case_id in excluded_cases,
        meeting_chair_id=meeting_chair_id,
    )


def tracker_agency_id(user: User, requested_agency_id: int | None) -> int | None:
    """Agency staff see only their own agency's actions; coordinator and chair may pick one or see all."""
    if user.role in policy.AGENCY_SCOPED_ROLES:
        return user.agency_id
    return requested_agency_id


def tracker_rows(user: User, rows: list[tuple], today: date) -> list[TrackerRow]:
    """The rows this user may see: never an action on a case whose exclusion list names them. Each
    row links to its case and meeting only where the policy lets this user open them."""
    window = reminder_window_days()
    case_ids = list({action.case_id for action, _, _ in rows})
    excluded = cases_store.cases_excluding(user, case_ids)
    openable_cases = cases_store.cases_visible_to(user, case_ids) if case_ids else set()
    invited = invited_meeting_ids(user, list({meeting.id for _, _, meeting in rows}))
    shown = []
    for action, case, meeting in rows:
        scope = action_scope(action, excluded, meeting.chair_id)
        if not policy.may_view_action(user, scope):
            continue
        meeting_scope = MeetingScope(chair_id=meeting.chair_id, agency_invited=meeting.id in invited)
        shown.append(
            TrackerRow(
                action=action,
                case_reference=case_reference(case, meeting.starts_at),
                urgency=urgency(action, today, window),
                can_update=policy.may_update_action(user, scope),
                can_edit=policy.may_edit_action(user, scope),
                reference=case.reference,
                initials_and_meeting=f"{case.victim.initials}, MARAC {meeting.starts_at.strftime('%-d %b %Y')}",
                case_link=case.id in openable_cases,
                meeting=meeting,
                meeting_link=policy.may_view_meeting(user, meeting_scope),
            )
        )
    return shown


def invited_meeting_ids(user: User, meeting_ids: list[int]) -> set[int]:
    """Only an agency representative's view of a meeting depends on the invitation."""
    if user.role not in policy.AGENCY_SCOPED_ROLES or not meeting_ids:
        return set()
    return store.meeting_ids_inviting(user.agency_id, meeting_ids)


def cases_kept_from(user: User, filters: TrackerFilters) -> set[str]:
    """The cases whose actions an exclusion list keeps from this user, found before the page is cut,
    so that they are in no row and no count. The agency part of the policy is in the filters already."""
    excluded = cases_store.cases_excluding(user, store.tracker_case_ids(filters))
    if excluded and not policy.may_view_action(user, ActionScope(owner_agency_id=user.agency_id, excluded=True)):
        return excluded
    return set()


def tracker_page(user: User, filters: TrackerFilters, *, sort: str, page: int, today: date) -> TrackerPage:
    """One page of the actions these filters find, grouped by owning agency."""
    size = current_app.config["ACTION_TRACKER_PAGE_SIZE"]
    kept = cases_kept_from(user, filters)
    total = store.count_tracker_actions(filters, leaving_out_cases=kept)
    pages = max(1, math.ceil(total / size))
    page = min(max(page, 1), pages)
    rows = store.list_tracker_page(
        filters, sort=sort, today=today, leaving_out_cases=kept, offset=(page - 1) * size, limit=size
    )
    shown = tracker_rows(user, rows, today)
    first = (page - 1) * size + 1 if total else 0
    return TrackerPage(
        groups=grouped_by_agency(shown), total=total, page=page, pages=pages, first=first, last=first + len(shown) - 1
    )


def grouped_by_agency(rows: list[TrackerRow]) -> list[AgencyGroup]:
    groups: dict[int, AgencyGroup] = {}
    for row in rows:
        groups.setdefault(row.action.owner_agency_id, AgencyGroup(row.action.owner_agency.name, [])).rows.append(row)
    return list(groups.values())


def recently_closed_rows(user: User, agency_id: int | None, today: date) -> list[TrackerRow]:
    since = datetime.combine(today - timedelta(days=CLOSED_SHOWN_DAYS), time.min, tzinfo=UTC)
    return tracker_rows(user, store.list_closed_tracker_actions(agency_id=agency_id, closed_since=since), today)


def due_rows(user: User, agency_id: int, today: date) -> list[TrackerRow]:
    """The agency's open actions due soon or overdue, for its reminders panel."""
    due_by = today + timedelta(days=reminder_window_days())
    return tracker_rows(user, store.list_due_tracker_actions(agency_id=agency_id, due_by=due_by), today)


def case_reference_for(action: Action) -> str:
    return case_reference(action.agenda_item.referral.case, action.agenda_item.meeting.starts_at)


def scope_for(user: User, action: Action) -> ActionScope:
    excluded = cases_store.cases_excluding(user, [action.case_id])
    return action_scope(action, excluded, action.agenda_item.meeting.chair_id)


def load_action_for(user: User, action_id: int) -> Action | None:
    """The action if this person may update it, else None (so the page is a 404)."""
    action = store.get_action(action_id)
    if action is None:
        return None
    return action if policy.may_update_action(user, scope_for(user, action)) else None


def load_action_to_edit(user: User, action_id: int) -> Action | None:
    """The action if this person may edit it, else None (so the page is a 404)."""
    action = store.get_action(action_id)
    if action is None:
        return None
    return action if policy.may_edit_action(user, scope_for(user, action)) else None


def may_edit(user: User, action: Action) -> bool:
    return policy.may_edit_action(user, scope_for(user, action))


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


EDITABLE_FIELDS = ("description", "owner_agency_id", "owner_name", "due_on")


@dataclass(frozen=True)
class ActionEdit:
    description: str
    owner_agency_id: int
    owner_name: str
    due_on: date
    reason: str


def stored(value) -> str | int:
    return value.isoformat() if isinstance(value, date) else value


def changed_fields(action: Action, edit: ActionEdit) -> list[dict]:
    """Each field the edit changes, with its old and new value as stored."""
    return [
        {"field": name, "old": stored(getattr(action, name)), "new": stored(getattr(edit, name))}
        for name in EDITABLE_FIELDS
        if getattr(action, name) != getattr(edit, name)
    ]


def save_edit(action: Action, edit: ActionEdit, *, version: int, user: User) -> None:
    """Saves the changed fields and keeps them as history with the reason, or raises ActionChanged if
    the action is no longer at `version`. An edit that changes nothing saves nothing."""
    if action.version_id != version:
        raise ActionChanged(action)
    changes = changed_fields(action, edit)
    if not changes:
        return
    try:
        with all_or_nothing():
            for change in changes:
                setattr(action, change["field"], getattr(edit, change["field"]))
            db.session.flush()
            db.session.add(
                ActionUpdate(
                    action_id=action.id,
                    kind=ActionChangeKind.EDIT,
                    status=action.status,
                    changes=changes,
                    reason=edit.reason,
                    updated_by_id=user.id,
                    agency_id=user.agency_id,
                )
            )
            record_event(AuditAction.ACTION_EDITED, user=user, object_type="action", object_id=action.id)
    except StaleDataError:
        raise ActionChanged(store.get_action(action.id)) from None
    if any(change["field"] == "owner_agency_id" for change in changes):
        notices.action_assigned(action)  # handed to another agency: its representatives are told, as for a new one


# The history of an action, in words.

FIELD_WORDS = {"description": "What needs doing", "owner_name": "Named person", "due_on": "Due date"}


@dataclass(frozen=True)
class HistoryLine:
    when: datetime
    words: tuple[str, ...]
    by: str | None = None
    reason: str | None = None


def agency_names() -> dict[int, str]:
    return {agency.id: agency.name for agency in access_store.list_agencies()}


def change_words(change: dict, agencies: dict[int, str]) -> str:
    """One field's change as a sentence: "Due date changed from 1 November 2031 to 2 January 2027"."""
    old, new = change["old"], change["new"]
    if change["field"] == "owner_agency_id":
        return f"Action reassigned from {agencies.get(old, 'another agency')} to {agencies.get(new, 'another agency')}"
    if change["field"] == "due_on":
        old, new = (date.fromisoformat(value).strftime("%-d %B %Y") for value in (old, new))
    return f"{FIELD_WORDS[change['field']]} changed from {old} to {new}"


def update_words(update: ActionUpdate, agencies: dict[int, str]) -> tuple[str, ...]:
    if update.kind is ActionChangeKind.EDIT:
        return tuple(change_words(change, agencies) for change in update.changes or [])
    words = [f"Marked {update.status.label.lower()}"]
    if update.note:
        words.append(f"Note: {update.note}")
    return tuple(words)


def history(action: Action) -> list[HistoryLine]:
    """Every change and every escalation of the action, oldest first."""
    agencies = agency_names()
    lines = [
        HistoryLine(
            when=update.updated_at,
            words=update_words(update, agencies),
            by=agencies.get(update.agency_id),
            reason=update.reason,
        )
        for update in action.updates
    ]
    lines += [
        HistoryLine(when=escalation.raised_at, words=(f"Overdue: raised with {escalation.raised_with.label}",))
        for escalation in store.list_escalations(action.id)
    ]
    return sorted(lines, key=lambda line: line.when)
