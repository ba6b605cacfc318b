"""The agenda planner: accepted referrals into the next meetings, within capacity.

Very high risk (tier 4) first, then whoever has waited longest. A case that does not fit the first
meeting moves to the next one and is flagged. Each agenda follows the SafeLives running order:
review of incomplete actions, cases with children, adult-only cases, then notice of cases reaching
12 months since their last MARAC.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

ACTION_REVIEW_MINUTES = 15
CHILDREN = "children"
ADULT_ONLY = "adult-only"


@dataclass(frozen=True)
class QueuedCase:
    referral_id: str
    tier: int
    received_on: date
    has_children: bool = False
    repeat: bool = False
    transfer_in: bool = False


@dataclass(frozen=True)
class MeetingSpec:
    meeting_id: str
    starts_at: datetime
    capacity: int
    minutes_per_case: int = 15


@dataclass(frozen=True)
class PlannerSettings:
    waiting_target_days: int = 14
    action_review_minutes: int = ACTION_REVIEW_MINUTES


@dataclass(frozen=True)
class AgendaItem:
    referral_id: str
    order: int
    section: str
    starts_at: datetime
    ends_at: datetime
    flags: tuple[str, ...]


@dataclass(frozen=True)
class PlannedMeeting:
    meeting_id: str
    action_review: tuple[datetime, datetime]
    items: tuple[AgendaItem, ...]
    twelve_month_notices: tuple[str, ...]

    @property
    def ends_at(self) -> datetime:
        return self.items[-1].ends_at if self.items else self.action_review[1]


@dataclass(frozen=True)
class Plan:
    meetings: tuple[PlannedMeeting, ...]
    unplaced: tuple[QueuedCase, ...]


def priority(case: QueuedCase) -> tuple:
    return (case.tier != 4, case.received_on, case.referral_id)


def plan(
    queue: list[QueuedCase],
    meetings: list[MeetingSpec],
    settings: PlannerSettings = PlannerSettings(),
    twelve_month_notices: dict[str, tuple[str, ...]] | None = None,
) -> Plan:
    waiting = sorted(queue, key=priority)
    planned = []
    for index, meeting in enumerate(sorted(meetings, key=lambda spec: spec.starts_at)):
        taken, waiting = waiting[: max(meeting.capacity, 0)], waiting[max(meeting.capacity, 0) :]
        notices = (twelve_month_notices or {}).get(meeting.meeting_id, ())
        planned.append(agenda_for(meeting, taken, moved_on=index > 0, settings=settings, notices=notices))
    return Plan(meetings=tuple(planned), unplaced=tuple(waiting))


def agenda_for(
    meeting: MeetingSpec, cases: list[QueuedCase], *, moved_on: bool, settings: PlannerSettings, notices
) -> PlannedMeeting:
    review_end = meeting.starts_at + timedelta(minutes=settings.action_review_minutes)
    running_order = [case for case in cases if case.has_children] + [case for case in cases if not case.has_children]
    slots = time_slots(meeting.starts_at, len(running_order), meeting.minutes_per_case, settings.action_review_minutes)
    items = tuple(
        AgendaItem(
            referral_id=case.referral_id,
            order=position + 1,
            section=CHILDREN if case.has_children else ADULT_ONLY,
            starts_at=starts_at,
            ends_at=ends_at,
            flags=flags_for(case, meeting, moved_on, settings),
        )
        for position, (case, (starts_at, ends_at)) in enumerate(zip(running_order, slots))
    )
    return PlannedMeeting(meeting.meeting_id, (meeting.starts_at, review_end), items, tuple(notices))


def time_slots(
    starts_at: datetime, count: int, minutes_per_case: int, review_minutes: int = ACTION_REVIEW_MINUTES
) -> list[tuple[datetime, datetime]]:
    """Each case's slot, after the review of incomplete actions that opens every meeting."""
    first = starts_at + timedelta(minutes=review_minutes)
    slot = timedelta(minutes=minutes_per_case)
    return [(first + slot * position, first + slot * (position + 1)) for position in range(count)]


def flags_for(case: QueuedCase, meeting: MeetingSpec, moved_on: bool, settings: PlannerSettings) -> tuple[str, ...]:
    flags = []
    if case.tier == 4:
        flags.append("very-high-risk")
    if case.repeat:
        flags.append("repeat")
    if case.has_children:
        flags.append("children")
    if case.transfer_in:
        flags.append("transfer-in")
    if moved_on:
        flags.append("overflowed")
    if (meeting.starts_at.date() - case.received_on).days > settings.waiting_target_days:
        flags.append("waited-too-long")
    return tuple(flags)
