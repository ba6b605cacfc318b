"""The quarterly data return, checked column by column against counts worked out by hand."""

import threading
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import event

from access.models import AgencyKind, Role, User
from extensions import db
from meetings import schedule
from meetings.models import CaseOutcome, Meeting, MeetingStatus
from reports import data_return, store
from reports.models import MeetingFigures
from reports.quarters import Quarter
from tests.reports.fixtures_data_return import CaseSpec, add_meeting, uk, victims_heard_at
from tests.sql_statements import statements_run

Q4_2026 = Quarter(2026, 4)
POLICE, IDVA, HEALTH, CHILDRENS = (
    "Quarter Police",
    "Quarter IDVA Service",
    "Quarter Health",
    "Quarter Children's Services",
)
KIND_COLUMNS = [f"referrals_{kind.value}" for kind in AgencyKind if kind is not AgencyKind.POLICE]


def row(**values) -> dict:
    """An expected row: every column named, the agency-kind breakdown 0 unless given."""
    return {column: 0 for column in KIND_COLUMNS} | values


# Meeting A, 7 October 2026.
# A1 police: Asian victim whose 17th birthday is the meeting day; 2 children; perpetrator one day short of 17.
# A2 IDVA: male, White, gay, disabled, born 1990; repeat criterion; perpetrators of unknown age and exactly 18.
# A3 health: non-binary, nothing else known; repeat flag on the agenda item only; 1 child; perpetrator 16.
MEETING_A = [
    CaseSpec(
        POLICE,
        date(2009, 10, 7),
        ethnicity="Asian or Asian British",
        sexuality="Heterosexual",
        disability="No",
        children=2,
        perpetrators_born=(date(2009, 10, 8),),
        safe_address="CANARY-SAFE-ADDRESS 1 Hidden Lane",
    ),
    CaseSpec(
        IDVA,
        date(1990, 1, 1),
        gender="Male",
        ethnicity="White",
        sexuality="Gay or lesbian",
        disability="Yes",
        perpetrators_born=(None, date(2008, 10, 7)),
        criteria=("visible-high-risk", "repeat"),
    ),
    CaseSpec(
        HEALTH,
        None,
        gender="Non-binary",
        children=1,
        perpetrators_born=(date(2010, 1, 1),),
        flags=("children", "repeat"),
    ),
]
# Meeting B, 4 November 2026.
# B1 police: Black, bisexual, disabled, turns 16 the day after; minutes record a repeat.
# B2 police: other ethnic group, gender Other and orientation Other (one LGBT+ victim), exactly 18;
# 2 children; minutes say new.
# B3 children's social care: White, exactly 16; 1 child; perpetrator exactly 17.
MEETING_B = [
    CaseSpec(
        POLICE,
        date(2010, 11, 5),
        ethnicity="Black, Black British, Caribbean or African",
        sexuality="Bisexual",
        disability="Yes",
        criteria=("professional-judgement",),
        outcome=CaseOutcome.REPEAT,
    ),
    CaseSpec(
        POLICE,
        date(2008, 11, 4),
        gender="Other",
        ethnicity="Other ethnic group",
        sexuality="Other",
        children=2,
        outcome=CaseOutcome.NEW,
    ),
    CaseSpec(CHILDRENS, date(2010, 11, 4), ethnicity="White", children=1, perpetrators_born=(date(2009, 11, 4),)),
]
EXPECTED_A = row(
    meeting_date=date(2026, 10, 7),
    cases_discussed=3,
    repeat_cases=2,
    children_in_households=3,
    referrals_police=1,
    referrals_partner=2,
    partner_referral_percent=66.7,
    victims_racially_minoritised=1,
    victims_lgbt=2,
    victims_disabled=1,
    victims_male=1,
    victims_aged_16_17=1,
    perpetrators_aged_17_or_under=2,
    **{"referrals_idva": 1, "referrals_health": 1},
)
EXPECTED_B = row(
    meeting_date=date(2026, 11, 4),
    cases_discussed=3,
    repeat_cases=1,
    children_in_households=3,
    referrals_police=2,
    referrals_partner=1,
    partner_referral_percent=33.3,
    victims_racially_minoritised=2,
    victims_lgbt=2,
    victims_disabled=1,
    victims_male=0,
    victims_aged_16_17=1,
    perpetrators_aged_17_or_under=1,
    **{"referrals_childrens-social-care": 1},
)
# Meeting C started at 00:30 on 1 October in London (23:30 on 30 September in UTC) and had no cases.
EXPECTED_C = row(
    meeting_date=date(2026, 10, 1),
    cases_discussed=0,
    repeat_cases=0,
    children_in_households=0,
    referrals_police=0,
    referrals_partner=0,
    partner_referral_percent=0.0,
    victims_racially_minoritised=0,
    victims_lgbt=0,
    victims_disabled=0,
    victims_male=0,
    victims_aged_16_17=0,
    perpetrators_aged_17_or_under=0,
)
EXPECTED_TOTAL = row(
    meeting_date="Total",
    cases_discussed=6,
    repeat_cases=3,
    children_in_households=6,
    referrals_police=3,
    referrals_partner=3,
    partner_referral_percent=50.0,
    victims_racially_minoritised=3,
    victims_lgbt=4,
    victims_disabled=2,
    victims_male=1,
    victims_aged_16_17=2,
    perpetrators_aged_17_or_under=3,
    **{"referrals_idva": 1, "referrals_health": 1, "referrals_childrens-social-care": 1},
)
OUTSIDER = [
    CaseSpec(
        POLICE,
        date(2010, 1, 1),
        gender="Male",
        ethnicity="Asian or Asian British",
        disability="Yes",
        children=4,
        perpetrators_born=(date(2012, 1, 1),),
        criteria=("repeat",),
    )
]


