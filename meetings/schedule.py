"""Meetings: one-off, recurring and emergency, and the steps each meeting goes through."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from access import policy
from access import store as access_store
from access.audit import AuditAction, record_event
from access.models import Role
from cases.models import ReferralState
from extensions import db
from meetings import agenda, store
from meetings.models import Invitation, Meeting, MeetingKind, MeetingStatus

UK_TIME = ZoneInfo("Europe/London")
REPEATS = ("once", "fortnightly", "monthly")


class MeetingStepError(Exception):
    """A step the meeting cannot take now; the message says what to do first."""


@dataclass(frozen=True)
class Step:
    to: MeetingStatus
    button: str
    roles: frozenset[Role]


COORDINATOR = frozenset({Role.COORDINATOR})
CHAIR_OR_COORDINATOR = frozenset({Role.COORDINATOR, Role.CHAIR})
NEXT_STEP = {
    MeetingStatus.PLANNED: Step(MeetingStatus.LIST_ISSUED, "Issue the MARAC list", COORDINATOR),
    MeetingStatus.LIST_ISSUED: Step(MeetingStatus.IN_PROGRESS, "Start the meeting", CHAIR_OR_COORDINATOR),
    MeetingStatus.IN_PROGRESS: Step(
        MeetingStatus.MINUTES_DRAFT, "End the meeting: minutes become a draft", CHAIR_OR_COORDINATOR
    ),
    MeetingStatus.MINUTES_DRAFT: Step(MeetingStatus.MINUTES_APPROVED, "Approve the minutes", CHAIR_OR_COORDINATOR),
    MeetingStatus.MINUTES_APPROVED: Step(MeetingStatus.DISTRIBUTED, "Mark the minutes as distributed", COORDINATOR),
}


def meeting_dates(first: date, repeat: str, count: int) -> list[date]:
    """Fortnightly: every 14 days. Monthly: the same weekday in the same week of each month, as
    MARACs set them ("the second Tuesday"); a fifth weekday falls back to the month's last."""
    if repeat == "fortnightly":
        return [first + timedelta(weeks=2 * number) for number in range(count)]
    if repeat == "monthly":
        return [same_weekday_in_month(first, months_on=number) for number in range(count)]
    return [first]


def same_weekday_in_month(first: date, *, months_on: int) -> date:
    year, month = divmod(first.month - 1 + months_on, 12)
    month_start = date(first.year + year, month + 1, 1)
    first_match = month_start + timedelta(days=(first.weekday() - month_start.weekday()) % 7)
    wanted = first_match + timedelta(weeks=(first.day - 1) // 7)
    return wanted if wanted.month == month_start.month else wanted - timedelta(weeks=1)


def create_meetings(form, *, user) -> list[Meeting]:
    """The meetings the form asks for, each inviting every agency; returns them in date order."""
    kind = MeetingKind(form.kind.data)
    repeat = "once" if kind is MeetingKind.EMERGENCY else form.repeat.data
    count = form.count.data if repeat != "once" else 1
    meetings = []
    for day in meeting_dates(form.starts_on.data, repeat, count):
        starts_at = datetime.combine(day, form.starts_at_time.time, tzinfo=UK_TIME)
        meeting = store.create_meeting(
            area=current_app.config.get("MARAC_AREA") or "Not set",
            starts_at=starts_at,
            venue=form.venue.data or "Online",
            online=form.online.data,
            chair_id=int(form.chair_id.data) if form.chair_id.data else None,
            capacity=form.capacity.data,
            minutes_per_case=form.minutes_per_case.data,
            kind=kind,
            research_due_at=datetime.combine(agenda.research_due_before(day), time(17, 0), tzinfo=UK_TIME),
        )
        invite_every_agency(meeting)
        record_event(AuditAction.MEETING_CREATED, user=user, object_type="meeting", object_id=meeting.id)
        meetings.append(meeting)
    db.session.commit()
    return meetings


def invite_every_agency(meeting: Meeting) -> None:
    for agency in access_store.list_agencies():
        db.session.add(Invitation(meeting_id=meeting.id, agency_id=agency.id))
    db.session.flush()


def set_invitations(meeting: Meeting, agency_ids: set[int], *, user) -> None:
    current = {invitation.agency_id: invitation for invitation in store.list_invitations(meeting)}
    for agency_id, invitation in current.items():
        if agency_id not in agency_ids:
            db.session.delete(invitation)
    for agency_id in agency_ids - current.keys():
        db.session.add(Invitation(meeting_id=meeting.id, agency_id=agency_id))
    db.session.flush()
    if meeting.status is MeetingStatus.LIST_ISSUED:
        agenda.request_research(meeting)
    record_event(AuditAction.MEETING_CHANGED, user=user, object_type="meeting", object_id=meeting.id)
    db.session.commit()


def who_takes(step: Step) -> str:
    if Role.CHAIR in step.roles:
        return "the meeting's chair or the MARAC coordinator"
    return "the MARAC coordinator"


def next_step(meeting: Meeting) -> Step | None:
    return NEXT_STEP.get(meeting.status)


def take_next_step(meeting: Meeting, *, user) -> Step:
    step = next_step(meeting)
    if step is None:
        raise MeetingStepError("This meeting has finished: its minutes are distributed.")
    if not policy.may_take_meeting_step(user, store.meeting_scope(meeting, user), step.roles):
        raise MeetingStepError(f"Only {who_takes(step)} can do this.")
    check_ready(meeting, step.to)
    if step.to is MeetingStatus.LIST_ISSUED:
        agenda.request_research(meeting)
    if step.to is MeetingStatus.MINUTES_DRAFT:
        for item in store.list_agenda(meeting):
            item.referral.state = ReferralState.HEARD
    meeting.status = step.to
    action = (
        AuditAction.MARAC_LIST_ISSUED if step.to is MeetingStatus.LIST_ISSUED else AuditAction.MEETING_STATUS_CHANGED
    )
    record_event(action, user=user, object_type="meeting", object_id=meeting.id)
    db.session.commit()
    return step


def check_ready(meeting: Meeting, to: MeetingStatus) -> None:
    if to is MeetingStatus.LIST_ISSUED:
        if not store.list_agenda(meeting):
            raise MeetingStepError("The agenda is empty. Plan agendas from the referral queue first.")
        if not store.list_invitations(meeting):
            raise MeetingStepError("No agency is invited. Choose the agencies to invite first.")
        if meeting.research_due_at is None:
            raise MeetingStepError("Set a research deadline first.")
