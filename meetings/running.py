"""Running the meeting: attendance, the review of earlier actions, case minutes and new actions.

Case minutes are saved as the chair types. Every save names the version it started from; a save
from an older version is refused and both texts are shown, so neither is lost.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from access.audit import AuditAction, record_event
from extensions import db, utcnow
from meetings import actions, notices, store
from meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CaseMinutes,
    CaseOutcome,
    Meeting,
    MeetingStatus,
)
from transactions import all_or_nothing

MINUTES_OPEN = (MeetingStatus.IN_PROGRESS, MeetingStatus.MINUTES_DRAFT)
RUNNING = (MeetingStatus.LIST_ISSUED, MeetingStatus.IN_PROGRESS, MeetingStatus.MINUTES_DRAFT)
MINUTES_TEXT_FIELDS = (
    "victim_views",
    "information_shared",
    "risks_to_victim",
    "risks_to_children",
    "risks_to_others",
    "risks_to_professionals",
    "decisions",
)


class StaleMinutes(Exception):
    """Someone saved these minutes after this editor loaded them."""

    def __init__(self, current: CaseMinutes):
        super().__init__("These minutes were changed by someone else")
        self.current = current


class StaleReview(Exception):
    """An action under review was changed by someone else after the page was loaded."""


@dataclass(frozen=True)
class MinutesDraft:
    version: int
    texts: dict[str, str]
    agency_information: dict[str, str]
    outcome: str | None


def minutes_are_open(meeting: Meeting) -> bool:
    return meeting.status in MINUTES_OPEN


def minutes_for(item: AgendaItem) -> CaseMinutes:
    """The case's saved minutes, or blank ones (version 0) that the first save stores."""
    return store.get_case_minutes(item.id) or CaseMinutes(agenda_item_id=item.id, agency_information={})


def version_of(minutes: CaseMinutes) -> int:
    return minutes.version_id or 0


def save_minutes(minutes: CaseMinutes, draft: MinutesDraft, *, user) -> CaseMinutes:
    editor_id = user.id  # read before changing anything, so loading the user cannot flush half a save
    if draft.version != version_of(minutes):
        raise StaleMinutes(minutes)
    try:
        with all_or_nothing():
            db.session.add(minutes)
            for name, text in draft.texts.items():
                setattr(minutes, name, text)
            minutes.agency_information = {key: text for key, text in draft.agency_information.items() if text}
            minutes.outcome = CaseOutcome(draft.outcome) if draft.outcome else None
            minutes.updated_by_id = editor_id
            db.session.flush()
    except (StaleDataError, IntegrityError):
        # Saved by someone else between our read and write: an update of an older version, or a
        # second first save of the same case's minutes. The savepoint has undone this save alone.
        raise StaleMinutes(store.get_case_minutes(minutes.agenda_item_id)) from None
    record_event(AuditAction.MINUTES_SAVED, user=user, object_type="case-minutes", object_id=minutes.id)
    return minutes


def differing_fields(current: CaseMinutes, draft: MinutesDraft, labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, saved text, your text) for each field where the two differ."""
    rows = [(labels[name], getattr(current, name) or "", draft.texts.get(name, "")) for name in MINUTES_TEXT_FIELDS]
    for key, label in labels.items():
        if key.startswith("agency-"):
            rows.append((label, (current.agency_information or {}).get(key, ""), draft.agency_information.get(key, "")))
    return [row for row in rows if row[1] != row[2]]


def add_action(
    item: AgendaItem, *, description: str, owner_agency_id: int, owner_name: str, due_on: date, user
) -> Action:
    action = Action(
        case_id=item.referral.case_id,
        agenda_item_id=item.id,
        description=description,
        owner_agency_id=owner_agency_id,
        owner_name=owner_name,
        due_on=due_on,
        status=ActionStatus.OPEN,
    )
    db.session.add(action)
    db.session.flush()
    record_event(AuditAction.ACTION_CREATED, user=user, object_type="action", object_id=action.id)
    notices.action_assigned(action)
    return action


@dataclass(frozen=True)
class RegisterEntry:
    agency_id: int
    name: str
    status: AttendanceStatus
    information_sent: bool


def register_taken(meeting: Meeting) -> bool:
    return bool(store.list_attendance(meeting))


def save_register(meeting: Meeting, entries: list[RegisterEntry], *, confirmed: bool, user) -> None:
    """The whole register at once, replacing what was saved. Someone already recorded as confirming the
    statement keeps the time they did; the others present confirm now, all together."""
    earlier = {
        (row.agency_id, row.attendee_name): row.confidentiality_confirmed_at for row in store.list_attendance(meeting)
    }
    with all_or_nothing():
        store.delete_attendance(meeting)
        for entry in entries:
            hears_statement = entry.status is not AttendanceStatus.APOLOGIES
            db.session.add(
                Attendance(
                    meeting_id=meeting.id,
                    agency_id=entry.agency_id,
                    attendee_name=entry.name,
                    status=entry.status,
                    information_sent=entry.information_sent and entry.status is AttendanceStatus.APOLOGIES,
                    confidentiality_confirmed_at=(earlier.get((entry.agency_id, entry.name)) or utcnow())
                    if hears_statement and confirmed
                    else None,
                )
            )
        db.session.flush()
    record_event(AuditAction.ATTENDANCE_RECORDED, user=user, object_type="meeting", object_id=meeting.id)


@dataclass(frozen=True)
class ReviewOutcome:
    action_id: int
    version: int
    status: ActionStatus
    note: str


def review_actions(meeting: Meeting, outcomes: list[ReviewOutcome], *, user) -> int:
    """All or nothing: one changed action means nothing is saved (StaleReview, or StaleDataError when
    someone saved it between our read and write) and the page is shown afresh."""
    to_review = {action.id: action for action in store.list_actions_to_review(meeting)}
    if any(
        outcome.action_id not in to_review or to_review[outcome.action_id].version_id != outcome.version
        for outcome in outcomes
    ):
        raise StaleReview()
    changed = 0
    with all_or_nothing():
        for outcome in outcomes:
            action = to_review[outcome.action_id]
            if (action.status, action.completion_note or "") == (outcome.status, outcome.note):
                continue
            actions.set_status(action, outcome.status, outcome.note, date.today())
            action.reviewed_at_meeting_id = None if outcome.status is ActionStatus.OPEN else meeting.id
            actions.record_update(action, user=user, reviewed_at=meeting)
            record_event(AuditAction.ACTION_REVIEWED, user=user, object_type="action", object_id=action.id)
            changed += 1
        db.session.flush()
    return changed
