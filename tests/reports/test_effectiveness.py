import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from extensions import db
from meetings.models import (
    Action,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    CaseMinutes,
    Meeting,
    MeetingStatus,
    ResearchReturn,
)
from reports import data_return
from reports.effectiveness import Effectiveness, Rate, partnership_effectiveness
from tests.meetings.factories import seed_meeting
from tests.sql_statements import plan_preferring_indexes, statements_with_parameters_run

POLICE, HEALTH, IDVA, HOUSING = (
    "Riverside Police",
    "Riverside Hospitals NHS Trust",
    "Riverside IDVA Service",
    "Riverside Housing",
)
AFTER_THE_QUARTER = date(2027, 1, 10)


def effectiveness(first_day: date, last_day: date, today: date) -> Effectiveness:
    """The figures as the dashboard makes them: its agenda counted once, for its charts and these figures."""
    return partnership_effectiveness(data_return.agenda_per_meeting(first_day, last_day), first_day, last_day, today)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@dataclass(frozen=True)
class Partnership:
    october: object
    november: object
    december_planned: object
    september: object


def seed_partnership(app) -> Partnership:
    """Two meetings held in October to December 2026, one planned in December, one held in September.

    Hand-computed for 2026-Q4 with every deadline passed:
      attendance   Police 2 of 2, Health 1 of 2 (apologies in October), IDVA 1 of 1, Housing — (September only)
      research     Police 2 of 3 (one at the deadline to the second, one late; a September one not counted),
                   Health 1 of 2 (one never returned)
      actions      Police 1 of 3 (on the day; late; still open), Health 1 of 1, Housing 0 of 1 (not possible)
      overdue now  Police 1 (open, due 15 November), Housing 1 (open, due 1 August)
      meetings     October 2 of 3 heard, November 2 of 2 heard
    """
    october = seed_meeting(app, cases=3, invited=(POLICE, HEALTH, IDVA), starts_at=utc(2026, 10, 7, 9, 30))
    november = seed_meeting(app, cases=2, invited=(POLICE, HEALTH), starts_at=utc(2026, 11, 4, 10))
    december = seed_meeting(app, cases=1, invited=(POLICE,), starts_at=utc(2026, 12, 2, 10))
    september = seed_meeting(app, cases=1, invited=(POLICE, HOUSING), starts_at=utc(2026, 9, 30, 9))
    agencies = october.agency_ids
    with app.app_context():
        set_status(october, MeetingStatus.DISTRIBUTED)
        set_status(november, MeetingStatus.MINUTES_DRAFT)
        set_status(september, MeetingStatus.DISTRIBUTED)
        attend(october, agencies[POLICE], AttendanceStatus.PRESENT, "Officer One")
        attend(october, agencies[POLICE], AttendanceStatus.PRESENT, "Officer Two")
        attend(october, agencies[HEALTH], AttendanceStatus.APOLOGIES, "Nurse One")
        attend(october, agencies[IDVA], AttendanceStatus.PRESENT, "Idva One")
        attend(november, agencies[POLICE], AttendanceStatus.PRESENT, "Officer One")
        attend(november, agencies[HEALTH], AttendanceStatus.PRESENT, "Nurse One")
        attend(september, agencies[HOUSING], AttendanceStatus.PRESENT, "Housing One")
        for item_id in october.item_ids[:2] + november.item_ids:
            db.session.add(CaseMinutes(agenda_item_id=item_id))
        october_due, november_due = utc(2026, 10, 4, 16), utc(2026, 11, 1, 17)
        research(october.item_ids[0], agencies[POLICE], october_due, returned_at=utc(2026, 10, 3, 12))
        research(october.item_ids[1], agencies[POLICE], october_due, returned_at=october_due)
        research(october.item_ids[2], agencies[POLICE], october_due, returned_at=utc(2026, 10, 4, 16, 0, 1))
        research(november.item_ids[0], agencies[HEALTH], november_due, returned_at=None)
        research(november.item_ids[1], agencies[HEALTH], november_due, returned_at=utc(2026, 10, 30, 9))
        research(september.item_ids[0], agencies[POLICE], utc(2026, 9, 27, 16), returned_at=utc(2026, 9, 29, 9))
        action(october, agencies[POLICE], date(2026, 10, 20), ActionStatus.DONE, date(2026, 10, 20))
        action(october, agencies[POLICE], date(2026, 10, 21), ActionStatus.DONE, date(2026, 10, 25))
        action(october, agencies[POLICE], date(2026, 11, 15), ActionStatus.OPEN)
        action(september, agencies[POLICE], date(2026, 9, 15), ActionStatus.DONE, date(2026, 9, 14))
        action(november, agencies[POLICE], date(2027, 2, 1), ActionStatus.OPEN)
        action(november, agencies[HEALTH], date(2026, 12, 20), ActionStatus.DONE, date(2026, 12, 19))
        action(november, agencies[HOUSING], date(2026, 12, 1), ActionStatus.NOT_POSSIBLE)
        action(september, agencies[HOUSING], date(2026, 8, 1), ActionStatus.OPEN)
        db.session.commit()
    return Partnership(october, november, december, september)