@pytest.fixture
def quarter_meetings(app):
    ids = {
        "A": add_meeting(app, uk(2026, 10, 7), MeetingStatus.DISTRIBUTED, MEETING_A),
        "B": add_meeting(app, uk(2026, 11, 4), MeetingStatus.MINUTES_DRAFT, MEETING_B),
        "C": add_meeting(app, uk(2026, 10, 1, 0, 30), MeetingStatus.IN_PROGRESS),
    }
    add_meeting(app, uk(2026, 9, 30, 23, 30), MeetingStatus.DISTRIBUTED, OUTSIDER)
    add_meeting(app, uk(2027, 1, 1, 0, 15), MeetingStatus.MINUTES_APPROVED, OUTSIDER)
    add_meeting(app, uk(2026, 12, 9), MeetingStatus.PLANNED, OUTSIDER)
    add_meeting(app, uk(2026, 12, 16), MeetingStatus.LIST_ISSUED, OUTSIDER)
    return ids


def expected_quarter(ids: dict[str, int]) -> list[dict]:
    """The quarter's rows, earliest meeting first."""
    return [
        EXPECTED_C | {"meeting_id": ids["C"]},
        EXPECTED_A | {"meeting_id": ids["A"]},
        EXPECTED_B | {"meeting_id": ids["B"]},
    ]


def records(frame) -> list[dict]:
    """Rows as plain dicts; the Total row's missing meeting number comes back as None."""
    return frame.to_dict("records")


def test_the_columns_are_the_agreed_ones_in_order():
    kinds = [
        "referrals_idva",
        "referrals_childrens-social-care",
        "referrals_health",
        "referrals_housing",
        "referrals_probation",
        "referrals_mental-health",
        "referrals_substance-misuse",
        "referrals_education",
        "referrals_other",
    ]

    assert data_return.COLUMNS == [
        "meeting_id",
        "meeting_date",
        "cases_discussed",
        "repeat_cases",
        "children_in_households",
        "referrals_police",
        "referrals_partner",
        "partner_referral_percent",
        "victims_racially_minoritised",
        "victims_lgbt",
        "victims_disabled",
        "victims_male",
        "victims_aged_16_17",
        "perpetrators_aged_17_or_under",
        *kinds,
    ]
    assert set(data_return.COLUMN_LABELS) == set(data_return.COLUMNS)


