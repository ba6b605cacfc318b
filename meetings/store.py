"""Every query the meetings package makes, as a named function."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from access.models import Agency, Role, User
from access.policy import MeetingScope
from access.request_memo import remembered
from cases.models import Case, CaseParty, ExcludedPerson, PartyRole, Person, Referral, ReferralState
from cases.vocabulary import NOT_REFERRED
from extensions import db, one_of, one_of_few, utcnow
from meetings.models import (
    Action,
    ActionEscalation,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Attendance,
    CaseMinutes,
    Invitation,
    Meeting,
    MeetingStatus,
    ResearchChase,
    ResearchReturn,
    Transfer,
)
from meetings.vocabulary import (
    ANY_UPCOMING_MEETING,
    NO_UPCOMING_MEETING,
    CaseFlag,
    CaseOutcome,
    CaseSort,
    QueueSort,
    RaisedWith,
)
from risk.models import Assessment, AssessmentStatus, Decision


def create_meeting(**fields) -> Meeting:
    meeting = Meeting(**fields)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def get_next_meeting() -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.starts_at >= utcnow()).order_by(Meeting.starts_at).limit(1))


OPEN_STATES = (ReferralState.RECEIVED, ReferralState.ACCEPTED)


@dataclass(frozen=True)
class QueueQuery:
    """What the referral queue asks for, as plain values: None (or empty) sets no limit."""

    reference: str | None = None
    victim_ids: tuple[str, ...] | None = None
    state: str | None = None
    criterion: str | None = None
    agency_id: int | None = None
    flags: frozenset[str] = frozenset()
    sort: QueueSort = QueueSort.WAITING_LONGEST


def criteria_include(code: str) -> ColumnElement[bool]:
    """The referral's criteria (a JSON list of codes) hold this code: the same test on SQLite and PostgreSQL."""
    return cast(Referral.criteria, String).contains(f'"{code}"', autoescape=True)


def open_referrals(query: QueueQuery, *, visible: ColumnElement[bool], hidden: set[str]) -> Select:
    """The open referrals of `visible` cases not `hidden`, narrowed by the query; selects nothing yet."""
    conditions = [Referral.state.in_(OPEN_STATES), visible]
    if hidden:
        conditions.append(Referral.case_id.not_in(sorted(hidden)))
    if query.reference:
        conditions.append(Case.reference == query.reference)
    if query.victim_ids is not None:
        conditions.append(one_of(Case.victim_id, query.victim_ids))
    if query.state:
        conditions.append(Referral.state == query.state)
    if query.criterion:
        conditions.append(criteria_include(query.criterion))
    if query.agency_id is not None:
        conditions.append(Referral.agency_id == query.agency_id)
    if "repeat" in query.flags:
        conditions.append(criteria_include("repeat"))
    if "children" in query.flags:
        conditions.append(exists().where(CaseParty.case_id == Referral.case_id, CaseParty.role == PartyRole.CHILD))
    # An outer join, though every referral has its case: the database then leaves the case table out when the
    # conditions ask nothing of it (the coordinator's and chair's queue, who see every case), where an inner join
    # read every case there is to count and page the open referrals.
    return select().select_from(Referral).outerjoin(Case, Case.id == Referral.case_id).where(*conditions)


def open_referral_case_ids(query: QueueQuery, *, visible: ColumnElement[bool]) -> Select:
    """The cases of every open referral the query finds, before exclusion lists: for matching those lists once."""
    return open_referrals(query, visible=visible, hidden=set()).add_columns(Referral.case_id)


def count_open_referrals(query: QueueQuery, *, visible: ColumnElement[bool], hidden: set[str]) -> int:
    found = open_referrals(query, visible=visible, hidden=hidden).add_columns(Referral.id)
    return db.session.scalar(select(func.count()).select_from(found.subquery()))


def page_of_open_referrals(
    query: QueueQuery, *, visible: ColumnElement[bool], hidden: set[str], offset: int, limit: int
) -> list[Referral]:
    """One page of the open referrals the query finds, in the order asked for (ties by id, so pages never overlap)."""
    orders = {
        QueueSort.WAITING_LONGEST: (Referral.received_at.asc(),),
        QueueSort.NEWEST: (Referral.received_at.desc(),),
        QueueSort.RISK: (Decision.tier.desc(), Referral.received_at.asc()),
    }
    page = open_referrals(query, visible=visible, hidden=hidden).add_columns(Referral)
    if query.sort is QueueSort.RISK:
        page = page.join(Decision, Decision.id == Referral.decision_id)
    page = page.order_by(*orders[query.sort], Referral.id).offset(offset).limit(limit)
    # What each row shows, read for the whole page: the case's victim and parties, the referring agency and
    # the decision's tier (risk.store.get_decision then finds it in the session). The cases are read by their
    # ids, not with the page, so that the page's statement asks nothing of the case table (open_referrals).
    case = selectinload(Referral.case)
    loads = (
        case.selectinload(Case.victim),
        case.selectinload(Case.parties),
        selectinload(Referral.agency),
        selectinload(Referral.decision),
    )
    return list(db.session.scalars(page.options(*loads)))


def get_referral(referral_id: str) -> Referral | None:
    return db.session.get(Referral, referral_id)


# Meetings, agendas and the running of a meeting.


def get_meeting(meeting_id: int) -> Meeting | None:
    return db.session.get(Meeting, meeting_id)


def list_meetings() -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).order_by(Meeting.starts_at.desc())))


def list_meetings_inviting(agency_id: int) -> list[Meeting]:
    invited = select(Invitation.meeting_id).where(Invitation.agency_id == agency_id)
    return list(db.session.scalars(select(Meeting).where(Meeting.id.in_(invited)).order_by(Meeting.starts_at.desc())))


def meeting_scope(meeting: Meeting, user: User) -> MeetingScope:
    return MeetingScope(chair_id=meeting.chair_id, agency_invited=is_invited(meeting, user.agency_id))