def set_status(seeded, status: MeetingStatus) -> None:
    db.session.get(Meeting, seeded.meeting_id).status = status


def attend(seeded, agency_id: int, status: AttendanceStatus, name: str) -> None:
    db.session.add(Attendance(meeting_id=seeded.meeting_id, agency_id=agency_id, attendee_name=name, status=status))


def research(item_id: int, agency_id: int, due_at: datetime, *, returned_at: datetime | None) -> None:
    db.session.add(
        ResearchReturn(
            agenda_item_id=item_id,
            agency_id=agency_id,
            due_at=due_at,
            returned_at=returned_at,
            known=returned_at is not None,
        )
    )


def action(seeded, agency_id: int, due_on: date, status: ActionStatus, completed_on: date | None = None) -> None:
    db.session.add(
        Action(
            case_id=seeded.case_ids[0],
            agenda_item_id=seeded.item_ids[0],
            description="Check the address history",
            owner_agency_id=agency_id,
            owner_name="Pat Owner",
            due_on=due_on,
            status=status,
            completed_on=completed_on,
        )
    )


def figures(result) -> dict[str, tuple[str, str, str, int]]:
    return {
        row.agency: (str(row.attendance), str(row.research_on_time), str(row.actions_on_time), row.overdue_now)
        for row in result.agencies
    }


@pytest.mark.parametrize(
    ("count", "of", "shown", "percent"),
    [
        (0, 0, "—", None),
        (3, 4, "3 of 4 (75%)", 75),
        (2, 3, "2 of 3 (67%)", 67),
        (1, 3, "1 of 3 (33%)", 33),
        (1, 8, "1 of 8 (13%)", 13),
        (5, 8, "5 of 8 (63%)", 63),
        (0, 5, "0 of 5 (0%)", 0),
        (5, 5, "5 of 5 (100%)", 100),
    ],
)
def test_a_rate_reads_as_count_of_total_with_a_percentage_rounded_half_up(count, of, shown, percent):
    assert str(Rate(count, of)) == shown
    assert Rate(count, of).percent == percent


def test_each_agency_figures_for_a_finished_quarter_match_the_hand_count(app):
    seed_partnership(app)

    with app.app_context():
        result = effectiveness(date(2026, 10, 1), date(2026, 12, 31), AFTER_THE_QUARTER)

    assert figures(result) == {
        HEALTH: ("1 of 2 (50%)", "1 of 2 (50%)", "1 of 1 (100%)", 0),
        HOUSING: ("—", "—", "0 of 1 (0%)", 1),
        IDVA: ("1 of 1 (100%)", "—", "—", 0),
        POLICE: ("2 of 2 (100%)", "2 of 3 (67%)", "1 of 3 (33%)", 1),
    }
    assert [row.agency for row in result.agencies] == [HEALTH, HOUSING, IDVA, POLICE]
    assert result.deadlines_to == date(2026, 12, 31)