def test_each_meeting_held_in_the_quarter_gets_a_row_with_every_count(app, quarter_meetings):
    with app.app_context():
        frame = data_return.meeting_rows(Q4_2026.first_day, Q4_2026.last_day)

    assert list(frame.columns) == data_return.COLUMNS
    assert records(frame) == expected_quarter(quarter_meetings)


AGENDA_COLUMNS = [
    "meeting_id",
    "meeting_date",
    "starts_at",
    "agenda_items",
    "heard_with_minutes",
    "cases_discussed",
    "repeat_cases",
    "referrals_police",
    "referrals_partner",
    *KIND_COLUMNS,
]


def test_the_agenda_per_meeting_has_the_returns_case_and_referral_counts_without_the_victims(app, quarter_meetings):
    # The dashboard's charts: the same meetings and counts as the return, with none of the columns that need each
    # case's victim or household read (about 300 ms of a quarter's 24,600 cases at a force's scale, issue 20).
    with app.app_context():
        frame = data_return.agenda_per_meeting(Q4_2026.first_day, Q4_2026.last_day)

    assert list(frame.columns) == AGENDA_COLUMNS
    returns_columns = AGENDA_COLUMNS[:2] + AGENDA_COLUMNS[5:]
    assert frame[returns_columns].to_dict("records") == [
        {column: expected[column] for column in returns_columns[1:]} | {"meeting_id": quarter_meetings[name]}
        for name, expected in (("C", EXPECTED_C), ("A", EXPECTED_A), ("B", EXPECTED_B))
    ]
    # Meeting C had no agenda; none of A's three has minutes; two of B's three have.
    assert frame[["agenda_items", "heard_with_minutes"]].values.tolist() == [[0, 0], [3, 0], [3, 2]]
    assert {str(frame[column].dtype) for column in AGENDA_COLUMNS[3:]} == {"int64"}
    assert [starts_at.astimezone(UTC) for starts_at in frame["starts_at"]] == [
        datetime(2026, 9, 30, 23, 30, tzinfo=UTC),
        datetime(2026, 10, 7, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 4, 10, 0, tzinfo=UTC),
    ]


def test_the_agenda_of_a_quarter_with_no_meeting_is_no_rows(app, quarter_meetings):
    with app.app_context():
        frame = data_return.agenda_per_meeting(date(2027, 4, 1), date(2027, 6, 30))

    assert list(frame.columns) == AGENDA_COLUMNS
    assert frame.empty


def test_people_born_on_the_same_day_are_each_counted(app):
    # Counted in groups of people born on the same day: each victim and each person causing harm still counts.
    twins = CaseSpec(
        IDVA, date(2009, 6, 1), children=1, perpetrators_born=(date(2010, 5, 6), date(2010, 5, 6), date(1990, 1, 1))
    )
    adult = CaseSpec(POLICE, date(1985, 6, 1), children=2, perpetrators_born=(date(2010, 5, 6), None))
    add_meeting(app, uk(2027, 5, 5), MeetingStatus.DISTRIBUTED, [twins, twins, adult])

    with app.app_context():
        frame = data_return.meeting_rows(date(2027, 4, 1), date(2027, 6, 30))

    assert records(frame)[0] | {"meeting_id": None} == row(
        meeting_id=None,
        meeting_date=date(2027, 5, 5),
        cases_discussed=3,
        repeat_cases=0,
        children_in_households=4,
        referrals_police=1,
        referrals_partner=2,
        partner_referral_percent=66.7,
        victims_racially_minoritised=0,
        victims_lgbt=0,
        victims_disabled=0,
        victims_male=0,
        victims_aged_16_17=2,
        perpetrators_aged_17_or_under=5,
        referrals_idva=2,
    )


