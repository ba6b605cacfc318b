"""Agendas: the planner's proposal from the queue, accepting it, and the coordinator's moves."""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from access.audit import AuditAction, record_event
from access.models import User
from cases import store as cases_store
from cases.models import PartyRole, Referral, ReferralState
from extensions import db, utcnow
from meetings import notices, planner, store, working_days
from meetings.models import AgendaItem, AgendaSection, Meeting, MeetingStatus, ResearchReturn
from risk import store as risk_store

UK_TIME = ZoneInfo("Europe/London")
RESEARCH_DUE_TIME = time(17, 0)


class AgendaError(Exception):
    """A move the agenda cannot make; the message says why and what to do instead."""


@dataclass(frozen=True)
class Proposal:
    plan: planner.Plan
    meetings: dict[int, Meeting]
    referrals: dict[str, Referral]

    @property
    def fingerprint(self) -> str:
        """What the coordinator saw, so that accepting places exactly that and nothing newer."""
        return " ".join(
            f"{planned.meeting_id}:{item.referral_id}" for planned in self.plan.meetings for item in planned.items
        )


def planner_settings() -> planner.PlannerSettings:
    return planner.PlannerSettings(waiting_target_days=current_app.config["WAITING_TARGET_DAYS"])


def queued_case(referral: Referral) -> planner.QueuedCase:
    case = referral.case
    return planner.QueuedCase(
        referral_id=referral.id,
        tier=risk_store.get_decision(referral.decision_id).tier,
        received_on=referral.received_at.date(),
        has_children=any(party.role is PartyRole.CHILD for party in case.parties),
        repeat="repeat" in referral.criteria,
        transfer_in=case.id in store.transfer_in_areas([case.id]),
    )


def propose() -> Proposal:
    """What the planner would do now: waiting referrals into the meetings still taking cases."""
    referrals = {referral.id: referral for referral in store.list_referrals_waiting_for_a_meeting()}
    meetings = {meeting.id: meeting for meeting in store.list_fillable_meetings(utcnow())}
    specs = [
        planner.MeetingSpec(
            meeting_id=meeting.id,
            starts_at=meeting.starts_at,
            capacity=meeting.capacity - store.count_agenda_items(meeting),
            minutes_per_case=meeting.minutes_per_case,
        )
        for meeting in meetings.values()
    ]
    result = planner.plan([queued_case(referral) for referral in referrals.values()], specs, planner_settings())
    return Proposal(result, meetings, referrals)


def accept_proposal(proposal: Proposal, *, user) -> int:
    """Writes the proposal's agenda items; returns how many cases were placed."""
    placed = 0
    for planned in proposal.plan.meetings:
        meeting = proposal.meetings[planned.meeting_id]
        for item in planned.items:
            referral = proposal.referrals[item.referral_id]
            section = AgendaSection(item.section)
            db.session.add(
                AgendaItem(
                    meeting_id=meeting.id,
                    referral_id=referral.id,
                    position=10_000 + item.order,
                    section=section,
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                    flags=list(item.flags),
                    placed_at=utcnow(),
                )
            )
            referral.state = ReferralState.SCHEDULED
            placed += 1
        if planned.items:
            db.session.flush()
            lay_out(meeting)
            record_event(AuditAction.AGENDA_PLANNED, user=user, object_type="meeting", object_id=meeting.id)
    return placed


def lay_out(meeting: Meeting) -> None:
    """Running order: cases with children, then adult-only cases, each keeping its order; then slots.
    A meeting whose list is out gets research requests for any case new to it."""
    items = store.list_agenda(meeting)
    ordered = [item for item in items if item.section is AgendaSection.CHILDREN] + [
        item for item in items if item.section is AgendaSection.ADULT_ONLY
    ]
    slots = planner.time_slots(meeting.starts_at, len(ordered), meeting.minutes_per_case)
    for position, (item, (starts_at, ends_at)) in enumerate(zip(ordered, slots), start=1):
        item.position, item.starts_at, item.ends_at = position, starts_at, ends_at
    if meeting.status is MeetingStatus.LIST_ISSUED:
        request_research(meeting)
    db.session.flush()


def request_research(meeting: Meeting) -> int:
    """One research request per case per invited agency; requests already made are kept."""
    existing = {
        (request.agenda_item_id, request.agency_id) for request in store.list_research_requests_for_meeting(meeting)
    }
    due_at = research_due_for_requests_made_now(meeting)
    invited = [invitation.agency_id for invitation in store.list_invitations(meeting)]
    asked_by_item = {}
    for item in store.list_agenda(meeting):
        asked = [agency_id for agency_id in invited if (item.id, agency_id) not in existing]
        db.session.add_all(
            ResearchReturn(agenda_item_id=item.id, agency_id=agency_id, due_at=due_at) for agency_id in asked
        )
        if asked:
            asked_by_item[item] = asked
    notices.research_requested(meeting, asked_by_item)
    return sum(len(asked) for asked in asked_by_item.values())


