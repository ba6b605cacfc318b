"""Every case has a reference unique in the deployment and readable over the phone, like RIV-2026-0142,
whichever way it was opened, and the pages and documents that name the case show it."""

import re
import threading
import time
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from access import store as access_store
from access.models import AgencyKind, Role
from app import create_app
from cases import store as cases_store
from cases.models import Case, CaseReferenceCounter, ReferralState
from cases.vocabulary import normalise_reference
from config import ConfigError
from config import test_settings as settings_for_tests
from demo.cases import add_assessment, add_person, refer_now, yes_to
from extensions import db
from meetings.models import Meeting, MeetingStatus
from tests.meetings.factories import seed_meeting
from tests.reports.pdf_helpers import pdf_text

REFERENCE = re.compile(r"MARAC-(\d{4})-(\d{4,})")


def open_cases(app, count: int) -> list[str]:
    """`count` cases opened through the store, as the journey, the demo and the fixtures open them."""
    with app.app_context():
        agency = access_store.get_agency_by_name("Riverside Police") or access_store.create_agency(
            name="Riverside Police", kind=AgencyKind.POLICE
        )
        references = [
            cases_store.create_case(
                victim=add_person(agency.id, f"Victim{number}", "Case", date(1990, 1, 1)),
                marac_area="Riverside",
                agency_id=agency.id,
            ).reference
            for number in range(count)
        ]
        db.session.commit()
        return references


def counter(app, prefix: str, year: int) -> int | None:
    with app.app_context():
        row = db.session.get(CaseReferenceCounter, (prefix, year))
        return row.last_number if row else None


def test_references_are_the_prefix_the_year_and_a_four_digit_number_in_turn(app):
    year = datetime.now(UTC).year

    references = open_cases(app, 3)

    assert references == [f"MARAC-{year}-0001", f"MARAC-{year}-0002", f"MARAC-{year}-0003"]
    assert counter(app, "MARAC", year) == 3


def test_the_number_grows_past_9999_rather_than_wrapping(app):
    year = datetime.now(UTC).year
    with app.app_context():
        db.session.add(CaseReferenceCounter(prefix="MARAC", year=year, last_number=9999))
        db.session.commit()

    assert open_cases(app, 1) == [f"MARAC-{year}-10000"]


def test_two_cases_can_never_hold_the_same_reference(app):
    first, second = open_cases(app, 2)

    with app.app_context():
        db.session.get(Case, db.session.scalar(select(Case.id).where(Case.reference == second))).reference = first
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_the_counter_starts_again_each_year(app):
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        december = open_cases(app, 2)
    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=UTC), tick=False):
        january = open_cases(app, 1)

    assert december == ["MARAC-2026-0001", "MARAC-2026-0002"]
    assert january == ["MARAC-2027-0001"]
    assert (counter(app, "MARAC", 2026), counter(app, "MARAC", 2027)) == (2, 1)


@pytest.mark.parametrize("app_settings", [{"CASE_REFERENCE_PREFIX": "RIV"}])
def test_the_prefix_is_the_areas_setting_and_counts_apart_from_any_other(app, app_settings):
    year = datetime.now(UTC).year
    with app.app_context():
        db.session.add(CaseReferenceCounter(prefix="MARAC", year=year, last_number=41))
        db.session.commit()

    assert open_cases(app, 1) == [f"RIV-{year}-0001"]


@pytest.mark.parametrize("prefix", ["riv", "R", "RIVERS", "R1V", "RI V", "", None])
def test_a_prefix_that_is_not_two_to_five_capital_letters_stops_the_app_with_advice(database_url, prefix):
    with pytest.raises(ConfigError, match="2 to 5 capital letters, like RIV"):
        create_app(settings_for_tests(database_url, CASE_REFERENCE_PREFIX=prefix))


def test_the_prefix_comes_from_the_environment():
    from config import meeting_settings

    assert meeting_settings({"MARAC_CASE_REFERENCE_PREFIX": "NSH"})["CASE_REFERENCE_PREFIX"] == "NSH"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("RIV-2026-0142", "RIV-2026-0142"),
        ("riv-2026-0142", "RIV-2026-0142"),
        (" RIV 2026 0142 ", "RIV-2026-0142"),
        ("RIV20260142", "RIV-2026-0142"),
        ("riv 2026 142", "RIV-2026-0142"),
        ("RIV/2026/10001", "RIV-2026-10001"),
        ("RIV--2026--0142", "RIV-2026-0142"),
    ],
)
def test_a_reference_is_read_however_it_is_typed(typed, meant):
    assert normalise_reference(typed) == meant


@pytest.mark.parametrize(
    "typed", ["", "2026-0142", "RIV-26-0142", "RIV-2026", "Jane Smith", "RIV-2026-01A2", "R-2026-1"]
)
def test_text_not_shaped_like_a_reference_is_not_read_as_one(typed):
    assert normalise_reference(typed) is None