def test_counts_are_whole_numbers_and_the_percentage_a_decimal(app, quarter_meetings):
    with app.app_context():
        frame = data_return.meeting_rows(Q4_2026.first_day, Q4_2026.last_day)

    assert str(frame["partner_referral_percent"].dtype) == "float64"
    assert {str(frame[column].dtype) for column in data_return.INTEGER_COLUMNS} == {"int64"}


def test_the_quarter_return_ends_with_totals_and_a_percentage_from_the_totals(app, quarter_meetings):
    with app.app_context():
        frame = data_return.quarter_return(Q4_2026)

    assert list(frame.columns) == data_return.COLUMNS
    assert [record["meeting_id"] for record in records(frame)] == [
        quarter_meetings["C"],
        quarter_meetings["A"],
        quarter_meetings["B"],
        None,
    ]
    assert records(frame)[-1] == EXPECTED_TOTAL | {"meeting_id": None}
    assert data_return.meetings_in(frame) == 3


def test_a_date_range_takes_only_the_meetings_held_on_its_days(app, quarter_meetings):
    with app.app_context():
        frame = data_return.meeting_rows(date(2026, 10, 2), date(2026, 11, 3))

    assert records(frame) == [EXPECTED_A | {"meeting_id": quarter_meetings["A"]}]


def test_the_meetings_either_side_of_the_quarter_belong_to_their_own_quarters(app, quarter_meetings):
    with app.app_context():
        september = data_return.meeting_rows(date(2026, 9, 30), date(2026, 9, 30))
        new_year = data_return.meeting_rows(date(2027, 1, 1), date(2027, 1, 1))

    assert september["cases_discussed"].tolist() == [1] and september["victims_male"].tolist() == [1]
    assert new_year["meeting_date"].tolist() == [date(2027, 1, 1)] and new_year["children_in_households"].tolist() == [
        4
    ]


def test_a_quarter_with_no_meeting_held_has_only_a_total_of_zeros(app, quarter_meetings):
    with app.app_context():
        frame = data_return.quarter_return(Quarter(2027, 2))

    assert data_return.meetings_in(frame) == 0
    assert records(frame) == [
        row(
            meeting_id=None,
            meeting_date="Total",
            partner_referral_percent=0.0,
            **{column: 0 for column in data_return.COUNT_COLUMNS + data_return.VICTIM_COLUMNS},
        )
    ]


def test_the_return_is_made_with_three_queries_however_many_meetings(app, quarter_meetings):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            data_return.quarter_return(Q4_2026)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)

    assert len(statements) == 3


def approve_the_minutes(app, make_user, meeting_id: int) -> None:
    """The chair's step, as the meeting page takes it."""
    user_id, _ = make_user("approver@example.org", role=Role.COORDINATOR, agency="Riverside IDVA Service")
    with app.test_request_context(method="POST"):
        meeting = db.session.get(Meeting, meeting_id)
        confirmed = schedule.StepConfirmation(read_draft=True)
        schedule.take_next_step(meeting, user=db.session.get(User, user_id), confirmed=confirmed)
        db.session.commit()


def correct_the_victims(app, meeting_id: int, **details) -> None:
    """A later correction to the details of every victim heard at the meeting."""
    with app.app_context():
        for victim in victims_heard_at(meeting_id):
            for name, value in details.items():
                setattr(victim, name, value)
        db.session.commit()


AS_IF_WHITE_HETEROSEXUAL_MEN = {"ethnicity": "White", "gender": "Male", "sexuality": "Heterosexual", "disability": "No"}


def test_approving_the_minutes_keeps_the_meetings_figures_so_a_later_correction_does_not_change_them(
    app, make_user, quarter_meetings
):
    approve_the_minutes(app, make_user, quarter_meetings["B"])
    correct_the_victims(app, quarter_meetings["B"], **AS_IF_WHITE_HETEROSEXUAL_MEN)

    with app.app_context():
        frame = data_return.meeting_rows(Q4_2026.first_day, Q4_2026.last_day)

    assert records(frame) == expected_quarter(quarter_meetings)


