"""Retention of the meetings package's own tables (SECURITY D5): when each case was last heard at a MARAC,
the age figures the data return needs kept before dates of birth are removed, and what anonymising a case
removes from research returns, minutes, actions and transfers. Meetings, agenda items, outcomes, action
dates and states stay: the data return and the partnership-effectiveness figures count them."""

from datetime import date, datetime

from sqlalchemy import func, select, update

from cases.models import Case, CaseParty, PartyRole, Person, Referral
from extensions import db
from meetings.models import (
    Action,
    ActionUpdate,
    AgendaItem,
    Attendance,
    CaseMinutes,
    Meeting,
    MeetingStatus,
    ResearchReturn,
    Transfer,
)
from meetings.schedule import UK_TIME

# A case is heard when a meeting that started had it on its agenda and did not end without hearing it
# (the same meetings the data return counts).
HELD_STATUSES = (
    MeetingStatus.IN_PROGRESS,
    MeetingStatus.MINUTES_DRAFT,
    MeetingStatus.MINUTES_APPROVED,
    MeetingStatus.DISTRIBUTED,
)
# The age bands kept for the data return: it counts victims aged 16 or 17, and people causing harm aged
# 17 or under, on the meeting day.
UNDER_16, AGED_16_OR_17, ADULT = "under-16", "16-17", "18-plus"
YOUNGEST_ADULT = 18


def last_heard_dates() -> dict[str, date]:
    """Case id -> the UK day of the latest meeting that heard it, of every case (last_heard_of gives one case's
    from its hearings)."""
    query = (
        select(Referral.case_id, func.max(Meeting.starts_at))
        .join(AgendaItem, AgendaItem.referral_id == Referral.id)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .where(Meeting.status.in_(HELD_STATUSES), AgendaItem.not_heard_at.is_(None))
        .group_by(Referral.case_id)
    )
    return {case_id: starts_at.astimezone(UK_TIME).date() for case_id, starts_at in db.session.execute(query)}


def last_heard_of(hearings: list[tuple[AgendaItem, Meeting, object]]) -> date | None:
    """The day last_heard_dates gives one case, from its hearings already read (store.list_case_hearings: the
    case page has them for its history), so the page need not ask again."""
    held = [
        meeting.starts_at
        for item, meeting, _ in hearings
        if meeting.status in HELD_STATUSES and item.not_heard_at is None
    ]
    return max(held).astimezone(UK_TIME).date() if held else None


def age_on(day: date, born: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int) -> str:
    if age < 16:
        return UNDER_16
    return AGED_16_OR_17 if age < YOUNGEST_ADULT else ADULT


def keep_age_figures(person_ids: list[str]) -> None:
    """Before these people's dates of birth are removed: on each agenda item of each case that names them,
    the victim's age band that day, and one more person causing harm aged 17 or under where they were."""
    if not person_ids:
        return
    as_victim = (
        select(AgendaItem, Meeting.starts_at, Person.date_of_birth)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(Case, Referral.case_id == Case.id)
        .join(Person, Case.victim_id == Person.id)
        .where(Person.id.in_(person_ids), Person.date_of_birth.is_not(None))
    )
    for item, starts_at, born in db.session.execute(as_victim):
        item.victim_age_band = age_band(age_on(starts_at.astimezone(UK_TIME).date(), born))
    as_perpetrator = (
        select(AgendaItem, Meeting.starts_at, Person.date_of_birth)
        .join(Meeting, AgendaItem.meeting_id == Meeting.id)
        .join(Referral, AgendaItem.referral_id == Referral.id)
        .join(CaseParty, CaseParty.case_id == Referral.case_id)
        .join(Person, CaseParty.person_id == Person.id)
        .where(
            Person.id.in_(person_ids),
            Person.date_of_birth.is_not(None),
            CaseParty.role == PartyRole.PERPETRATOR,
        )
    )
    for item, starts_at, born in db.session.execute(as_perpetrator):
        if age_on(starts_at.astimezone(UK_TIME).date(), born) < YOUNGEST_ADULT:
            item.young_perpetrators_anonymised = (item.young_perpetrators_anonymised or 0) + 1
    db.session.flush()


def clear_meeting_records(case_id: str) -> None:
    """What was typed about the case at and around its meetings: research, minutes, actions and their
    history, and what a transfer sent. The outcome, dates and states stay."""
    item_ids = (
        select(AgendaItem.id).join(Referral, AgendaItem.referral_id == Referral.id).where(Referral.case_id == case_id)
    )
    action_ids = select(Action.id).where(Action.case_id == case_id)
    statements = (
        update(ResearchReturn)
        .where(ResearchReturn.agenda_item_id.in_(item_ids))
        .values(
            involvement=None,
            risks=None,
            open_cases=None,
            proposed_actions=None,
            not_shareable=None,
            not_shareable_reason=None,
        ),
        update(CaseMinutes)
        .where(CaseMinutes.agenda_item_id.in_(item_ids))
        .values(
            victim_views="",
            information_shared="",
            risks_to_victim="",
            risks_to_children="",
            risks_to_others="",
            risks_to_professionals="",
            decisions="",
            agency_information={},
        ),
        update(ActionUpdate).where(ActionUpdate.action_id.in_(action_ids)).values(note=None, reason=None, changes=None),
        update(Action).where(Action.case_id == case_id).values(description="", owner_name="", completion_note=None),
        update(Transfer).where(Transfer.case_id == case_id).values(what_was_sent=""),
    )
    for statement in statements:
        db.session.execute(statement.execution_options(synchronize_session=False))


def old_registers(cutoff: datetime):
    held_before = select(Meeting.id).where(Meeting.starts_at < cutoff)
    return Attendance.meeting_id.in_(held_before), Attendance.attendee_name != ""


def count_old_register_names(cutoff: datetime) -> int:
    """Names still on the registers of meetings held before the cutoff (the meeting-register rule)."""
    return db.session.scalar(select(func.count()).select_from(Attendance).where(*old_registers(cutoff)))


def clear_old_register_names(cutoff: datetime) -> int:
    """The names go; each row's agency and whether they came stay, for the data return's attendance."""
    return db.session.execute(
        update(Attendance)
        .where(*old_registers(cutoff))
        .values(attendee_name="")
        .execution_options(synchronize_session=False)
    ).rowcount