def is_invited(meeting: Meeting, agency_id: int) -> bool:
    """Read once per request (access.request_memo): a meeting page asks when it loads the meeting, and again
    for what it may offer."""
    query = select(Invitation.id).where(Invitation.meeting_id == meeting.id, Invitation.agency_id == agency_id)
    return remembered(("agency invited", meeting.id, agency_id), lambda: db.session.scalar(query) is not None)


def list_fillable_meetings(now) -> list[Meeting]:
    """Meetings still taking cases: planned, or list issued and not yet started."""
    fillable = (MeetingStatus.PLANNED, MeetingStatus.LIST_ISSUED)
    return list(
        db.session.scalars(
            select(Meeting).where(Meeting.status.in_(fillable), Meeting.starts_at >= now).order_by(Meeting.starts_at)
        )
    )


def get_previous_meeting(meeting: Meeting) -> Meeting | None:
    query = (
        select(Meeting)
        .where(Meeting.starts_at < meeting.starts_at, Meeting.area == meeting.area)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def list_agenda(meeting: Meeting) -> list[AgendaItem]:
    """With each item's referral, its agency, victim and decision, which every agenda shows: one statement, not four
    per case (each item has one of each, so they are joined to its row)."""
    return list(db.session.scalars(agenda_query(), {"meeting_id": meeting.id}))


@cache
def agenda_query() -> Select:
    """Built once: the agenda, the minutes page and every meeting document read it, and building and keying its
    four joined loads each time was about a fifth of reading it (issue 20)."""
    referral = joinedload(AgendaItem.referral)
    return (
        select(AgendaItem)
        .where(AgendaItem.meeting_id == bindparam("meeting_id"))
        .order_by(AgendaItem.position)
        .options(
            referral.joinedload(Referral.case).joinedload(Case.victim),
            referral.joinedload(Referral.decision),
            referral.joinedload(Referral.agency),
        )
    )


def count_agenda_items(meeting: Meeting) -> int:
    return db.session.scalar(select(func.count()).select_from(AgendaItem).where(AgendaItem.meeting_id == meeting.id))


def get_agenda_item(meeting: Meeting, item_id: int) -> AgendaItem | None:
    """With its referral, which names the case whose policy decides who sees the item."""
    query = select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id == meeting.id)
    return db.session.scalar(query.options(joinedload(AgendaItem.referral)))


def list_referrals_waiting_for_a_meeting() -> list[Referral]:
    # A cancelled meeting's cases wait again, and so does a case a meeting ended without hearing: their agenda
    # items stay only for the research already returned (and, for a case not heard, its history).
    on_an_agenda = (
        select(AgendaItem.referral_id)
        .join(Meeting)
        .where(Meeting.status != MeetingStatus.CANCELLED, AgendaItem.not_heard_at.is_(None))
    )
    query = (
        select(Referral)
        .where(Referral.state == ReferralState.ACCEPTED, Referral.id.not_in(on_an_agenda))
        .order_by(Referral.received_at)
    )
    return list(db.session.scalars(query))


def list_invitations(meeting: Meeting) -> list[Invitation]:
    """With each invited agency, which the pages name: not a statement per agency."""
    query = select(Invitation).where(Invitation.meeting_id == meeting.id).options(joinedload(Invitation.agency))
    return list(db.session.scalars(query))


def list_research_requests_for_meeting(meeting: Meeting) -> list[ResearchReturn]:
    query = select(ResearchReturn).join(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
    return list(db.session.scalars(query))


def list_research_chases(meeting: Meeting) -> list[ResearchChase]:
    """Every chase for the meeting's research, latest first."""
    query = (
        select(ResearchChase)
        .where(ResearchChase.meeting_id == meeting.id)
        .order_by(ResearchChase.chased_at.desc(), ResearchChase.id.desc())
    )
    return list(db.session.scalars(query))


def add_research_chase(meeting: Meeting, agency_id: int, user: User) -> ResearchChase:
    chase = ResearchChase(meeting_id=meeting.id, agency_id=agency_id, chased_by_id=user.id, chased_at=utcnow())
    db.session.add(chase)
    db.session.flush()
    return chase


def list_attendance(meeting: Meeting) -> list[Attendance]:
    return list(
        db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id).order_by(Attendance.id))
    )


def delete_attendance(meeting: Meeting) -> None:
    for row in list_attendance(meeting):
        db.session.delete(row)
    db.session.flush()


def representatives_by_agency(agency_ids: list[int]) -> dict[int, list[str]]:
    """The names of each agency's active representatives: who is likely to attend for it."""
    query = (
        select(User.agency_id, User.name)
        .where(User.agency_id.in_(agency_ids), User.role == Role.AGENCY_REP, User.active.is_(True))
        .order_by(User.name)
    )
    names: dict[int, list[str]] = {}
    for agency_id, name in db.session.execute(query):
        names.setdefault(agency_id, []).append(name)
    return names


def get_case_minutes(agenda_item_id: int) -> CaseMinutes | None:
    return db.session.scalar(select(CaseMinutes).where(CaseMinutes.agenda_item_id == agenda_item_id))


def case_minutes_by_item(agenda_item_ids: list[int]) -> dict[int, CaseMinutes]:
    """Agenda item id -> its saved minutes, for a whole agenda in one query."""
    query = select(CaseMinutes).where(CaseMinutes.agenda_item_id.in_(agenda_item_ids))
    return {minutes.agenda_item_id: minutes for minutes in db.session.scalars(query)}


def agenda_item_ids_with_outcome(meeting: Meeting) -> set[int]:
    query = (
        select(CaseMinutes.agenda_item_id)
        .join(AgendaItem, AgendaItem.id == CaseMinutes.agenda_item_id)
        .where(AgendaItem.meeting_id == meeting.id, CaseMinutes.outcome.is_not(None))
    )
    return set(db.session.scalars(query))


def list_outcomes(meeting: Meeting) -> dict[int, CaseOutcome]:
    """Each agenda item's recorded outcome, by the item's id."""
    query = (
        select(CaseMinutes.agenda_item_id, CaseMinutes.outcome)
        .join(AgendaItem, AgendaItem.id == CaseMinutes.agenda_item_id)
        .where(AgendaItem.meeting_id == meeting.id, CaseMinutes.outcome.is_not(None))
    )
    return {item_id: outcome for item_id, outcome in db.session.execute(query)}