def test_a_meeting_whose_minutes_are_not_yet_approved_is_counted_from_its_cases_as_they_are_now(app, quarter_meetings):
    correct_the_victims(app, quarter_meetings["B"], **AS_IF_WHITE_HETEROSEXUAL_MEN)

    with app.app_context():
        frame = data_return.meeting_rows(date(2026, 11, 4), date(2026, 11, 4))

    victims = ["victims_racially_minoritised", "victims_lgbt", "victims_disabled", "victims_male"]
    assert frame[victims].values.tolist() == [[0, 0, 0, 3]]


def test_a_meeting_with_its_figures_kept_is_counted_without_reading_its_cases(app, make_user, quarter_meetings):
    # Issue 20: a force's quarter is about 24,600 cases heard; adding up each meeting's kept figures reads none.
    approve_the_minutes(app, make_user, quarter_meetings["B"])

    with statements_run(app) as statements, app.app_context():
        frame = data_return.meeting_rows(date(2026, 11, 4), date(2026, 11, 4))

    assert records(frame) == [EXPECTED_B | {"meeting_id": quarter_meetings["B"]}]
    selects = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert not any(table in selects[0] for table in ("person", "case_party", "referral", "agenda_item"))


def test_figures_kept_for_several_meetings_at_once_are_each_meetings_own(app, quarter_meetings):
    # As the force-sized bench keeps them for a year of meetings: each meeting's ages on its own day.
    with app.app_context():
        meetings = [db.session.get(Meeting, quarter_meetings[name]) for name in ("A", "B", "C")]
        data_return.keep_figures(meetings)
        db.session.commit()
    for name in ("A", "B"):
        correct_the_victims(app, quarter_meetings[name], **AS_IF_WHITE_HETEROSEXUAL_MEN)

    with app.app_context():
        frame = data_return.meeting_rows(Q4_2026.first_day, Q4_2026.last_day)

    assert records(frame) == expected_quarter(quarter_meetings)


def test_a_quarter_counted_again_keeps_every_meetings_figures_in_one_statement(app, make_user, quarter_meetings):
    # A force's quarter holds hundreds of meetings: not a statement for each.
    approve_the_minutes(app, make_user, quarter_meetings["B"])  # A's minutes are distributed, C is under way

    with statements_run(app) as statements, app.app_context():
        assert data_return.count_again(Q4_2026) == 2
        db.session.commit()

    assert len([statement for statement in statements if "INSERT INTO meeting_figures" in statement]) == 1


def test_figures_kept_without_every_column_of_the_return_are_counted_again_from_the_cases(
    app, make_user, quarter_meetings
):
    # Figures kept before a column was added to the return would otherwise count 0 for it.
    approve_the_minutes(app, make_user, quarter_meetings["B"])
    with app.app_context():
        kept = db.session.get(MeetingFigures, quarter_meetings["B"])
        kept.counts = {name: count for name, count in kept.counts.items() if name != "victims_lgbt"}
        db.session.commit()

        frame = data_return.meeting_rows(date(2026, 11, 4), date(2026, 11, 4))

    assert records(frame) == [EXPECTED_B | {"meeting_id": quarter_meetings["B"]}]


def test_the_comparison_sets_the_quarter_beside_the_national_figures(app, quarter_meetings):
    with app.app_context():
        total = data_return.quarter_return(Q4_2026).iloc[-1]

    comparison = {line.measure: line for line in data_return.comparison_rows(total, (28, 40))}

    assert comparison["Cases discussed"].this_quarter == "6"
    assert comparison["Repeat cases"].this_quarter == "3 (50.0%)"
    assert (
        "not yet checked" in comparison["Repeat cases"].national and "28% to 40%" in comparison["Repeat cases"].national
    )
    assert comparison["Partner-agency referrals"].this_quarter == "50.0%"
    assert comparison["Partner-agency referrals"].national == "36.1%"
    assert comparison["Victims LGBT+"].this_quarter == "4 (66.7%)"
    assert comparison["Male victims"].this_quarter == "1 (16.7%)"
    assert comparison["People causing harm aged 17 or under"].this_quarter == "3"