def research_due_for_requests_made_now(meeting: Meeting) -> datetime:
    """The meeting's deadline while its list is being issued. Once the list is out, a case or agency added
    later gets a fair deadline: the meeting's, or the set number of working days from now if that is later,
    but never after the meeting starts."""
    if meeting.status is MeetingStatus.PLANNED:
        return meeting.research_due_at
    fair = deadline_on(working_days.working_days_after(utcnow().astimezone(UK_TIME).date(), research_days()))
    return min(max(meeting.research_due_at, fair), meeting.starts_at)


def list_is_out(meeting: Meeting) -> bool:
    """Agencies are already researching this meeting's list: a case joining now gives them less time."""
    return meeting.status is MeetingStatus.LIST_ISSUED


def can_change_agenda(meeting: Meeting) -> bool:
    return meeting.status in (MeetingStatus.PLANNED, MeetingStatus.LIST_ISSUED)


def move_within(meeting: Meeting, item: AgendaItem, step: int, *, user) -> None:
    """Up or down within its section: cases with children always come before adult-only cases."""
    require_changeable(meeting)
    section = [other for other in store.list_agenda(meeting) if other.section is item.section]
    index = section.index(item)
    if not 0 <= index + step < len(section):
        raise AgendaError(
            "That case is already at the edge of its part of the agenda: cases with children come first, then "
            "adult-only cases."
        )
    neighbour = section[index + step]
    item.position, neighbour.position = neighbour.position, item.position
    db.session.flush()
    lay_out(meeting)
    record_event(AuditAction.AGENDA_CHANGED, user=user, object_type="meeting", object_id=meeting.id)


@dataclass(frozen=True)
class TakenOff:
    """Where a case stood on an agenda when it was taken off, so that it can be put back there."""

    meeting_id: int
    referral_id: str
    position: int
    section: str
    flags: list
    placed_at: str | None


PUT_BACK_SALT = "agenda-put-back"


def put_back_token(taken_off: TakenOff) -> str:
    """Signed, so that "Put it back" restores exactly what was taken off and nothing made up."""
    return URLSafeSerializer(current_app.secret_key, salt=PUT_BACK_SALT).dumps(asdict(taken_off))


def taken_off_from(token: str) -> TakenOff | None:
    try:
        return TakenOff(**URLSafeSerializer(current_app.secret_key, salt=PUT_BACK_SALT).loads(token))
    except (BadSignature, TypeError):
        return None


def research_requests_for(meeting: Meeting, item: AgendaItem) -> list[ResearchReturn]:
    return [
        request for request in store.list_research_requests_for_meeting(meeting) if request.agenda_item_id == item.id
    ]


def require_take_off_possible(meeting: Meeting, item: AgendaItem) -> None:
    """Research an agency has already returned is never thrown away."""
    require_changeable(meeting)
    if any(request.returned_at for request in research_requests_for(meeting, item)):
        raise AgendaError(
            "Agencies have already returned research on this case, so it cannot come off the agenda. Move it to "
            "another meeting instead."
        )


def agencies_to_tell(meeting: Meeting, item: AgendaItem) -> list[str]:
    """Once the list is out, the agencies asked for research on the case: their request is withdrawn."""
    if meeting.status is not MeetingStatus.LIST_ISSUED:
        return []
    return sorted(request.agency.name for request in research_requests_for(meeting, item))


def take_off(meeting: Meeting, item: AgendaItem, *, user) -> TakenOff:
    """Back to the queue, withdrawing its research requests; returns what "Put it back" needs."""
    require_take_off_possible(meeting, item)
    taken_off = TakenOff(
        meeting_id=meeting.id,
        referral_id=item.referral_id,
        position=item.position,
        section=item.section.value,
        flags=list(item.flags),
        placed_at=item.placed_at.isoformat() if item.placed_at else None,
    )
    for request in research_requests_for(meeting, item):
        db.session.delete(request)
    item.referral.state = ReferralState.ACCEPTED
    case_id = item.referral.case_id
    db.session.delete(item)
    db.session.flush()
    lay_out(meeting)
    record_event(AuditAction.AGENDA_CHANGED, user=user, object_type="meeting", object_id=meeting.id)
    record_event(AuditAction.AGENDA_ITEM_TAKEN_OFF, user=user, object_type="case", object_id=case_id)
    return taken_off


