"""Meetings: one-off, recurring and emergency, and the steps each meeting goes through."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from blinker import Namespace
from flask import current_app

from access import policy
from access import store as access_store
from access.audit import AuditAction, record_event, record_events
from access.models import Role
from cases.models import ReferralState
from extensions import db, utcnow
from meetings import agenda, notices, reminders, store
from meetings.models import Invitation, Meeting, MeetingKind, MeetingStatus
from transactions import all_or_nothing

UK_TIME = ZoneInfo("Europe/London")
REPEATS = ("once", "fortnightly", "monthly")


class MeetingStepError(Exception):
    """A step the meeting cannot take now; the message says what to do first."""


class StepNotConfirmed(MeetingStepError):
    """The step's confirmation page asks for something not yet confirmed."""


@dataclass(frozen=True)
class StepConfirmation:
    """What the person taking a step has confirmed on its confirmation page."""

    not_heard: bool = False
    """Ending the meeting: the cases with no outcome were not heard, and this is recorded."""
    read_draft: bool = False
    """Approving: the chair has read the draft minutes."""


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


signals = Namespace()
minutes_approved = signals.signal("minutes-approved")
"""Sent with the meeting, in the step's transaction, when its minutes are approved: the data return keeps the
meeting's figures then (reports.data_return), which this package may not import."""


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


@dataclass(frozen=True)
class MeetingPlan:
    """The meetings the coordinator asks for: the first date, how often it repeats, and what each is like."""

    kind: MeetingKind
    starts_on: date
    starts_at: time
    repeat: str
    count: int | None
    venue: str | None
    online: bool
    chair_id: int | None
    capacity: int
    minutes_per_case: int


def create_meetings(plan: MeetingPlan, *, user) -> list[Meeting]:
    """The meetings the plan asks for, each inviting every agency; returns them in date order."""
    repeat = "once" if plan.kind is MeetingKind.EMERGENCY else plan.repeat
    count = plan.count if repeat != "once" else 1
    meetings = []
    for day in meeting_dates(plan.starts_on, repeat, count):
        meeting = store.create_meeting(
            area=current_app.config.get("MARAC_AREA") or "Not set",
            starts_at=datetime.combine(day, plan.starts_at, tzinfo=UK_TIME),
            venue=plan.venue or "Online",
            online=plan.online,
            chair_id=plan.chair_id,
            capacity=plan.capacity,
            minutes_per_case=plan.minutes_per_case,
            kind=plan.kind,
            research_due_at=agenda.research_deadline(day),
        )
        invite_every_agency(meeting)
        record_event(AuditAction.MEETING_CREATED, user=user, object_type="meeting", object_id=meeting.id)
        meetings.append(meeting)
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


def who_takes(step: Step) -> str:
    if Role.CHAIR in step.roles:
        return "the meeting's chair or the MARAC coordinator"
    return "the MARAC coordinator"


def next_step(meeting: Meeting) -> Step | None:
    return NEXT_STEP.get(meeting.status)


def why_no_step(meeting: Meeting) -> str:
    if meeting.status is MeetingStatus.CANCELLED:
        return "This meeting was cancelled, so it takes no further steps."
    return "This meeting has finished: its minutes are distributed."


def take_next_step(meeting: Meeting, *, user, confirmed: StepConfirmation = StepConfirmation()) -> Step:
    """Moves the meeting on; raises StaleDataError, with nothing changed, if someone else moved it first."""
    step = next_step(meeting)
    if step is None:
        raise MeetingStepError(why_no_step(meeting))
    if not policy.may_take_meeting_step(user, store.meeting_scope(meeting, user), step.roles):
        raise MeetingStepError(f"Only {who_takes(step)} can do this.")
    check_ready(meeting, step.to)
    check_confirmed(meeting, step.to, confirmed)
    with all_or_nothing():
        if step.to is MeetingStatus.LIST_ISSUED:
            agenda.request_research(meeting)
        if step.to is MeetingStatus.MINUTES_DRAFT:
            record_hearings(meeting, user=user)
        meeting.status = step.to
        if step.to is MeetingStatus.MINUTES_APPROVED:
            minutes_approved.send(meeting)
        record_when_documents_go_out(meeting)
        notices.tell_if_documents_ready(meeting)
        # Written now, so that a meeting someone else moved on is found here rather than at the commit.
        db.session.flush()
        record_event(step_action(step), user=user, object_type="meeting", object_id=meeting.id)
    return step


