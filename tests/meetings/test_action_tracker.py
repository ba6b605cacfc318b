"""The action tracker (issue 18): grouped by owning agency with a heading each, overdue first, each row
linking to its case and meeting; search, filter, sort and pages; exclusion lists hold for rows and counts."""

import re
from datetime import date, timedelta

import pytest

from access.models import Role
from cases.models import ExcludedPerson
from extensions import db
from tests.meetings.factories import MEETING_START, seed_meeting
from tests.meetings.test_actions import HEALTH, POLICE, add_action, page


@pytest.fixture
def seeded(app):
    return seed_meeting(app, cases=2)


@pytest.fixture
def coordinator(sign_in_as):
    return sign_in_as(Role.COORDINATOR, email="coordinator@example.org", agency="Riverside IDVA Service")


def reference(app, case_id) -> str:
    from cases.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).reference


def test_each_agency_has_a_heading_and_its_overdue_actions_come_first(app, client, coordinator, seeded):
    add_action(app, seeded, agency=POLICE, due_in_days=5, description="Police later")
    add_action(app, seeded, agency=POLICE, due_in_days=-3, description="Police overdue")
    add_action(app, seeded, agency=HEALTH, due_in_days=1, description="Health soon")
    add_action(app, seeded, agency=HEALTH, due_in_days=-1, description="Health overdue")

    text = page(client, "meetings.list_actions")

    health, police = text.index(f">{HEALTH}</h2>"), text.index(f">{POLICE}</h2>")
    assert health < text.index("Health overdue") < text.index("Health soon") < police
    assert police < text.index("Police overdue") < text.index("Police later")


def test_each_row_links_to_its_case_by_reference_and_to_its_meeting(app, client, coordinator, seeded):
    add_action(app, seeded, agency=POLICE, description="Police to check the address history")

    text = page(client, "meetings.list_actions")

    case_link = client.url("cases.view_case", case_id=seeded.case_ids[0])
    assert re.search(
        rf'<a class="govuk-link" href="{re.escape(case_link)}">{reference(app, seeded.case_ids[0])}</a>', text
    )
    assert client.url("meetings.view_meeting", meeting_id=seeded.meeting_id) in text
    assert "Victim1" not in text


def test_a_representative_not_involved_in_the_case_sees_the_reference_without_a_dead_link(
    app, client, sign_in_as, seeded
):
    add_action(app, seeded, agency=HEALTH, description="Health to book a GP review")
    sign_in_as(Role.AGENCY_REP, agency=HEALTH)

    text = page(client, "meetings.list_actions")

    assert reference(app, seeded.case_ids[0]) in text
    assert client.url("cases.view_case", case_id=seeded.case_ids[0]) not in text


def test_search_finds_by_case_reference_or_words_of_the_description(app, client, coordinator, seeded):
    add_action(app, seeded, case=0, description="Police to check the address history")
    add_action(app, seeded, case=1, description="Book a GP review")

    by_words = page(client, "meetings.list_actions", q="address HISTORY")
    by_reference = page(client, "meetings.list_actions", q=reference(app, seeded.case_ids[1]))

    assert "Police to check the address history" in by_words and "Book a GP review" not in by_words
    assert "Book a GP review" in by_reference and "Police to check the address history" not in by_reference


def test_filters_for_status_agency_overdue_and_due_before(app, client, coordinator, seeded):
    add_action(app, seeded, agency=POLICE, due_in_days=-2, description="Police overdue")
    add_action(app, seeded, agency=POLICE, due_in_days=40, description="Police far")
    add_action(app, seeded, agency=HEALTH, due_in_days=3, description="Health soon")
    add_action(
        app, seeded, agency=HEALTH, due_in_days=-9, description="Health done", status="done", completion_note="x"
    )
    before = date.today() + timedelta(days=10)

    overdue = page(client, "meetings.list_actions", overdue="y")
    done = page(client, "meetings.list_actions", status="done")
    soon = page(client, "meetings.list_actions", due_before=[before.day, before.month, before.year])
    police = page(client, "meetings.list_actions", agency=seeded.agency_ids[POLICE])

    assert "Police overdue" in overdue and "Health soon" not in overdue and "Police far" not in overdue
    assert "Health done" in done and "Police overdue" not in done
    assert "Police overdue" in soon and "Health soon" in soon and "Police far" not in soon
    assert "Police far" in police and "Health soon" not in police


def test_bad_filter_input_says_what_to_fix(app, client, coordinator, seeded):
    add_action(app, seeded, description="Police to check the address history")

    text = page(client, "meetings.list_actions", due_before=["31", "2", "2027"])

    assert "Enter a real date" in text or "Enter the date as a day, month and year" in text
    assert "Police to check the address history" in text


def test_sort_by_due_date_latest_first(app, client, coordinator, seeded):
    add_action(app, seeded, due_in_days=2, description="Sooner")
    add_action(app, seeded, due_in_days=20, description="Later")

    text = page(client, "meetings.list_actions", sort="due-latest")

    assert text.index("Later") < text.index("Sooner")


def test_pages_say_how_many_are_shown_of_how_many(app, client, coordinator, seeded):
    app.config["ACTION_TRACKER_PAGE_SIZE"] = 3
    for number in range(7):
        add_action(app, seeded, due_in_days=number + 1, description=f"Action number {number}")

    first = page(client, "meetings.list_actions")
    last = page(client, "meetings.list_actions", page=3)

    assert "Showing 1 to 3 of 7 actions" in first
    assert "Action number 0" in first and "Action number 3" not in first
    assert "Showing 7 to 7 of 7 actions" in last and "Action number 6" in last
    assert client.url("meetings.list_actions", page=2) in first


def test_Z2_an_excluded_representative_sees_no_row_and_no_count_for_that_case(
    app, client, make_user, sign_in_as, seeded
):
    add_action(app, seeded, agency=POLICE, case=0, description="Kept from Jo")
    add_action(app, seeded, agency=POLICE, case=1, description="Shown to Jo")
    with app.app_context():
        db.session.add(
            ExcludedPerson(case_id=seeded.case_ids[0], name="Jo Bloggs", note=None, recorded_by_id=seeded.referrer_id)
        )
        db.session.commit()
    user_id, _ = make_user(email="jo@example.org", role=Role.AGENCY_REP, agency=POLICE, name="Jo Bloggs")
    from tests.conftest import give_session

    give_session(app, client, user_id)

    text = page(client, "meetings.list_actions")

    assert "Shown to Jo" in text and "Kept from Jo" not in text
    assert reference(app, seeded.case_ids[0]) not in text
    assert "Showing 1 to 1 of 1 action" in text


def reads_for_page(app, client, path) -> int:
    """SELECTs only: the audit trail writes one row per case listed (SECURITY L2), by design."""
    client.get(path)
    with app.app_context():
        engine = db.engine
    statements = []

    def keep(conn, cursor, statement, *_):
        statements.append(statement.lstrip().upper().startswith("SELECT"))

    from sqlalchemy import event

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return sum(statements)


def test_the_tracker_makes_as_many_queries_for_many_actions_as_for_few(app, client, coordinator):
    few = seed_meeting(app, cases=1)
    add_action(app, few, description="Only one")
    path = client.url("meetings.list_actions")
    few_queries = reads_for_page(app, client, path)
    many = seed_meeting(app, cases=3, starts_at=MEETING_START - timedelta(days=14))
    for case in range(3):
        for agency in (POLICE, HEALTH):
            add_action(app, many, agency=agency, case=case, description="One of many")

    assert reads_for_page(app, client, path) == few_queries