def list_open_earlier_actions_for_case(case_id: str, meeting: Meeting) -> list[Action]:
    """The case's actions agreed at earlier meetings and still open: the chair reviews them with the case."""
    earlier = select(AgendaItem.id).join(Meeting).where(Meeting.starts_at < meeting.starts_at)
    query = (
        select(Action)
        .where(Action.case_id == case_id, Action.agenda_item_id.in_(earlier), Action.status == ActionStatus.OPEN)
        .order_by(Action.due_on, Action.id)
    )
    return list(db.session.scalars(query))


def list_actions_for_item(item: AgendaItem) -> list[Action]:
    return list(db.session.scalars(select(Action).where(Action.agenda_item_id == item.id).order_by(Action.id)))


def list_actions_by_item(agenda_item_ids: list[int]) -> dict[int, list[Action]]:
    """Agenda item id -> its actions in the order they were agreed, for a whole agenda in one query."""
    by_item: dict[int, list[Action]] = {item_id: [] for item_id in agenda_item_ids}
    query = select(Action).where(Action.agenda_item_id.in_(agenda_item_ids)).order_by(Action.id)
    for action in db.session.scalars(query):
        by_item[action.agenda_item_id].append(action)
    return by_item


def list_actions_to_review(meeting: Meeting) -> list[Action]:
    """Actions from earlier meetings still open, and those this meeting has already reviewed."""
    earlier = select(AgendaItem.id).join(Meeting).where(Meeting.starts_at < meeting.starts_at)
    query = (
        select(Action)
        .where(Action.agenda_item_id.in_(earlier))
        .where((Action.status == ActionStatus.OPEN) | (Action.reviewed_at_meeting_id == meeting.id))
        .order_by(Action.due_on, Action.id)
    )
    return list(db.session.scalars(query))


def list_cases_with_watch_ending(first_day, last_day) -> list[Case]:
    """Cases whose 12-month repeat watch ends on a day from `first_day` to `last_day`, both included."""
    query = (
        select(Case)
        .options(selectinload(Case.victim))
        .where(Case.repeat_watch_ends >= first_day, Case.repeat_watch_ends <= last_day)
        .order_by(Case.repeat_watch_ends, Case.id)
    )
    return list(db.session.scalars(query))


def list_active_chairs():
    return list(db.session.scalars(select(User).where(User.role == Role.CHAIR, User.active).order_by(User.name)))


def get_action(action_id: int) -> Action | None:
    """With what an action's pages read of it, in the same statement: the meeting that agreed it (its chair, for
    the policy), the case and victim its reference names, and the owning agency."""
    item = joinedload(Action.agenda_item)
    query = (
        select(Action)
        .where(Action.id == action_id)
        .options(
            item.joinedload(AgendaItem.meeting),
            item.joinedload(AgendaItem.referral).joinedload(Referral.case).joinedload(Case.victim),
            joinedload(Action.owner_agency),
        )
    )
    return db.session.scalar(query)


def tracker_rows(query, agency_id: int | None) -> list[tuple]:
    """(action with its owning agency, case with its victim, meeting that agreed it) rows for the action tracker."""
    query = (
        tracker_joins(query.add_columns(Case, Meeting))
        .join(Person, Case.victim_id == Person.id)
        .options(contains_eager(Case.victim), contains_eager(Action.owner_agency))
    )
    if agency_id is not None:
        query = query.where(Action.owner_agency_id == agency_id)
    return [tuple(row) for row in db.session.execute(query)]


