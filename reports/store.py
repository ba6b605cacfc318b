"""Queries for the data return and the partnership-effectiveness figures: counts grouped in the database."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import Row, Select, and_, case, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from access.models import Agency
from extensions import db, on_postgresql, utcnow
from meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingStatus,
    ResearchReturn,
)
from meetings.schedule import UK_TIME
from meetings.vocabulary import APPROVED_STATUSES
from reports.models import MeetingFigures, SubjectAccessItem, SubjectAccessRequest
from reports.vocabulary import RequestStatus

HELD_STATUSES = (
    MeetingStatus.IN_PROGRESS,
    MeetingStatus.MINUTES_DRAFT,
    MeetingStatus.MINUTES_APPROVED,
    MeetingStatus.DISTRIBUTED,
)


def uk_day_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """From the start of `first_day` to the start of the day after `last_day`, in UK time."""
    return datetime.combine(first_day, time(), UK_TIME), datetime.combine(last_day + timedelta(days=1), time(), UK_TIME)


def held_from(first_day: date, last_day: date, *columns) -> Select:
    """These columns of each meeting held from `first_day` to `last_day`, earliest first."""
    start, end = uk_day_bounds(first_day, last_day)
    return (
        select(*columns)
        .where(Meeting.status.in_(HELD_STATUSES), Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at, Meeting.id)
    )


def list_meetings_held(first_day: date, last_day: date) -> list[Row]:
    """The id and starts_at of each meeting held from `first_day` to `last_day`, earliest first: only what the
    counts need, as a force's quarter holds hundreds of meetings."""
    return list(db.session.execute(held_from(first_day, last_day, Meeting.id, Meeting.starts_at)))


def list_meetings_held_with_figures(first_day: date, last_day: date) -> list[Row]:
    """list_meetings_held, with each meeting's kept figures (`counts`, None where none were kept)."""
    query = held_from(first_day, last_day, Meeting.id, Meeting.starts_at, MeetingFigures.counts).outerjoin(
        MeetingFigures, MeetingFigures.meeting_id == Meeting.id
    )
    return list(db.session.execute(query))


def list_meetings_approved(first_day: date, last_day: date) -> list[Row]:
    """The id and starts_at of each meeting held from `first_day` to `last_day` whose minutes are approved."""
    query = held_from(first_day, last_day, Meeting.id, Meeting.starts_at).where(Meeting.status.in_(APPROVED_STATUSES))
    return list(db.session.execute(query))


def keep_meeting_figures(counts_by_meeting: dict[int, dict[str, int]]) -> None:
    """Keeps each meeting's row of the data return, replacing any kept before: in one statement for all of them (a
    force's quarter holds hundreds of meetings), so two coordinators counting a quarter again at once both succeed,
    the later one's rows kept."""
    if not counts_by_meeting:
        return
    insert = postgresql.insert if on_postgresql() else sqlite.insert
    kept_at = utcnow()
    statement = insert(MeetingFigures).values(
        [
            {"meeting_id": meeting_id, "counts": counts, "kept_at": kept_at}
            for meeting_id, counts in counts_by_meeting.items()
        ]
    )
    replaced = {"counts": statement.excluded.counts, "kept_at": statement.excluded.kept_at}
    db.session.execute(statement.on_conflict_do_update(index_elements=[MeetingFigures.meeting_id], set_=replaced))


def count_cases_heard(first_day: date, last_day: date) -> int:
    """The agenda items heard at meetings held from `first_day` to `last_day`: the data return's cases discussed
    over the period, without its other counts. Counted on the agenda alone, as every item names a referral,
    its case and the case's victim (columns that may not be empty)."""
    start, end = uk_day_bounds(first_day, last_day)
    query = (
        select(func.count())
        .select_from(AgendaItem)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.status.in_(HELD_STATUSES), Meeting.starts_at >= start, Meeting.starts_at < end)
        .where(AgendaItem.not_heard_at.is_(None))
    )
    return db.session.scalar(query)