def record_when_documents_go_out(meeting: Meeting) -> None:
    """The case's history says when the MARAC list went out and when the minutes were distributed."""
    if meeting.status is MeetingStatus.LIST_ISSUED:
        meeting.list_issued_at = utcnow()
    elif meeting.status is MeetingStatus.DISTRIBUTED:
        meeting.distributed_at = utcnow()


def step_action(step: Step) -> AuditAction:
    return AuditAction.MARAC_LIST_ISSUED if step.to is MeetingStatus.LIST_ISSUED else AuditAction.MEETING_STATUS_CHANGED


def meeting_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(UK_TIME).date()


def today_in_the_uk() -> date:
    return datetime.now(UK_TIME).date()


def can_be_run_now(meeting: Meeting) -> bool:
    """Running it is open from the meeting's day, once its list is out, until its minutes are approved."""
    if meeting.status is MeetingStatus.LIST_ISSUED:
        return today_in_the_uk() >= meeting_day(meeting)
    return meeting.status in (MeetingStatus.IN_PROGRESS, MeetingStatus.MINUTES_DRAFT)


def cases_without_outcome(meeting: Meeting) -> list:
    """The agenda items whose minutes record no outcome: the meeting has not (yet) heard them."""
    with_outcome = store.agenda_item_ids_with_outcome(meeting)
    return [item for item in store.list_agenda(meeting) if item.id not in with_outcome]


def record_hearings(meeting: Meeting, *, user) -> None:
    """The cases with an outcome were heard. Those without were not (the chair confirmed it): each goes back
    to the referral queue for the next meeting, audited under the case, rather than being taken as heard."""
    not_heard = cases_without_outcome(meeting)
    for item in store.list_agenda(meeting):
        if item in not_heard:
            item.not_heard_at = utcnow()
            item.referral.state = ReferralState.ACCEPTED
        else:
            item.referral.state = ReferralState.HEARD
    case_ids = [item.referral.case_id for item in not_heard]
    record_events(AuditAction.CASE_NOT_HEARD, user=user, object_type="case", object_ids=case_ids)


def check_confirmed(meeting: Meeting, to: MeetingStatus, confirmed: StepConfirmation) -> None:
    """Ending refuses to leave a case without an outcome unless the chair says it was not heard: the safer of
    the two, since a meeting ended by mistake would otherwise send half-made minutes on to approval."""
    if to is MeetingStatus.MINUTES_DRAFT and not confirmed.not_heard:
        missing = len(cases_without_outcome(meeting))
        if missing:
            raise StepNotConfirmed(
                f"{missing} case{'s have' if missing != 1 else ' has'} no outcome. Record the outcome of each, "
                "or confirm that the cases listed were not heard."
            )
    if to is MeetingStatus.MINUTES_APPROVED and not confirmed.read_draft:
        raise StepNotConfirmed("Confirm that you have read the draft minutes before approving them.")


def check_ready(meeting: Meeting, to: MeetingStatus) -> None:
    if to is MeetingStatus.IN_PROGRESS and today_in_the_uk() < meeting_day(meeting):
        day = meeting_day(meeting)
        raise MeetingStepError(
            f"The meeting can start on its day, {day.strftime('%A')} {day.day} {day.strftime('%B %Y')}, not before."
        )
    if to is MeetingStatus.LIST_ISSUED:
        if not store.list_agenda(meeting):
            raise MeetingStepError("The agenda is empty. Plan agendas from the referral queue first.")
        if not store.list_invitations(meeting):
            raise MeetingStepError("No agency is invited. Choose the agencies to invite first.")
        if meeting.research_due_at is None:
            raise MeetingStepError("Set a research deadline first.")


# Changing a meeting before it starts: its details, its date, or cancelling it.
CHANGEABLE = (MeetingStatus.PLANNED, MeetingStatus.LIST_ISSUED)


def can_change_meeting(meeting: Meeting) -> bool:
    return meeting.status in CHANGEABLE


@dataclass(frozen=True)
class MeetingDetails:
    version: str
    starts_at: time
    venue: str | None
    online: bool
    chair_id: int | None
    capacity: int
    minutes_per_case: int