def put_back(meeting: Meeting, taken_off: TakenOff, *, user) -> AgendaItem:
    """Undo a take-off: the case goes back to its place, if the meeting has not started and the case is
    still waiting in the queue (not planned elsewhere meanwhile). A list already out asks for research again."""
    require_changeable(meeting)
    referral = store.get_referral(taken_off.referral_id)
    if referral.state is ReferralState.SCHEDULED:
        raise AgendaError(
            "The case has been planned for another meeting since it was taken off, so it was not put back here. "
            "Move it from that meeting's agenda if it should come to this one."
        )
    if referral.state is not ReferralState.ACCEPTED:
        raise AgendaError("The case is no longer waiting in the referral queue, so it cannot be put back.")
    if store.count_agenda_items(meeting) >= meeting.capacity:
        raise AgendaError("This meeting's agenda is full now, so the case was not put back. It waits in the queue.")
    for other in store.list_agenda(meeting):
        if other.position >= taken_off.position:
            other.position += 1
    item = AgendaItem(
        meeting_id=meeting.id,
        referral_id=referral.id,
        position=taken_off.position,
        section=AgendaSection(taken_off.section),
        starts_at=meeting.starts_at,
        ends_at=meeting.starts_at,
        flags=list(taken_off.flags),
        placed_at=datetime.fromisoformat(taken_off.placed_at) if taken_off.placed_at else None,
    )
    db.session.add(item)
    referral.state = ReferralState.SCHEDULED
    db.session.flush()
    lay_out(meeting)
    record_event(AuditAction.AGENDA_CHANGED, user=user, object_type="meeting", object_id=meeting.id)
    record_event(AuditAction.AGENDA_ITEM_PUT_BACK, user=user, object_type="case", object_id=referral.case_id)
    return item


def move_to(meeting: Meeting, item: AgendaItem, target: Meeting, *, user) -> None:
    require_changeable(meeting)
    if target.id == meeting.id or not can_change_agenda(target):
        raise AgendaError("Choose another meeting that is still taking cases.")
    item.meeting_id = target.id
    item.position = 10_000
    item.placed_at = utcnow()
    item.flags = sorted(set(item.flags) | {"moved"})
    # The case's research follows it: the agencies already asked now answer by the new meeting's deadline.
    for request in store.list_research_returns_for_item(item.id):
        request.due_at = research_due_for_requests_made_now(target)
    db.session.flush()
    lay_out(meeting)
    lay_out(target)
    record_event(AuditAction.AGENDA_CHANGED, user=user, object_type="meeting", object_id=meeting.id)
    record_event(AuditAction.AGENDA_CHANGED, user=user, object_type="meeting", object_id=target.id)


def require_changeable(meeting: Meeting) -> None:
    if not can_change_agenda(meeting):
        raise AgendaError("This meeting has started, so its agenda can no longer change.")


def twelve_month_notices(meeting: Meeting) -> list:
    """Cases whose 12-month watch ends between the previous meeting and this one."""
    previous = store.get_previous_meeting(meeting)
    since = previous.starts_at.date() if previous else meeting.starts_at.date() - timedelta(days=31)
    return store.list_cases_with_watch_ending(since + timedelta(days=1), meeting.starts_at.date())


def research_days() -> int:
    """How many working days before the meeting research is due: a local choice, so a setting."""
    return current_app.config["RESEARCH_DAYS_BEFORE_MEETING"]


def research_due_before(starts_on: date) -> date:
    return working_days.working_days_before(starts_on, research_days())


def deadline_on(day: date) -> datetime:
    return datetime.combine(day, RESEARCH_DUE_TIME, tzinfo=UK_TIME)


def research_deadline(starts_on: date) -> datetime:
    """The end of the working day the set number of working days before the meeting."""
    return deadline_on(research_due_before(starts_on))


def meetings_joined_after_list_issued(proposal: Proposal) -> list[Meeting]:
    """Meetings the proposal adds cases to although their list is already out."""
    return [
        proposal.meetings[planned.meeting_id]
        for planned in proposal.plan.meetings
        if planned.items and list_is_out(proposal.meetings[planned.meeting_id])
    ]


@dataclass(frozen=True)
class AgendaRow:
    item: AgendaItem
    reference: str
    initials: str
    referring_agency: str
    criteria: list
    tier: int
    flags: list
    transferred_from: str | None


def agenda_rows(meeting: Meeting, user: User | None = None) -> list[AgendaRow]:
    """The agenda, less any case the user may not see (an exclusion list names them); every row for
    the documents, whose recipients the exclusion-list check clears before they are released."""
    items = store.list_agenda(meeting)
    if user is not None:
        visible = cases_store.cases_visible_to(user, [item.referral.case_id for item in items])
        items = [item for item in items if item.referral.case_id in visible]
    transfers = store.transfer_in_areas([item.referral.case_id for item in items])
    return [
        AgendaRow(
            item=item,
            reference=item.referral.case.reference,
            initials=item.referral.case.victim.initials,
            referring_agency=item.referral.agency.name,
            criteria=item.referral.criteria,
            tier=item.referral.decision.tier,
            flags=item.flags,
            transferred_from=transfers.get(item.referral.case_id),
        )
        for item in items
    ]


def transferred_from(rows: list[AgendaRow], item: AgendaItem) -> str | None:
    """The area the item's case came from, as its agenda row has it (read with the whole agenda's); read for the
    case alone only if the rows leave it out."""
    for row in rows:
        if row.item.id == item.id:
            return row.transferred_from
    return store.transfer_in_areas([item.referral.case_id]).get(item.referral.case_id)