# Every path that opens a case.


def test_the_journey_gives_the_new_case_a_reference_shown_on_the_case_page(app, client, sign_in_as):
    sign_in_as(Role.PRACTITIONER)

    response = client.post(
        client.url("cases.find_victim"),
        data={"given_name": "Jane", "family_name": "Doe", "date_of_birth": ["1", "2", "1990"], "action": "add"},
    )
    case_id = response.location.rsplit("/", 1)[-1]
    page = client.get(client.url("cases.view_case", case_id=case_id)).get_data(as_text=True)

    with app.app_context():
        reference = db.session.get(Case, case_id).reference
    assert REFERENCE.fullmatch(reference)
    assert f"Case {reference}: Jane Doe" in page


def test_cases_in_one_import_file_take_consecutive_numbers_under_one_turn_of_the_counter(app, make_user):
    from tests.cases.test_import_store import dash_csv, dash_row, run_import

    user_id, _ = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    before = open_cases(app, 1)
    rows = [dash_row(f"Name{number}", "Smith", date(1980, 1, 1 + number), 3) for number in range(5)]

    run_import(app, user_id, dash_csv(rows))

    with app.app_context():
        references = list(db.session.scalars(select(Case.reference).order_by(Case.reference)))
    year = REFERENCE.fullmatch(before[0])[1]
    assert references == [f"MARAC-{year}-{number:04d}" for number in range(1, 7)]
    assert counter(app, "MARAC", int(year)) == 6


def test_the_meeting_fixtures_open_cases_with_distinct_references(app):
    seeded = seed_meeting(app, cases=3)

    with app.app_context():
        references = [db.session.get(Case, case_id).reference for case_id in seeded.case_ids]
    assert all(REFERENCE.fullmatch(reference) for reference in references)
    assert len(set(references)) == 3


@pytest.mark.parametrize("counter_exists", [False, True], ids=["first-case-of-the-year", "later-case"])
def test_two_cases_opened_at_once_never_share_a_number(app, counter_exists):
    """PostgreSQL holds the second on the counter's row lock; SQLite lets one writer in at a time."""
    year = 2031
    if counter_exists:
        with app.app_context():
            db.session.add(CaseReferenceCounter(prefix="MARAC", year=year, last_number=7))
            db.session.commit()
    taken = []

    def second_session():
        with app.app_context():
            taken.append(cases_store.new_case_references(year, 1)[0])
            db.session.commit()

    with app.app_context():
        taken.append(cases_store.new_case_references(year, 1)[0])
        other = threading.Thread(target=second_session)
        other.start()
        time.sleep(0.5)
        waiting = other.is_alive()  # held until this transaction ends
        db.session.commit()
    other.join(timeout=10)

    start = 8 if counter_exists else 1
    assert waiting
    assert taken == [f"MARAC-{year}-{start:04d}", f"MARAC-{year}-{start + 1:04d}"]


# Shown where the case is named.


def test_the_referral_queue_shows_each_cases_reference(app, client, sign_in_as, make_user):
    sign_in_as(Role.COORDINATOR)
    referrer_id, _ = make_user(email="idva@example.org", agency="Riverside IDVA Service")
    with app.app_context():
        from access.models import User

        referrer = db.session.get(User, referrer_id)
        case = cases_store.create_case(
            victim=add_person(referrer.agency_id, "Queue", "Victim", date(1990, 1, 1)),
            marac_area="Riverside",
            agency_id=referrer.agency_id,
        )
        add_assessment(case, referrer, "dash-ric", yes_to(15), date.today())
        refer_now(case, referrer, date.today(), "Riverside", ReferralState.RECEIVED)
        reference = case.reference
        db.session.commit()

    page = client.get(client.url("meetings.list_referrals")).get_data(as_text=True)

    assert f'<td class="govuk-table__cell">{reference}</td>' in page


def test_the_agenda_and_the_transfer_pack_pdfs_show_the_reference(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=1)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.LIST_ISSUED
        reference = db.session.get(Case, seeded.case_ids[0]).reference
        db.session.commit()
    sign_in_as(Role.COORDINATOR)

    agenda = client.get(client.url("reports.download_meeting_document", meeting_id=seeded.meeting_id, kind="agenda"))
    pack = client.get(client.url("reports.download_transfer_pack", case_id=seeded.case_ids[0]))

    assert agenda.status_code == pack.status_code == 200
    assert f"{reference} (VC, MARAC 2 Dec 2026)" in pdf_text(agenda.data)
    assert f"case {reference}" in pdf_text(pack.data)
    assert reference.lower() in pack.headers["Content-Disposition"]