def edit_meeting(meeting: Meeting, details: MeetingDetails, *, user) -> bool:
    """Changes the meeting's details; False, with nothing changed, if it changed since the form was opened."""
    if not can_change_meeting(meeting):
        raise MeetingStepError("This meeting has started or was cancelled, so its details can no longer change.")
    if details.version != str(meeting.version_id):
        return False
    with all_or_nothing():
        meeting.starts_at = datetime.combine(meeting.starts_at.astimezone(UK_TIME).date(), details.starts_at, UK_TIME)
        meeting.venue, meeting.online = details.venue or "Online", details.online
        meeting.chair_id, meeting.capacity = details.chair_id, details.capacity
        meeting.minutes_per_case = details.minutes_per_case
        # The agenda's time slots follow a new start time or a new length per case.
        agenda.lay_out(meeting)
        record_event(AuditAction.MEETING_CHANGED, user=user, object_type="meeting", object_id=meeting.id)
    return True


def who_is_told(meeting: Meeting) -> list[str]:
    """The agencies told of a new date or a cancellation: those invited, once the list has gone out."""
    if meeting.status is not MeetingStatus.LIST_ISSUED:
        return []
    return sorted(invitation.agency.name for invitation in store.list_invitations(meeting))


def reschedule(meeting: Meeting, starts_on: date, starts_at: time, version: str, *, user) -> bool:
    """Moves the meeting to another day: agenda slots, the research deadline and every open research
    request follow; invited agencies are e-mailed if the list is out. False if it changed meanwhile."""
    if not can_change_meeting(meeting):
        raise MeetingStepError("This meeting has started or was cancelled, so it can no longer be rescheduled.")
    if version != str(meeting.version_id):
        return False
    told = who_is_told(meeting)
    with all_or_nothing():
        meeting.starts_at = datetime.combine(starts_on, starts_at, UK_TIME)
        meeting.research_due_at = agenda.research_deadline(starts_on)
        due_at = agenda.research_due_for_requests_made_now(meeting)
        for request in store.list_research_requests_for_meeting(meeting):
            if request.returned_at is None:
                request.due_at = due_at
        agenda.lay_out(meeting)
        record_event(AuditAction.MEETING_RESCHEDULED, user=user, object_type="meeting", object_id=meeting.id)
    if told:
        tell_invited_agencies(meeting, f"The MARAC meeting has moved to {uk_moment(meeting.starts_at)}.")
    return True


def cancel(meeting: Meeting, version: str, *, user) -> bool:
    """Cancels the meeting: its cases go back to the referral queue for the planner, open research
    requests are withdrawn (returned research is kept), invited agencies are e-mailed if the list is out."""
    if not can_change_meeting(meeting):
        raise MeetingStepError("This meeting has started or was cancelled already, so it cannot be cancelled.")
    if version != str(meeting.version_id):
        return False
    told = who_is_told(meeting)
    with all_or_nothing():
        for request in store.list_research_requests_for_meeting(meeting):
            if request.returned_at is None:
                db.session.delete(request)
        items = store.list_agenda(meeting)
        for item in items:
            item.referral.state = ReferralState.ACCEPTED
        meeting.status = MeetingStatus.CANCELLED
        db.session.flush()
        record_event(AuditAction.MEETING_CANCELLED, user=user, object_type="meeting", object_id=meeting.id)
        # Each case's own trail shows it went back to the queue, as a take-off does.
        case_ids = [item.referral.case_id for item in items]
        record_events(AuditAction.MEETING_CANCELLED, user=user, object_type="case", object_ids=case_ids)
    if told:
        tell_invited_agencies(
            meeting, f"The MARAC meeting on {uk_moment(meeting.starts_at)} is cancelled. Its research is withdrawn."
        )
    return True


def uk_moment(moment: datetime) -> str:
    return moment.astimezone(UK_TIME).strftime("%-d %B %Y at %H:%M")


def tell_invited_agencies(meeting: Meeting, news: str) -> bool:
    """The invited agencies' representatives are told in the service, and by e-mail when it is set up; no
    case details. False if an e-mail was due and not sent."""
    people = access_store.list_active_users(
        Role.AGENCY_REP, [invitation.agency_id for invitation in store.list_invitations(meeting)]
    )
    notices.meeting_changed(meeting, people, news)
    if not current_app.config["MAIL_SERVER"] or not people:
        return True
    text = f"{news}\n\nSign in to {current_app.config['SERVICE_NAME']} for the details.\n"
    return reminders.send_all(
        [reminders.plain_message("A MARAC meeting has changed", text, [person.email]) for person in people]
    )


def start_of_uk_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UK_TIME)