def test_cases_heard_against_planned_for_each_meeting_held_and_no_other(app):
    partnership = seed_partnership(app)

    with app.app_context():
        result = effectiveness(date(2026, 10, 1), date(2026, 12, 31), AFTER_THE_QUARTER)

    assert [(row.meeting_id, str(row.cases_heard)) for row in result.meetings] == [
        (partnership.october.meeting_id, "2 of 3 (67%)"),
        (partnership.november.meeting_id, "2 of 2 (100%)"),
    ]


def test_a_quarter_under_way_counts_only_deadlines_that_have_passed(app):
    seed_partnership(app)

    with app.app_context():
        result = effectiveness(date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 2))

    assert result.deadlines_to == date(2026, 11, 1)
    assert figures(result) == {
        HEALTH: ("1 of 2 (50%)", "1 of 2 (50%)", "—", 0),
        HOUSING: ("—", "—", "—", 1),
        IDVA: ("1 of 1 (100%)", "—", "—", 0),
        POLICE: ("2 of 2 (100%)", "2 of 3 (67%)", "1 of 2 (50%)", 0),
    }


def test_the_previous_quarter_sees_only_its_own_meeting_research_and_actions(app):
    seed_partnership(app)

    with app.app_context():
        result = effectiveness(date(2026, 7, 1), date(2026, 9, 30), AFTER_THE_QUARTER)

    assert figures(result) == {
        HOUSING: ("1 of 1 (100%)", "—", "0 of 1 (0%)", 1),
        POLICE: ("0 of 1 (0%)", "0 of 1 (0%)", "1 of 1 (100%)", 1),
    }
    assert [str(row.cases_heard) for row in result.meetings] == ["0 of 1 (0%)"]


def test_a_quarter_with_nothing_in_it_has_no_rows_but_still_counts_overdue_actions(app):
    seed_partnership(app)

    with app.app_context():
        result = effectiveness(date(2027, 4, 1), date(2027, 6, 30), date(2027, 5, 1))

    assert result.meetings == ()
    assert figures(result) == {
        HOUSING: ("—", "—", "—", 1),
        POLICE: ("—", "—", "—", 2),
    }


def test_on_a_quarters_first_day_no_action_is_due_yet_but_overdue_ones_count(app):
    seed_partnership(app)

    with app.app_context():
        result = effectiveness(date(2026, 10, 1), date(2026, 12, 31), date(2026, 10, 1))

    assert result.deadlines_to == date(2026, 9, 30)
    assert {row.agency: (str(row.actions_on_time), row.overdue_now) for row in result.agencies} == {
        HEALTH: ("—", 0),
        HOUSING: ("—", 1),
        IDVA: ("—", 0),
        POLICE: ("—", 0),
    }


def test_the_actions_are_counted_from_their_indexes_alone(app):
    # A force holds about 250,000 actions, 64,000 of them open: read from the table, the two counts took 35-45 ms
    # of the dashboard; from these indexes alone, about 14-17 ms (issue 20).
    seed_partnership(app)

    with statements_with_parameters_run(app) as statements, app.app_context():
        effectiveness(date(2026, 10, 1), date(2026, 12, 31), AFTER_THE_QUARTER)
    of_actions = [(sql, parameters) for sql, parameters in statements if "FROM marac_action" in sql]

    assert len(of_actions) == 2
    assert [index_answering(app, sql, parameters) for sql, parameters in of_actions] == [
        "ix_marac_action_due_on",
        "ix_marac_action_status_due_on",
    ]


def index_answering(app, sql: str, parameters) -> str | None:
    """The index that alone answers the statement: SQLite's covering index or PostgreSQL's index-only scan."""
    found = re.search(
        r"USING COVERING INDEX (\w+)|Index Only Scan using (\w+)", plan_preferring_indexes(app, sql, parameters)
    )
    return next(name for name in found.groups() if name) if found else None