@pytest.mark.parametrize(
    "day, born, age",
    [
        (date(2026, 10, 7), date(2009, 10, 7), 17),
        (date(2026, 10, 7), date(2009, 10, 8), 16),
        (date(2026, 10, 7), date(2009, 10, 6), 17),
        (date(2028, 2, 28), date(2012, 2, 29), 15),
        (date(2028, 2, 29), date(2012, 2, 29), 16),
    ],
)
def test_ages_are_whole_years_on_the_day(day, born, age):
    assert data_return.ages_on(pd.Series([day]), pd.Series([born])).tolist() == [age]


def test_an_unknown_date_of_birth_has_no_age():
    assert data_return.ages_on(pd.Series([date(2026, 1, 1)]), pd.Series([None], dtype=object)).isna().tolist() == [True]


def test_two_coordinators_keeping_a_meetings_figures_at_once_both_succeed_and_the_later_is_kept(app, quarter_meetings):
    # On PostgreSQL the second waits for the first's row and then replaces it; reading the row first and then
    # adding one failed there with a duplicate key. On SQLite the second waits for the write lock.
    meeting_id = quarter_meetings["A"]
    first, later = ({column: number for column in data_return.INTEGER_COLUMNS} for number in (1, 2))
    failures = []

    def keep_the_later():
        try:
            with app.app_context():
                store.keep_meeting_figures({meeting_id: later})
                db.session.commit()
        except Exception as error:  # noqa: BLE001 - the thread's failure is the test's
            failures.append(error)

    with app.app_context():
        store.keep_meeting_figures({meeting_id: first})
        db.session.flush()
        second = threading.Thread(target=keep_the_later)
        second.start()
        second.join(timeout=1)
        db.session.commit()
    second.join()

    with app.app_context():
        assert failures == []
        assert db.session.get(MeetingFigures, meeting_id).counts == later


def test_a_meeting_whose_cases_record_no_household_keeps_its_figures_at_approval(app, make_user):
    # No child and no person causing harm recorded on the meeting's only case: those counts are 0, not missing.
    alone = CaseSpec(IDVA, date(1990, 1, 1), perpetrators_born=())
    meeting_id = add_meeting(app, uk(2027, 5, 5), MeetingStatus.MINUTES_DRAFT, [alone])

    approve_the_minutes(app, make_user, meeting_id)

    with app.app_context():
        kept = db.session.get(MeetingFigures, meeting_id).counts
    assert kept == {column: 0 for column in data_return.INTEGER_COLUMNS} | {
        "cases_discussed": 1,
        "referrals_partner": 1,
        "referrals_idva": 1,
    }


def test_the_minutes_are_approved_even_if_keeping_the_figures_fails_and_the_meeting_is_then_counted_from_its_cases(
    app, make_user, quarter_meetings, monkeypatch, caplog
):
    # A fault in the return's bookkeeping must not stop a chair approving the minutes on meeting day.
    def fail(*_):
        raise RuntimeError("counting failed")

    monkeypatch.setattr(data_return, "counts_per_meeting", fail)
    approve_the_minutes(app, make_user, quarter_meetings["B"])
    monkeypatch.undo()

    with app.app_context():
        assert db.session.get(Meeting, quarter_meetings["B"]).status is MeetingStatus.MINUTES_APPROVED
        assert db.session.get(MeetingFigures, quarter_meetings["B"]) is None
        frame = data_return.meeting_rows(Q4_2026.first_day, Q4_2026.last_day)
    assert records(frame) == expected_quarter(quarter_meetings)
    failures = [record.msg for record in caplog.records if isinstance(record.msg, dict)]
    assert {"event": "meeting-figures-not-kept", "meeting": quarter_meetings["B"], "error": "RuntimeError"} in failures
