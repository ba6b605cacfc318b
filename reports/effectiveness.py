"""Partnership effectiveness: evidence for the steering group that the multi-agency arrangement works.

Per agency: attendance at the meetings it was invited to, research returned by the deadline, actions
completed by their due date, and actions overdue now. Per meeting: cases heard against cases planned.
Research and actions count only once their deadline has passed, so that a quarter still under way is
not marked down for work that is not yet due.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from reports import store


@dataclass(frozen=True)
class Rate:
    count: int
    of: int

    @property
    def percent(self) -> int | None:
        """Rounded half up, so 2 of 8 is 25% and 5 of 8 is 63%."""
        if self.of == 0:
            return None
        return (200 * self.count + self.of) // (2 * self.of)

    def __str__(self) -> str:
        return "—" if self.of == 0 else f"{self.count} of {self.of} ({self.percent}%)"


@dataclass(frozen=True)
class AgencyEffectiveness:
    agency: str
    attendance: Rate
    research_on_time: Rate
    actions_on_time: Rate
    overdue_now: int


@dataclass(frozen=True)
class MeetingEffectiveness:
    meeting_id: int
    starts_at: datetime
    cases_heard: Rate


@dataclass(frozen=True)
class Effectiveness:
    first_day: date
    last_day: date
    deadlines_to: date
    today: date
    agencies: tuple[AgencyEffectiveness, ...]
    meetings: tuple[MeetingEffectiveness, ...]


def partnership_effectiveness(agenda: pd.DataFrame, first_day: date, last_day: date, today: date) -> Effectiveness:
    """Figures for the meetings held from `first_day` to `last_day`, as data_return.agenda_per_meeting counted
    them (the dashboard draws its charts from the same reading); research and actions whose deadline fell in
    that range before `today`; overdue actions as of `today`."""
    deadlines_to = min(last_day, today - timedelta(days=1))
    attendance = store.count_invitations_and_attendance(agenda["meeting_id"].tolist())
    research = research_counts(first_day, deadlines_to)
    actions = store.count_actions_due(first_day, deadlines_to)
    overdue = store.count_open_actions_due_before(today)
    names = store.agency_names(attendance.keys() | research.keys() | actions.keys() | overdue.keys())
    agencies = tuple(
        AgencyEffectiveness(
            agency=names[agency_id],
            attendance=rate(attendance.get(agency_id)),
            research_on_time=rate(research.get(agency_id)),
            actions_on_time=rate(actions.get(agency_id)),
            overdue_now=overdue.get(agency_id, 0),
        )
        for agency_id in sorted(names, key=lambda agency_id: names[agency_id].casefold())
    )
    return Effectiveness(first_day, last_day, deadlines_to, today, agencies, meeting_rows(agenda))


def research_counts(first_day: date, deadlines_to: date) -> dict[int, tuple[int, int]]:
    if deadlines_to < first_day:
        return {}
    due_from, due_before = store.uk_day_bounds(first_day, deadlines_to)
    return store.count_research_requests_and_returned_on_time(due_from, due_before)


def meeting_rows(agenda: pd.DataFrame) -> tuple[MeetingEffectiveness, ...]:
    return tuple(
        MeetingEffectiveness(int(meeting_id), starts_at, Rate(int(heard), int(planned)))
        for meeting_id, starts_at, planned, heard in agenda[
            ["meeting_id", "starts_at", "agenda_items", "heard_with_minutes"]
        ].itertuples(index=False)
    )


def rate(counts: tuple[int, int] | None) -> Rate:
    """(denominator, numerator) from the store as a Rate."""
    if counts is None:
        return Rate(0, 0)
    of, count = counts
    return Rate(count, of)
