"""Cheaper pages (issue 20): a page asks each of the policy's questions about its meeting, case or action once,
reads what it shows once, and reads nothing for an empty list. Each test counts the SQL statements of one kind
that a page of the seeded world runs, as the coordinator who runs the meeting (the load mix's user)."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from access.models import Agency, Role, User
from cases import store as cases_store
from extensions import db
from meetings.models import Invitation
from tests.conftest import give_session
from tests.sql_statements import statements_run
from tests.world import seed_world, world_app

ASKS_IF_INVITED = re.compile(r"FROM invitation WHERE invitation\.meeting_id = \S+ AND invitation\.agency_id = ")
# The exclusion list of the cases named by id: the header's own check names its cases by a subquery instead.
READS_EXCLUSIONS_OF_LISTED_CASES = re.compile(r"FROM excluded_person WHERE excluded_person\.case_id IN \((?!SELECT)")
READS_TRANSFERS_OF_CASE = re.compile(r"FROM transfer WHERE transfer\.case_id = ")
READS_HEARINGS_OF_CASE = re.compile(r"^SELECT agenda_item\.id, .* FROM agenda_item JOIN referral ")


@pytest.fixture(scope="module")
def world(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("page-statements")) as app:
        yield app, seed_world(app, cases=3)


def statements_of_page(world, path: str, method: str = "GET", data=None) -> list[str]:
    """The statements of the second request for the page (the first warms what a process loads once)."""
    app, seeded = world
    client = app.test_client()
    give_session(app, client, seeded.users[Role.COORDINATOR])
    client.open(path, method=method, data=data)
    with statements_run(app) as statements:
        answer = client.open(path, method=method, data=data)
    assert answer.status_code < 400, f"{method} {path} gave {answer.status_code}"
    return statements


def how_many(statements: list[str], kind: re.Pattern) -> int:
    return sum(1 for statement in statements if kind.search(" ".join(statement.split())))


def minutes_path(world) -> str:
    ids = world[1].ids
    return f"/meetings/{ids['meeting_id']}/cases/{ids['item_id']}/minutes"


def test_the_agenda_asks_once_whether_the_users_agency_is_invited(world):
    statements = statements_of_page(world, f"/meetings/{world[1].ids['meeting_id']}")

    assert how_many(statements, ASKS_IF_INVITED) == 1


def test_the_minutes_page_asks_once_whether_the_users_agency_is_invited(world):
    statements = statements_of_page(world, minutes_path(world))

    assert how_many(statements, ASKS_IF_INVITED) == 1


def test_the_minutes_page_runs_no_more_statements_for_one_more_invited_agency(world):
    """The invited agencies (one field of the minutes each) are read with their invitations, not one by one."""
    app, seeded = world
    before = statements_of_page(world, minutes_path(world))
    with app.app_context():
        housing = db.session.scalar(select(Agency).where(Agency.name == "Riverside Housing"))
        invitation = Invitation(meeting_id=seeded.ids["meeting_id"], agency_id=housing.id)
        db.session.add(invitation)
        db.session.commit()
        invitation_id = invitation.id
    try:
        after = statements_of_page(world, minutes_path(world))
    finally:
        with app.app_context():
            db.session.delete(db.session.get(Invitation, invitation_id))
            db.session.commit()

    assert len(after) == len(before)


def test_an_action_page_reads_the_exclusion_list_of_its_case_once(world):
    statements = statements_of_page(world, f"/actions/{world[1].ids['action_id']}")

    assert how_many(statements, READS_EXCLUSIONS_OF_LISTED_CASES) == 1


def test_the_case_page_reads_its_transfers_and_its_hearings_once(world):
    statements = statements_of_page(world, f"/cases/{world[1].ids['case_id']}")

    assert how_many(statements, READS_TRANSFERS_OF_CASE) == 1
    assert how_many(statements, READS_HEARINGS_OF_CASE) == 1


def test_the_policys_facts_about_a_case_take_three_statements(world):
    """Who is involved (with which of them are IDVA services), whose exclusion list names the user, and
    whether the user broke the glass."""
    app, seeded = world
    with app.app_context():
        user = db.session.get(User, seeded.users[Role.PRACTITIONER])
        with statements_run(app) as statements:
            scopes = cases_store.case_scopes(user, [seeded.ids["case_id"]])

    assert len(statements) == 3
    assert scopes[seeded.ids["case_id"]].involved_agency_ids


def test_the_policys_facts_about_no_cases_take_no_statement(world):
    app, seeded = world
    with app.app_context():
        user = db.session.get(User, seeded.users[Role.PRACTITIONER])
        with statements_run(app) as statements:
            scopes = cases_store.case_scopes(user, [])
            visible = cases_store.cases_visible_to(user, [])
            excluding = cases_store.cases_excluding(user, [])

    assert (scopes, visible, excluding, statements) == ({}, set(), set(), [])


def test_the_idva_services_on_a_case_are_still_told_apart(world):
    """Reading the agencies' kinds with who is involved keeps the IDVA service (the referrer's), and only it."""
    app, seeded = world
    with app.app_context():
        user = db.session.get(User, seeded.users[Role.PRACTITIONER])
        case = cases_store.get_case_by_id(seeded.ids["case_id"])
        cases_store.add_incident(
            case,
            occurred_on=date.today(),
            type="threats",
            agency_id=seeded.own_agency_id,
            reference=None,
            recorded_by=user,
        )
        scope = cases_store.case_scopes(user, [case.id])[case.id]
        idva = db.session.scalar(select(Agency.id).where(Agency.name == "Riverside IDVA Service"))
        db.session.rollback()

    assert {idva, seeded.own_agency_id} <= scope.involved_agency_ids
    assert scope.idva_agency_ids == {idva}


# What a row has one of (its referral, case, victim, meeting, agency, author) is joined to the row, not read after.
LOADS_BY_KEY = re.compile(r"FROM (agenda_item|meeting|referral|marac_case|person|agency) WHERE \1\.id = ")
LOADS_AFTER = re.compile(
    r"^SELECT (referral|marac_case|person|eligibility_decision|user_account|agency|meeting|agenda_item)\.id, [^()]*"
    r"FROM \1 WHERE \1\.id IN \("
)


def test_the_agenda_reads_its_items_with_their_referral_case_victim_and_decision(world):
    statements = statements_of_page(world, f"/meetings/{world[1].ids['meeting_id']}")

    assert how_many(statements, LOADS_AFTER) == 0


def test_an_action_page_reads_the_action_with_its_meeting_case_victim_and_agency(world):
    statements = statements_of_page(world, f"/actions/{world[1].ids['action_id']}")

    assert how_many(statements, LOADS_BY_KEY) == 0


def test_the_case_page_reads_its_lists_with_who_made_them(world):
    """Assessments, referrals, incidents and actions, each with its people, agencies and meetings."""
    statements = statements_of_page(world, f"/cases/{world[1].ids['case_id']}")

    assert how_many(statements, LOADS_AFTER) == 0


def test_the_agenda_reads_the_referring_agencies_with_the_referrals(world):
    statements = statements_of_page(world, f"/meetings/{world[1].ids['meeting_id']}")

    assert how_many(statements, re.compile(r"FROM agency WHERE agency\.id = ")) == 0


def test_the_minutes_page_reads_its_item_with_its_referral(world):
    statements = statements_of_page(world, minutes_path(world))

    assert how_many(statements, re.compile(r"FROM referral WHERE referral\.id = ")) == 0


WRITES_LAST_SEEN = re.compile(r"^UPDATE user_session SET last_seen_at")


def test_a_page_opened_again_within_a_minute_writes_nothing_to_the_session(world):
    """The idle clock moves in steps of a thirtieth of the idle limit (tests/access/test_session_timeout.py)."""
    statements = statements_of_page(world, f"/actions/{world[1].ids['action_id']}")

    assert how_many(statements, WRITES_LAST_SEEN) == 0


def test_the_header_counts_unread_notifications_in_one_statement(world):
    """The count and whether any of the notified cases has an exclusion list, asked together."""
    statements = statements_of_page(world, "/cases/new")

    assert how_many(statements, re.compile(r"FROM notification")) == 1


# The retention panel's own reads of the case's latest referral, assessment and hearing, and of when it was opened.
READS_RETENTION_DATES = re.compile(
    r"^SELECT (referral|assessment)\.case_id, max\(|^SELECT marac_case\.id, marac_case\.created_at FROM marac_case"
)


def test_the_case_pages_retention_panel_works_its_date_out_from_the_rows_the_page_has_read(world):
    """Its referrals, assessments and hearings, read once for the history (tests/reports/test_retention.py
    holds the date to the review's)."""
    statements = statements_of_page(world, f"/cases/{world[1].ids['case_id']}")

    assert how_many(statements, READS_RETENTION_DATES) == 0


def test_the_minutes_page_reads_the_transfers_of_the_agenda_once(world):
    """The case's own "transferred from" comes from the running order's rows, which hold it already."""
    statements = statements_of_page(world, minutes_path(world))

    assert how_many(statements, re.compile(r"FROM transfer WHERE transfer\.case_id IN ")) == 1


ASKS_ABOUT_BROKEN_GLASS = re.compile(r"FROM break_glass_grant WHERE break_glass_grant\.user_id = ")


def test_the_minutes_page_asks_the_policy_about_its_case_with_the_rest_of_the_running_order(world):
    """The running order beside the minutes asks the policy about every case on the agenda, this one among them,
    so the case is not asked about again on its own."""
    statements = statements_of_page(world, minutes_path(world))

    assert how_many(statements, ASKS_ABOUT_BROKEN_GLASS) == 1