def tracker_joins(query: Select) -> Select:
    return (
        query.join(Agency, Action.owner_agency_id == Agency.id)
        .join(AgendaItem, Action.agenda_item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .join(Case, Action.case_id == Case.id)
    )


@dataclass(frozen=True)
class TrackerFilters:
    """What the tracker's search and filters ask for; None means any."""

    agency_id: int | None = None
    status: ActionStatus | None = ActionStatus.OPEN
    words: tuple[str, ...] = ()
    """Each must be in the case reference or the description."""
    overdue_on: date | None = None
    """Only actions open and due before this day."""
    due_before: date | None = None


TRACKER_ORDER = {
    "due-latest": (Action.due_on.desc(),),
    "case": (Case.reference, Action.due_on),
    "newest": (Action.created_at.desc(),),
}


def tracker_conditions(filters: TrackerFilters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.agency_id is not None:
        conditions.append(Action.owner_agency_id == filters.agency_id)
    if filters.status is not None:
        conditions.append(Action.status == filters.status)
    for word in filters.words:
        word = word.lower()
        conditions.append(
            or_(
                func.lower(Action.description).contains(word, autoescape=True),
                func.lower(Case.reference).contains(word, autoescape=True),
            )
        )
    if filters.overdue_on is not None:
        conditions += [Action.status == ActionStatus.OPEN, Action.due_on < filters.overdue_on]
    if filters.due_before is not None:
        conditions.append(Action.due_on < filters.due_before)
    return conditions


def tracker_case_ids(filters: TrackerFilters) -> Select:
    """The cases of the actions these filters find: to ask which of them an exclusion list keeps from someone."""
    return tracker_joins(select(Action.case_id)).where(*tracker_conditions(filters))


def count_tracker_actions(filters: TrackerFilters, *, leaving_out_cases: set[str]) -> int:
    query = tracker_joins(select(func.count(Action.id))).where(*tracker_conditions(filters))
    if leaving_out_cases:
        query = query.where(Action.case_id.not_in(leaving_out_cases))
    return db.session.scalar(query)


def list_tracker_page(
    filters: TrackerFilters, *, sort: str, today: date, leaving_out_cases: set[str], offset: int, limit: int
) -> list[tuple]:
    """One page of the tracker, grouped by owning agency; within each, overdue first then by due date
    unless another sort is asked for."""
    overdue_first = case((and_(Action.status == ActionStatus.OPEN, Action.due_on < today), 0), else_=1)
    order = TRACKER_ORDER.get(sort, (overdue_first, Action.due_on))
    query = select(Action).where(*tracker_conditions(filters)).order_by(Agency.name, Agency.id, *order, Action.id)
    if leaving_out_cases:
        query = query.where(Action.case_id.not_in(leaving_out_cases))
    return tracker_rows(query.offset(offset).limit(limit), None)


def list_due_tracker_actions(*, agency_id: int, due_by: date) -> list[tuple]:
    """The agency's open actions due by `due_by` (overdue ones too), for its reminders panel."""
    query = (
        select(Action)
        .where(Action.status == ActionStatus.OPEN, Action.due_on <= due_by)
        .order_by(Action.due_on, Action.id)
    )
    return tracker_rows(query, agency_id)


# Overdue actions raised with the coordinators and the meeting's chair.


def list_actions_to_raise(raised_with: RaisedWith, *, due_before: date) -> list[tuple[Action, str, int | None]]:
    """(action, case reference, chair of its meeting) for open actions due before `due_before` and not
    yet raised with these people for their present due date; oldest due first."""
    raised = exists().where(
        ActionEscalation.action_id == Action.id,
        ActionEscalation.raised_with == raised_with,
        ActionEscalation.due_on == Action.due_on,
    )
    query = (
        tracker_joins(select(Action, Case.reference, Meeting.chair_id))
        .where(Action.status == ActionStatus.OPEN, Action.due_on < due_before, ~raised)
        .order_by(Action.due_on, Action.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def add_escalations(actions: list[Action], raised_with: RaisedWith) -> None:
    db.session.add_all(
        [ActionEscalation(action_id=action.id, raised_with=raised_with, due_on=action.due_on) for action in actions]
    )


def list_escalations(action_id: int) -> list[ActionEscalation]:
    query = select(ActionEscalation).where(ActionEscalation.action_id == action_id)
    return list(db.session.scalars(query.order_by(ActionEscalation.raised_at, ActionEscalation.id)))


def list_active_users_by_id(user_ids: list[int]) -> list[User]:
    query = select(User).where(User.id.in_(set(user_ids)), User.active.is_(True)).order_by(User.email)
    return list(db.session.scalars(query))


def list_open_actions_due_by(due_by, *, agency_id: int | None = None, not_reminded_on=None) -> list[Action]:
    """Open actions due on or before `due_by` (so overdue ones too), oldest due first; with
    `not_reminded_on`, only those not already reminded that day."""
    query = select(Action).where(Action.status == ActionStatus.OPEN, Action.due_on <= due_by)
    if agency_id is not None:
        query = query.where(Action.owner_agency_id == agency_id)
    if not_reminded_on is not None:
        query = query.where((Action.last_reminded_on.is_(None)) | (Action.last_reminded_on < not_reminded_on))
    return list(db.session.scalars(query.order_by(Action.owner_agency_id, Action.due_on, Action.id)))


def list_reminder_recipients(agency_id: int) -> list[User]:
    """The agency's active representatives."""
    query = (
        select(User)
        .where(User.agency_id == agency_id, User.role == Role.AGENCY_REP, User.active.is_(True))
        .order_by(User.email)
    )
    return list(db.session.scalars(query))


def mark_actions_reminded(action_ids: list[int], day) -> None:
    """A bulk update, so the reminder date does not bump the version a person editing the action holds."""
    db.session.execute(
        update(Action).where(Action.id.in_(action_ids)).values(last_reminded_on=day),
        execution_options={"synchronize_session": False},
    )


# Repeat watch and MARAC-to-MARAC transfers.


def list_cases_under_repeat_watch(today) -> list[Case]:
    query = (
        select(Case)
        .options(selectinload(Case.victim))
        .where(Case.repeat_watch_ends >= today)
        .order_by(Case.repeat_watch_ends, Case.id)
    )
    return list(db.session.scalars(query))


def latest_referrals_for_cases(case_ids: list[str]) -> dict[str, Referral]:
    """Each case's most recent referral, whatever its state."""
    query = (
        select(Referral)
        .options(selectinload(Referral.agency))
        .where(Referral.case_id.in_(case_ids))
        .order_by(Referral.received_at)
    )
    return {referral.case_id: referral for referral in db.session.scalars(query)}


def list_transfers_for_case(case_id: str) -> list[Transfer]:
    query = (
        select(Transfer).where(Transfer.case_id == case_id).order_by(Transfer.transferred_on.desc(), Transfer.id.desc())
    )
    return list(db.session.scalars(query))


def add_transfer(**fields) -> Transfer:
    transfer = Transfer(**fields)
    db.session.add(transfer)
    db.session.flush()
    return transfer


def list_referrals_not_yet_on_an_agenda(case_id: str) -> list[Referral]:
    query = select(Referral).where(
        Referral.case_id == case_id, Referral.state.in_((ReferralState.RECEIVED, ReferralState.ACCEPTED))
    )
    return list(db.session.scalars(query))


def transfer_in_areas(case_ids) -> dict[str, str]:
    """Case id -> the area its latest incoming transfer came from, for cases transferred in."""
    query = (
        select(Transfer.case_id, Transfer.other_area)
        .where(Transfer.case_id.in_(list(case_ids)), Transfer.incoming.is_(True))
        .order_by(Transfer.transferred_on, Transfer.id)
    )
    return {case_id: area for case_id, area in db.session.execute(query)}


# Research returns from invited agencies before the meeting.


def list_research_returns_for_item(agenda_item_id: int) -> list[ResearchReturn]:
    query = (
        select(ResearchReturn)
        .join(Agency, ResearchReturn.agency_id == Agency.id)
        .where(ResearchReturn.agenda_item_id == agenda_item_id)
        .order_by(Agency.name)
    )
    return list(db.session.scalars(query))


def get_research_return(return_id: int) -> ResearchReturn | None:
    return db.session.get(ResearchReturn, return_id)


def list_meetings_open_for_research(agency_id: int) -> list[Meeting]:
    """Meetings the agency is invited to whose MARAC list is out and not yet minuted, soonest first."""
    invited = select(Invitation.meeting_id).where(Invitation.agency_id == agency_id)
    open_statuses = (MeetingStatus.LIST_ISSUED, MeetingStatus.IN_PROGRESS)
    query = (
        select(Meeting)
        .where(Meeting.id.in_(invited), Meeting.status.in_(open_statuses))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(db.session.scalars(query))


def list_agency_research_returns(meeting_ids: list[int], agency_id: int) -> list[ResearchReturn]:
    query = (
        select(ResearchReturn)
        .join(AgendaItem)
        .where(AgendaItem.meeting_id.in_(meeting_ids), ResearchReturn.agency_id == agency_id)
    )
    return list(db.session.scalars(query))


def list_closed_tracker_actions(*, agency_id: int | None, closed_since, limit: int = 200) -> list[tuple]:
    """Actions closed (done, not possible, not done) and last changed since `closed_since`, latest first."""
    query = (
        select(Action)
        .where(Action.status != ActionStatus.OPEN, Action.updated_at >= closed_since)
        .order_by(Action.updated_at.desc(), Action.id.desc())
        .limit(limit)
    )
    return tracker_rows(query, agency_id)


# The meeting documents: action plans and a case's history for its transfer pack.


def list_actions_for_meeting(meeting: Meeting, agency_id: int | None = None) -> list[Action]:
    """The meeting's actions in agenda order; only one agency's when `agency_id` is given."""
    query = (
        select(Action)
        .join(AgendaItem, Action.agenda_item_id == AgendaItem.id)
        .where(AgendaItem.meeting_id == meeting.id)
    )
    if agency_id is not None:
        query = query.where(Action.owner_agency_id == agency_id)
    return list(db.session.scalars(query.order_by(AgendaItem.position, Action.id)))


def action_owners_by_meeting(meeting_ids: list[int]) -> dict[int, list[Agency]]:
    """Meeting id -> the agencies owning at least one of its actions, by name."""
    query = (
        select(AgendaItem.meeting_id, Agency)
        .distinct()
        .join(Action, Action.agenda_item_id == AgendaItem.id)
        .join(Agency, Action.owner_agency_id == Agency.id)
        .where(AgendaItem.meeting_id.in_(meeting_ids))
        .order_by(Agency.name)
    )
    owners: dict[int, list[Agency]] = {}
    for meeting_id, agency in db.session.execute(query):
        owners.setdefault(meeting_id, []).append(agency)
    return owners


def list_meetings_with_actions_for(agency_id: int) -> list[Meeting]:
    owning = (
        select(AgendaItem.meeting_id)
        .join(Action, Action.agenda_item_id == AgendaItem.id)
        .where(Action.owner_agency_id == agency_id)
    )
    return list(db.session.scalars(select(Meeting).where(Meeting.id.in_(owning)).order_by(Meeting.starts_at.desc())))


def list_agenda_items_for_case(case_id: str) -> list[AgendaItem]:
    """Every time the case was on an agenda, earliest meeting first."""
    query = (
        select(AgendaItem)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Referral.case_id == case_id)
        .order_by(Meeting.starts_at, AgendaItem.id)
    )
    return list(db.session.scalars(query))


def list_earlier_actions_by_case(case_ids: list[str], *, before: datetime) -> dict[str, list[Action]]:
    """The actions agreed on these cases at meetings before `before`, by case, in due order: one query."""
    query = (
        select(Action)
        .join(AgendaItem, Action.agenda_item_id == AgendaItem.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Action.case_id.in_(case_ids), Meeting.starts_at < before)
        .order_by(Action.due_on, Action.id)
    )
    found: dict[str, list[Action]] = {}
    for action in db.session.scalars(query):
        found.setdefault(action.case_id, []).append(action)
    return found


def list_actions_for_case(case_id: str) -> list[Action]:
    return list(db.session.scalars(select(Action).where(Action.case_id == case_id).order_by(Action.due_on, Action.id)))


# Exclusion lists against the people who read a meeting's cases.


def list_exclusions_on_agendas(meeting_ids: list[int]) -> list[tuple[int, ExcludedPerson]]:
    """(meeting id, excluded person) for every case on those meetings' agendas."""
    query = (
        select(AgendaItem.meeting_id, ExcludedPerson)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(ExcludedPerson, ExcludedPerson.case_id == Referral.case_id)
        .where(AgendaItem.meeting_id.in_(meeting_ids))
        .order_by(AgendaItem.meeting_id, AgendaItem.position, ExcludedPerson.id)
    )
    return [(meeting_id, excluded) for meeting_id, excluded in db.session.execute(query)]


# A person across her cases: the cases naming her and each one's MARAC history.


def get_person(person_id: str) -> Person | None:
    return db.session.get(Person, person_id)


def list_cases_naming(person_id: str) -> list[tuple[Case, Agency, PartyRole | None]]:
    """Every case naming the person, oldest first: the case, the agency that opened it, and her part on
    it as a party (None where she is its victim). A victim only proposed for a case, not confirmed, is not named."""
    query = (
        select(Case, Agency, CaseParty.role)
        .join(Agency, Case.created_by_agency_id == Agency.id)
        .outerjoin(CaseParty, and_(CaseParty.case_id == Case.id, CaseParty.person_id == person_id))
        .where(or_(Case.victim_id == person_id, CaseParty.id.is_not(None)))
        .order_by(Case.created_at, Case.id)
    )
    return [(case, agency, role) for case, agency, role in db.session.execute(query)]


def list_cases_naming_each(person_ids: list[str]) -> dict[str, list[tuple[Case, Agency, PartyRole | None]]]:
    """list_cases_naming for many people in one query: for each person id, the cases naming her."""
    ids = list(person_ids)
    if not ids:
        return {}
    named = select(Case.id.label("case_id"), Case.victim_id.label("person_id"), literal(None).label("role")).where(
        Case.victim_id.in_(ids)
    )
    as_party = select(CaseParty.case_id, CaseParty.person_id, CaseParty.role).where(CaseParty.person_id.in_(ids))
    naming = union_all(named, as_party).subquery()
    query = (
        select(naming.c.person_id, Case, Agency, naming.c.role)
        .join(Case, Case.id == naming.c.case_id)
        .join(Agency, Case.created_by_agency_id == Agency.id)
        .order_by(Case.created_at, Case.id)
    )
    parts: dict[str, dict[str, tuple]] = {person_id: {} for person_id in ids}
    for person_id, named_case, agency, role in db.session.execute(query):
        # Named twice on one case (her victim and a party) is one case, with her part as a party, as above.
        if role or named_case.id not in parts[person_id]:
            parts[person_id][named_case.id] = (named_case, agency, PartyRole(role) if role else None)
    return {person_id: list(cases.values()) for person_id, cases in parts.items()}


def list_hearings(case_ids: list[str]) -> list[Row]:
    """Every time these cases were on the agenda of a MARAC not cancelled, earliest meeting first: case_id,
    starts_at, meeting_status, not_heard_at, criteria (the referral's), flags (the agenda's) and outcome
    (the minutes')."""
    query = (
        select(
            Referral.case_id,
            Meeting.starts_at,
            Meeting.status.label("meeting_status"),
            AgendaItem.not_heard_at,
            Referral.criteria,
            AgendaItem.flags,
            CaseMinutes.outcome,
        )
        .join(AgendaItem, AgendaItem.referral_id == Referral.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .outerjoin(CaseMinutes, CaseMinutes.agenda_item_id == AgendaItem.id)
        .where(Referral.case_id.in_(case_ids), Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at, AgendaItem.id)
    )
    return list(db.session.execute(query))


def list_transfers_for_cases(case_ids: list[str]) -> list[Transfer]:
    query = select(Transfer).where(Transfer.case_id.in_(case_ids)).order_by(Transfer.transferred_on, Transfer.id)
    return list(db.session.scalars(query))


# The home page's to-do lists.


def get_next_meeting_chaired_by(user_id: int, *, since: datetime) -> Meeting | None:
    """The chair's meeting running now, or the first to come from `since` (the start of today, so that
    a meeting stays "next" all its day) that is not cancelled."""
    coming = (Meeting.starts_at >= since) & Meeting.status.in_(
        [MeetingStatus.PLANNED, MeetingStatus.LIST_ISSUED, MeetingStatus.IN_PROGRESS]
    )
    query = select(Meeting).where(Meeting.chair_id == user_id, coming | (Meeting.status == MeetingStatus.IN_PROGRESS))
    return db.session.scalar(query.order_by(Meeting.starts_at).limit(1))


def list_meetings_in_status(status: MeetingStatus, *, chair_id: int | None = None) -> list[Meeting]:
    """Meetings at this step, oldest first; only those the chair chairs when `chair_id` is given."""
    query = select(Meeting).where(Meeting.status == status)
    if chair_id is not None:
        query = query.where(Meeting.chair_id == chair_id)
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id)))


def list_draft_assessments_by(assessor_id: int) -> list[Row]:
    """The assessor's unfinished assessments, latest changed first: assessment_id, case_id, tool_id,
    started_on and the victim's given_name and family_name."""
    query = (
        select(
            Assessment.id.label("assessment_id"),
            Assessment.case_id,
            Assessment.tool_id,
            Assessment.assessed_on.label("started_on"),
            Person.given_name,
            Person.family_name,
        )
        .join(Case, Assessment.case_id == Case.id)
        .join(Person, Case.victim_id == Person.id)
        .where(Assessment.assessor_id == assessor_id, Assessment.status == AssessmentStatus.DRAFT)
        .order_by(Assessment.updated_at.desc(), Assessment.id)
    )
    return list(db.session.execute(query))


def list_referrals_waiting_for_triage(*, referrer_id: int | None = None) -> list[Row]:
    """Referrals the coordinator has not yet accepted or declined, oldest first (only the referrer's when
    `referrer_id` is given): case_id, received_at and the victim's given_name and family_name."""
    query = (
        select(Referral.case_id, Referral.received_at, Person.given_name, Person.family_name)
        .join(Case, Referral.case_id == Case.id)
        .join(Person, Case.victim_id == Person.id)
        .where(Referral.state == ReferralState.RECEIVED)
    )
    if referrer_id is not None:
        query = query.where(Referral.referrer_id == referrer_id)
    return list(db.session.execute(query.order_by(Referral.received_at, Referral.id)))


def list_outstanding_research(*, agency_id: int | None = None) -> list[Row]:
    """Research not yet returned for meetings whose MARAC list is out and not yet minuted (only one agency's
    when `agency_id` is given): agency_id, due_at, case_id, meeting_id and starts_at (the meeting's)."""
    query = (
        select(
            ResearchReturn.agency_id,
            ResearchReturn.due_at,
            Referral.case_id,
            Meeting.id.label("meeting_id"),
            Meeting.starts_at,
        )
        .join(AgendaItem, ResearchReturn.agenda_item_id == AgendaItem.id)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(
            ResearchReturn.returned_at.is_(None),
            Meeting.status.in_((MeetingStatus.LIST_ISSUED, MeetingStatus.IN_PROGRESS)),
        )
    )
    if agency_id is not None:
        query = query.where(ResearchReturn.agency_id == agency_id)
    return list(db.session.execute(query.order_by(Meeting.starts_at, Meeting.id)))


# A case's part in the meeting cycle, for its history and the panel of where it stands: each read in
# one query, however many meetings and actions the case has.


def list_case_hearings(case_id: str) -> list[tuple[AgendaItem, Meeting, CaseMinutes | None]]:
    """Every time the case was on an agenda, earliest meeting first, with the meeting and any minutes."""
    query = (
        select(AgendaItem, Meeting, CaseMinutes)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .outerjoin(CaseMinutes, CaseMinutes.agenda_item_id == AgendaItem.id)
        .where(Referral.case_id == case_id)
        .order_by(Meeting.starts_at, AgendaItem.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def meeting_ids_inviting(agency_id: int, meeting_ids: list[int]) -> set[int]:
    """Of these meetings, the ones the agency is invited to."""
    query = select(Invitation.meeting_id).where(
        Invitation.agency_id == agency_id, Invitation.meeting_id.in_(meeting_ids)
    )
    return set(db.session.scalars(query))


def list_actions_with_updates(case_id: str) -> list[Action]:
    """The case's actions with their owners, the meeting that agreed each, and every update: two statements (an
    action's owner and meeting, and an update's agency and meeting, are one each, so joined to its row)."""
    updates = selectinload(Action.updates)
    query = (
        select(Action)
        .where(Action.case_id == case_id)
        .options(
            joinedload(Action.owner_agency),
            joinedload(Action.agenda_item).joinedload(AgendaItem.meeting),
            updates.joinedload(ActionUpdate.agency),
            updates.joinedload(ActionUpdate.reviewed_at_meeting),
        )
        .order_by(Action.created_at, Action.id)
    )
    return list(db.session.scalars(query))


def list_open_action_owners_and_dates(case_id: str) -> list[tuple[int, date]]:
    """(owning agency id, due date) of each of the case's open actions."""
    query = select(Action.owner_agency_id, Action.due_on).where(
        Action.case_id == case_id, Action.status == ActionStatus.OPEN
    )
    return [tuple(row) for row in db.session.execute(query)]


def next_meeting_for_case(case_id: str, now) -> Meeting | None:
    """The first meeting from now whose agenda has the case on it."""
    query = (
        select(Meeting)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .where(Referral.case_id == case_id, Meeting.starts_at >= now)
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )
    return db.session.scalar(query)


# Finding a case: search, filters, sort and pages over the cases a user may see, in a few set-based queries.


@dataclass(frozen=True)
class CaseQuery:
    """What the find-a-case page asks for, as plain values: None (or empty) sets no limit."""

    victim_ids: tuple[str, ...] | None = None
    date_of_birth: date | None = None
    postcode: str | None = None
    """A whole postcode, written without spaces."""
    postcode_district: str | None = None
    """Only the first half of a postcode (its outward code), like RV1."""
    reference: str | None = None
    referral_state: str | None = None
    meeting: str | None = None
    """ANY_UPCOMING_MEETING, NO_UPCOMING_MEETING or a meeting's id."""
    referring_agency_id: int | None = None
    flags: frozenset[CaseFlag] = frozenset()
    sort: CaseSort = CaseSort.NEWEST


@dataclass(frozen=True)
class FoundCaseRow:
    case_id: str
    reference: str
    opened_at: datetime
    given_name: str
    family_name: str
    date_of_birth: date | None
    postcode: str | None
    referral_state: ReferralState | None
    referring_agency: str | None
    next_meeting: datetime | None
    repeat: bool
    has_children: bool
    overdue_actions: bool


def latest_referrals(case_ids: list[str] | None = None):
    """Each case's latest referral (state, agency, criteria), as a subquery; of these cases only, if given."""
    newest_first = func.row_number().over(
        partition_by=Referral.case_id, order_by=(Referral.received_at.desc(), Referral.id)
    )
    ranked = select(
        Referral.case_id, Referral.state, Referral.agency_id, Referral.criteria, newest_first.label("newest")
    )
    if case_ids is not None:
        ranked = ranked.where(Referral.case_id.in_(case_ids))
    ranked = ranked.subquery()
    return select(ranked).where(ranked.c.newest == 1).subquery("latest_referral")


def next_meetings(since: datetime, case_ids: list[str] | None = None):
    """For each case on the agenda of a meeting starting at or after `since`, the soonest such start; of these
    cases only, if given."""
    query = (
        select(Referral.case_id, func.min(Meeting.starts_at).label("starts_at"))
        .join(AgendaItem, AgendaItem.referral_id == Referral.id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.starts_at >= since)
        .group_by(Referral.case_id)
    )
    if case_ids is not None:
        query = query.where(Referral.case_id.in_(case_ids))
    return query.subquery("next_meeting")


@dataclass(frozen=True)
class CaseFinder:
    """The query's parts: each case's latest referral and next meeting, its flags, and the conditions."""

    latest: Subquery
    upcoming: Subquery
    repeat: ColumnElement[bool]
    has_children: ColumnElement[bool]
    overdue: ColumnElement[bool]
    conditions: tuple[ColumnElement[bool], ...]
    asks_latest: bool = True
    asks_upcoming: bool = True
    """Whether the conditions look at the latest referral or the next meeting: the ids and the count of the
    cases found need those outer joins only then (each ranks every referral or agenda item there is)."""

    def select(self, *columns) -> Select:
        return (
            select(*columns)
            .select_from(Case)
            .join(Person, Person.id == Case.victim_id)
            .outerjoin(self.latest, self.latest.c.case_id == Case.id)
            .outerjoin(self.upcoming, self.upcoming.c.case_id == Case.id)
            .outerjoin(Agency, Agency.id == self.latest.c.agency_id)
            .where(*self.conditions)
        )

    def select_ids(self, *, with_upcoming: bool = False) -> Select:
        """The ids of the cases found, with only the joins the conditions (or an order by the next meeting) need."""
        query = select(Case.id).select_from(Case).join(Person, Person.id == Case.victim_id)
        if self.asks_latest:
            query = query.outerjoin(self.latest, self.latest.c.case_id == Case.id)
        if self.asks_upcoming or with_upcoming:
            query = query.outerjoin(self.upcoming, self.upcoming.c.case_id == Case.id)
        return query.where(*self.conditions)

    def of_cases(self, case_ids: list[str], since: datetime) -> "CaseFinder":
        """These cases (found already) with their latest referral and next meeting worked out for them alone."""
        latest = latest_referrals(case_ids)
        return replace(
            self,
            latest=latest,
            upcoming=next_meetings(since, case_ids),
            repeat=repeated(latest),
            conditions=(Case.id.in_(case_ids),),
        )


def case_finder(query: CaseQuery, *, visible, hidden: set[str], today: date, since: datetime) -> CaseFinder:
    """The cases that are `visible` and not `hidden`, narrowed by the query."""
    latest, upcoming = latest_referrals(), next_meetings(since)
    repeat = repeated(latest)
    has_children = exists().where(CaseParty.case_id == Case.id, CaseParty.role == PartyRole.CHILD)
    overdue = exists().where(Action.case_id == Case.id, Action.status == ActionStatus.OPEN, Action.due_on < today)
    conditions = [visible]
    if hidden:
        conditions.append(Case.id.not_in(sorted(hidden)))
    if query.victim_ids is not None:
        conditions.append(one_of_few(Case.victim_id, query.victim_ids))
    if query.date_of_birth is not None:
        conditions.append(Person.date_of_birth == query.date_of_birth)
    compact_postcode = func.replace(func.upper(Person.postcode), " ", "")
    if query.postcode:
        conditions.append(compact_postcode == query.postcode)
    if query.postcode_district:
        # The second half of a postcode is always three characters: RV1 is not the district of RV12 3AB.
        conditions.append(compact_postcode.like(query.postcode_district + "___"))
    if query.reference:
        conditions.append(Case.reference == query.reference)
    if query.referral_state == NOT_REFERRED:
        conditions.append(latest.c.state.is_(None))
    elif query.referral_state:
        conditions.append(latest.c.state == query.referral_state)
    if query.meeting == ANY_UPCOMING_MEETING:
        conditions.append(upcoming.c.starts_at.is_not(None))
    elif query.meeting == NO_UPCOMING_MEETING:
        conditions.append(upcoming.c.starts_at.is_(None))
    elif query.meeting:
        on_agenda = select(Referral.case_id).join(AgendaItem, AgendaItem.referral_id == Referral.id)
        conditions.append(Case.id.in_(on_agenda.where(AgendaItem.meeting_id == int(query.meeting))))
    if query.referring_agency_id is not None:
        conditions.append(latest.c.agency_id == query.referring_agency_id)
    by_flag = {CaseFlag.REPEAT: repeat, CaseFlag.CHILDREN: has_children, CaseFlag.OVERDUE_ACTIONS: overdue}
    conditions += [by_flag[flag] for flag in sorted(query.flags)]
    asks_latest = bool(query.referral_state) or query.referring_agency_id is not None or CaseFlag.REPEAT in query.flags
    asks_upcoming = query.meeting in (ANY_UPCOMING_MEETING, NO_UPCOMING_MEETING)
    return CaseFinder(latest, upcoming, repeat, has_children, overdue, tuple(conditions), asks_latest, asks_upcoming)


def repeated(latest) -> ColumnElement[bool]:
    """The latest referral met the repeat criterion."""
    return cast(latest.c.criteria, String).like('%"repeat"%')


def case_ids_found(query: CaseQuery, *, visible, today: date, since: datetime) -> Select:
    """The ids of every case the query finds, before exclusion lists: for matching those lists once."""
    return case_finder(query, visible=visible, hidden=set(), today=today, since=since).select_ids()


def count_found_cases(query: CaseQuery, *, visible, hidden: set[str], today: date, since: datetime) -> int:
    found = case_finder(query, visible=visible, hidden=hidden, today=today, since=since).select_ids()
    return db.session.scalar(select(func.count()).select_from(found.subquery()))


def page_of_found_cases(
    query: CaseQuery, *, visible, hidden: set[str], today: date, since: datetime, offset: int, limit: int
) -> list[FoundCaseRow]:
    """One page of the cases the query finds, in the order asked for: first the page's case ids, then what each
    row shows for those cases alone (each case's latest referral and next meeting, worked out for every case
    there is, took most of the time of a search that finds one case)."""
    finder = case_finder(query, visible=visible, hidden=hidden, today=today, since=since)
    by_next_meeting = query.sort is CaseSort.NEXT_MEETING
    ids = finder.select_ids(with_upcoming=by_next_meeting).order_by(*case_order(finder, query.sort), Case.id)
    page_ids = list(db.session.scalars(ids.offset(offset).limit(limit)))
    shown = finder.of_cases(page_ids, since)
    page = shown.select(
        Case.id,
        Case.reference,
        Case.created_at,
        Person.given_name,
        Person.family_name,
        Person.date_of_birth,
        Person.postcode,
        shown.latest.c.state,
        Agency.name,
        shown.upcoming.c.starts_at,
        shown.repeat,
        shown.has_children,
        shown.overdue,
    )
    rows = db.session.execute(page.order_by(*case_order(shown, query.sort), Case.id))
    return [found_case_row(row) for row in rows]


def case_order(finder: CaseFinder, sort: CaseSort) -> tuple:
    return {
        CaseSort.NEWEST: (Case.created_at.desc(),),
        CaseSort.OLDEST: (Case.created_at.asc(),),
        CaseSort.NAME: (func.lower(Person.family_name), func.lower(Person.given_name), Case.created_at.desc()),
        CaseSort.NEXT_MEETING: (finder.upcoming.c.starts_at.asc().nulls_last(), Case.created_at.desc()),
    }[sort]


def found_case_row(row) -> FoundCaseRow:
    (case_id, reference, opened_at, given, family, born, postcode, state, agency, meeting, *flags) = row
    return FoundCaseRow(
        case_id=case_id,
        reference=reference,
        opened_at=opened_at,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        postcode=postcode,
        referral_state=ReferralState(state) if state else None,
        referring_agency=agency,
        next_meeting=meeting,
        repeat=bool(flags[0]),
        has_children=bool(flags[1]),
        overdue_actions=bool(flags[2]),
    )


def list_upcoming_meetings(since: datetime) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.starts_at >= since).order_by(Meeting.starts_at)))


def audit_objects_of_case(case_id: str) -> dict[str, list[str]]:
    """What the audit trail records about a case's meeting work under its own ids: its actions, its
    minutes and the agencies' research on it, as audit object ids by type."""
    items = (
        select(AgendaItem.id).join(Referral, Referral.id == AgendaItem.referral_id).where(Referral.case_id == case_id)
    )
    found = {
        "action": select(Action.id).where(Action.case_id == case_id),
        "case-minutes": select(CaseMinutes.id).where(CaseMinutes.agenda_item_id.in_(items)),
        "research-return": select(ResearchReturn.id).where(ResearchReturn.agenda_item_id.in_(items)),
    }
    return {
        object_type: [str(object_id) for object_id in db.session.scalars(query)] for object_type, query in found.items()
    }