def count_invitations_and_attendance(meeting_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Agency id -> (meetings it was invited to, those it had someone present at)."""
    present = exists().where(
        Attendance.meeting_id == Invitation.meeting_id,
        Attendance.agency_id == Invitation.agency_id,
        Attendance.status == AttendanceStatus.PRESENT,
    )
    query = (
        select(Invitation.agency_id, func.count(Invitation.id), func.sum(case((present, 1), else_=0)))
        .where(Invitation.meeting_id.in_(meeting_ids))
        .group_by(Invitation.agency_id)
    )
    return {agency_id: (invited, int(attended)) for agency_id, invited, attended in db.session.execute(query)}


def count_research_requests_and_returned_on_time(
    due_from: datetime, due_before: datetime
) -> dict[int, tuple[int, int]]:
    """Agency id -> (research requests due in the window, those returned by their deadline)."""
    on_time = and_(ResearchReturn.returned_at.is_not(None), ResearchReturn.returned_at <= ResearchReturn.due_at)
    query = (
        select(ResearchReturn.agency_id, func.count(ResearchReturn.id), func.sum(case((on_time, 1), else_=0)))
        .where(ResearchReturn.due_at >= due_from, ResearchReturn.due_at < due_before)
        .group_by(ResearchReturn.agency_id)
    )
    return {agency_id: (due, int(returned)) for agency_id, due, returned in db.session.execute(query)}


def count_actions_due(first_day: date, last_day: date) -> dict[int, tuple[int, int]]:
    """Owning agency id -> (actions due from `first_day` to `last_day`, those done by their due date); none are
    due when `last_day` is before `first_day`. Answered from the due-date index alone (ix_marac_action_due_on)."""
    done_on_time = and_(
        Action.status == ActionStatus.DONE, Action.completed_on.is_not(None), Action.completed_on <= Action.due_on
    )
    query = (
        select(Action.owner_agency_id, func.count(), func.sum(case((done_on_time, 1), else_=0)))
        .where(Action.due_on >= first_day, Action.due_on <= last_day)
        .group_by(Action.owner_agency_id)
    )
    return {agency_id: (int(due), int(done)) for agency_id, due, done in db.session.execute(query)}


def count_open_actions_due_before(day: date) -> dict[int, int]:
    """Owning agency id -> its open actions due before `day`, from the status index alone
    (ix_marac_action_status_due_on): at a force's scale there are tens of thousands."""
    query = (
        select(Action.owner_agency_id, func.count())
        .where(Action.status == ActionStatus.OPEN, Action.due_on < day)
        .group_by(Action.owner_agency_id)
    )
    return {agency_id: int(late) for agency_id, late in db.session.execute(query)}


def agency_names(agency_ids) -> dict[int, str]:
    query = select(Agency.id, Agency.name).where(Agency.id.in_(list(agency_ids)))
    return {key: value for key, value in db.session.execute(query)}


# Subject access requests (SECURITY D6)


def list_subject_access_requests() -> list[SubjectAccessRequest]:
    """Open requests first, the oldest received first: the one whose time runs out soonest leads."""
    query = select(SubjectAccessRequest).order_by(
        SubjectAccessRequest.status != RequestStatus.OPEN, SubjectAccessRequest.received_on, SubjectAccessRequest.id
    )
    return list(db.session.scalars(query))


def get_subject_access_request(request_id: int) -> SubjectAccessRequest | None:
    return db.session.get(SubjectAccessRequest, request_id)


def get_subject_access_item(request: SubjectAccessRequest, item_id: int) -> SubjectAccessItem | None:
    item = db.session.get(SubjectAccessItem, item_id)
    return item if item is not None and item.request_id == request.id else None


def add_subject_access_request(**fields) -> SubjectAccessRequest:
    request = SubjectAccessRequest(**fields)
    db.session.add(request)
    db.session.flush()
    return request


def add_subject_access_items(request: SubjectAccessRequest, items: list[SubjectAccessItem]) -> None:
    request.items.extend(items)
    db.session.flush()


def closed_subject_access_before(cutoff: datetime):
    return SubjectAccessRequest.status == RequestStatus.CLOSED, SubjectAccessRequest.closed_at < cutoff


def count_closed_subject_access_requests(cutoff: datetime) -> int:
    """Requests answered and closed before the cutoff: the subject-access retention rule's (D5)."""
    query = select(func.count()).select_from(SubjectAccessRequest).where(*closed_subject_access_before(cutoff))
    return db.session.scalar(query)


def delete_closed_subject_access_requests(cutoff: datetime) -> int:
    """Each such request with every item found for it (their sealed copies of case records go with them)."""
    old = select(SubjectAccessRequest.id).where(*closed_subject_access_before(cutoff))
    db.session.execute(delete(SubjectAccessItem).where(SubjectAccessItem.request_id.in_(old)))
    return db.session.execute(delete(SubjectAccessRequest).where(*closed_subject_access_before(cutoff))).rowcount


def clear_subject_access_items_of_case(case_id: str) -> None:
    """What items copied from an anonymised case said goes with it; the decision and exemption stay, so the
    request still shows what was decided (D5)."""
    db.session.execute(
        update(SubjectAccessItem)
        .where(SubjectAccessItem.case_id == case_id)
        .values(content="[]", redacted_text=None)
        .execution_options(synchronize_session=False)
    )
