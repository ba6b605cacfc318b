"""The home page as a to-do list for each role: what is waiting for this user now, counted over only
what the policy lets them see, so a case kept from them is neither listed nor counted."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from access import policy
from access.models import Role, User
from access.policy import ResearchReturnScope
from cases import store as cases_store
from cases.models import Case
from meetings import actions, schedule, store
from meetings.models import Meeting, MeetingStatus

RECENT_CASES_SHOWN = 10


@dataclass(frozen=True)
class DraftToCarryOn:
    assessment_id: str
    case_id: str
    victim_name: str
    tool_id: str
    started_on: date


@dataclass(frozen=True)
class ReferralWaiting:
    case_id: str
    victim_name: str
    sent_at: datetime


@dataclass(frozen=True)
class MeetingCount:
    meeting_id: int
    starts_at: datetime
    count: int


class ToDoList:
    section = ""
    """Which part of the home page shows it."""

    @property
    def case_ids(self) -> list[str]:
        """The cases the list names, each recorded in the audit trail as listed."""
        return []


@dataclass(frozen=True)
class PractitionerToDo(ToDoList):
    section = "practitioner"
    drafts: tuple[DraftToCarryOn, ...]
    referrals_waiting: tuple[ReferralWaiting, ...]

    @property
    def case_ids(self) -> list[str]:
        return [item.case_id for item in [*self.drafts, *self.referrals_waiting]]

    @property
    def anything(self) -> bool:
        return bool(self.drafts or self.referrals_waiting)


@dataclass(frozen=True)
class CoordinatorToDo(ToDoList):
    section = "coordinator"
    referrals_to_triage: int
    research_overdue: tuple[MeetingCount, ...]
    actions_overdue: int
    minutes_to_distribute: tuple[Meeting, ...]

    @property
    def anything(self) -> bool:
        return bool(
            self.referrals_to_triage or self.research_overdue or self.actions_overdue or self.minutes_to_distribute
        )


@dataclass(frozen=True)
class ChairToDo(ToDoList):
    section = "chair"
    next_meeting: Meeting | None
    minutes_to_approve: tuple[Meeting, ...]

    @property
    def anything(self) -> bool:
        return bool(self.next_meeting or self.minutes_to_approve)

    @property
    def next_meeting_runs_now(self) -> bool:
        return self.next_meeting is not None and schedule.can_be_run_now(self.next_meeting)


@dataclass(frozen=True)
class AgencyToDo(ToDoList):
    section = "agency"
    research_due: int
    research_overdue: int
    actions_overdue: int
    actions_due_soon: int
    due_soon_days: int

    @property
    def anything(self) -> bool:
        return bool(self.research_due or self.actions_overdue or self.actions_due_soon)


def to_do_for(user: User, today: date, now: datetime) -> ToDoList | None:
    """What is waiting for this user, by their role; None for a role with no to-do list."""
    make = {
        Role.PRACTITIONER: practitioner_to_do,
        Role.COORDINATOR: coordinator_to_do,
        Role.CHAIR: chair_to_do,
        Role.AGENCY_REP: agency_to_do,
    }.get(user.role)
    return make(user, today, now) if make else None


def recent_cases(user: User) -> list[Case]:
    return cases_store.list_cases_for(user, limit=RECENT_CASES_SHOWN)


def full_name(row) -> str:
    return f"{row.given_name} {row.family_name}"


def practitioner_to_do(user: User, today: date, now: datetime) -> PractitionerToDo:
    drafts = store.list_draft_assessments_by(user.id)
    waiting = store.list_referrals_waiting_for_triage(referrer_id=user.id)
    scopes = cases_store.case_scopes(user, list({row.case_id for row in [*drafts, *waiting]}))
    return PractitionerToDo(
        # A draft is carried on only by someone who may still change its case.
        drafts=tuple(
            DraftToCarryOn(row.assessment_id, row.case_id, full_name(row), row.tool_id, row.started_on)
            for row in drafts
            if policy.may_change_case(user, scopes[row.case_id])
        ),
        referrals_waiting=tuple(
            ReferralWaiting(row.case_id, full_name(row), row.received_at)
            for row in waiting
            if policy.may_view_case(user, scopes[row.case_id])
        ),
    )


def coordinator_to_do(user: User, today: date, now: datetime) -> CoordinatorToDo:
    waiting = store.list_referrals_waiting_for_triage()
    research = [row for row in store.list_outstanding_research() if row.due_at < now]
    visible = cases_store.cases_visible_to(user, [row.case_id for row in [*waiting, *research]])
    return CoordinatorToDo(
        referrals_to_triage=sum(row.case_id in visible for row in waiting),
        research_overdue=by_meeting([row for row in research if row.case_id in visible]),
        actions_overdue=len(visible_actions_due_by(user, today - timedelta(days=1))),
        minutes_to_distribute=tuple(store.list_meetings_in_status(MeetingStatus.MINUTES_APPROVED)),
    )


def chair_to_do(user: User, today: date, now: datetime) -> ChairToDo:
    return ChairToDo(
        next_meeting=store.get_next_meeting_chaired_by(user.id, since=schedule.start_of_uk_day(today)),
        minutes_to_approve=tuple(store.list_meetings_in_status(MeetingStatus.MINUTES_DRAFT, chair_id=user.id)),
    )


def agency_to_do(user: User, today: date, now: datetime) -> AgencyToDo:
    research = store.list_outstanding_research(agency_id=user.agency_id)
    excluded = cases_store.cases_excluding(user, list({row.case_id for row in research}))
    research = [
        row
        for row in research
        if policy.may_view_research_return(
            user,
            ResearchReturnScope(
                agency_id=row.agency_id, list_issued=True, open_for_research=True, excluded=row.case_id in excluded
            ),
        )
    ]
    window = actions.reminder_window_days()
    due = visible_actions_due_by(user, today + timedelta(days=window))
    overdue = sum(action.due_on < today for action in due)
    return AgencyToDo(
        research_due=len(research),
        research_overdue=sum(row.due_at < now for row in research),
        actions_overdue=overdue,
        actions_due_soon=len(due) - overdue,
        due_soon_days=window,
    )


def visible_actions_due_by(user: User, due_by: date) -> list:
    """Open actions due by then that the user may see: their own agency's unless they see every agency's."""
    agency_id = user.agency_id if user.role in policy.AGENCY_SCOPED_ROLES else None
    due = store.list_open_actions_due_by(due_by, agency_id=agency_id)
    excluded = cases_store.cases_excluding(user, list({action.case_id for action in due}))
    return [action for action in due if policy.may_view_action(user, actions.action_scope(action, excluded))]


def by_meeting(rows) -> tuple[MeetingCount, ...]:
    """Rows counted by their meeting, in the order the rows come in."""
    counts = Counter((row.meeting_id, row.starts_at) for row in rows)
    return tuple(MeetingCount(meeting_id, starts_at, count) for (meeting_id, starts_at), count in counts.items())
