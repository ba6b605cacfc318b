"""The meeting documents and the transfer pack, opened as PDFs: what each holds and what none ever holds.

One meeting is seeded and each document rendered once for the module (a render costs ~0.2 s); the
tests then read those PDFs.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from access import signin
from access import store as access_store
from access.models import Agency, AgencyKind, Role, User
from cases.models import Case, PartyRole, SafeContact
from demo.cases import add_assessment
from extensions import db
from meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    AgendaSection,
    Attendance,
    AttendanceStatus,
    CaseMinutes,
    CaseOutcome,
    Meeting,
    MeetingStatus,
    Transfer,
)
from reports import documents
from tests.conftest import build_test_app, give_session
from tests.meetings.factories import seed_meeting
from tests.reports.pdf_helpers import marking_positions, pdf_pages, pdf_text

TODAY = date.today()
MEETING_START = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=14)
CANARY_PHONE = "CANARY-SAFE-PHONE-7731"
CANARY_ADDRESS = "CANARY-REFUGE-ADDRESS 12 Hidden Lane"
VICTIMS = {0: ("Alice", "Adams"), 1: ("Bella", "Brown"), 2: ("Cara", "Clark")}
STATEMENT = "Everything said here stays here (test statement)."


@dataclass(frozen=True)
class World:
    meeting_id: int
    earlier_meeting_id: int
    earlier_case_id: str
    case_ids: list[str]
    agency_ids: dict[str, int]
    user_ids: dict[str, int]


def add_user(name: str, email: str, role: Role, agency_id: int) -> int:
    user = access_store.create_user(
        name=name,
        email=email,
        agency=db.session.get(Agency, agency_id),
        role=role,
        password_hash=signin.make_password_hash("unused in these tests"),
    )
    user.must_change_password = False
    user.totp_enrolled_at = user.created_at
    db.session.flush()
    return user.id


def seed_world(app) -> World:
    """A meeting with approved minutes: Cara and Alice (with children) then Bella (adult only), planned in
    that order; actions for Police, Health and Housing; attendance; an earlier meeting's actions under review;
    a safe-contact canary for every victim; and Alice's case transferred out to Northshire."""
    earlier = seed_meeting(app, cases=1, starts_at=MEETING_START - timedelta(days=28))
    seeded = seed_meeting(app, cases=3, starts_at=MEETING_START)
    with app.app_context():
        agencies = dict(seeded.agency_ids)
        agencies["Riverside Schools"] = access_store.create_agency(
            name="Riverside Schools", kind=AgencyKind.EDUCATION
        ).id
        police, health, housing, idva = (
            agencies[name]
            for name in (
                "Riverside Police",
                "Riverside Hospitals NHS Trust",
                "Riverside Housing",
                "Riverside IDVA Service",
            )
        )
        users = {
            "coordinator": add_user("Cora Coordinator", "cora@example.org", Role.COORDINATOR, idva),
            "chair": add_user("Chris Chair", "chris@example.org", Role.CHAIR, police),
            "police rep": add_user("Rita Rep", "rita@example.org", Role.AGENCY_REP, police),
            "housing rep": add_user("Hugo Rep", "hugo@example.org", Role.AGENCY_REP, housing),
            "schools rep": add_user("Sue Rep", "sue@example.org", Role.AGENCY_REP, agencies["Riverside Schools"]),
            "health practitioner": add_user("Pete Practitioner", "pete@example.org", Role.PRACTITIONER, health),
            "schools practitioner": add_user(
                "Sid Practitioner", "sid@example.org", Role.PRACTITIONER, agencies["Riverside Schools"]
            ),
            "admin": add_user("Ada Admin", "ada@example.org", Role.ADMIN, idva),
        }
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.status, meeting.chair_id = MeetingStatus.DISTRIBUTED, users["chair"]
        db.session.get(Meeting, earlier.meeting_id).status = MeetingStatus.DISTRIBUTED
        for case_id in [*earlier.case_ids, *seeded.case_ids]:
            agency_id = db.session.get(Case, case_id).created_by_agency_id
            db.session.add(
                SafeContact(
                    case_id=case_id,
                    agency_id=agency_id,
                    phone=CANARY_PHONE,
                    safe_to_call=True,
                    safe_address=CANARY_ADDRESS,
                )
            )
        items = [db.session.get(AgendaItem, item_id) for item_id in seeded.item_ids]
        for number, (given, family) in VICTIMS.items():
            victim = items[number].referral.case.victim
            victim.given_name, victim.family_name, victim.aliases = given, family, [f"{given[0]}. Alias{number + 1}"]
        bella = items[1]
        for party in list(bella.referral.case.parties):
            if party.role is PartyRole.CHILD:
                db.session.delete(party)
        for position, (item, section) in enumerate(
            (
                (items[2], AgendaSection.CHILDREN),
                (items[0], AgendaSection.CHILDREN),
                (items[1], AgendaSection.ADULT_ONLY),
            ),
            start=1,
        ):
            item.position, item.section = position, section
            item.starts_at = MEETING_START + timedelta(minutes=15 * position)
            item.ends_at = item.starts_at + timedelta(minutes=15)
        items[0].flags = ["children", "repeat"]
        confirmed = MEETING_START
        db.session.add_all(
            [
                Attendance(
                    meeting_id=meeting.id,
                    agency_id=police,
                    attendee_name="Pat Police",
                    status=AttendanceStatus.PRESENT,
                    confidentiality_confirmed_at=confirmed,
                ),
                Attendance(
                    meeting_id=meeting.id,
                    agency_id=health,
                    attendee_name="Hana Health",
                    status=AttendanceStatus.PRESENT,
                    confidentiality_confirmed_at=confirmed,
                ),
                Attendance(
                    meeting_id=meeting.id,
                    agency_id=housing,
                    attendee_name="Olly Observer",
                    status=AttendanceStatus.OBSERVER,
                    confidentiality_confirmed_at=confirmed,
                ),
                Attendance(
                    meeting_id=meeting.id,
                    agency_id=idva,
                    attendee_name="Abe Apology",
                    status=AttendanceStatus.APOLOGIES,
                    information_sent=True,
                ),
            ]
        )
        for number, item in enumerate(items, start=1):
            db.session.add(
                CaseMinutes(
                    agenda_item_id=item.id,
                    victim_views=f"VIEWS-{number}",
                    information_shared=f"GENERAL-{number}",
                    risks_to_victim=f"RISK-VICTIM-{number}",
                    risks_to_children=f"RISK-CHILDREN-{number}",
                    decisions=f"DECISION-{number}",
                    outcome=CaseOutcome.NEW,
                    agency_information={
                        f"agency-{police}": f"POLICE-SHARED-{number}",
                        f"agency-{health}": f"HEALTH-SHARED-{number}",
                    },
                )
            )
        add_action(items[0], "Police action one", police, "PC Ann Lee", TODAY + timedelta(days=7))
        add_action(items[1], "Police action two", police, "PC Ann Lee", TODAY - timedelta(days=3))
        add_action(items[2], "Health action one", health, "Dr Ruth Owen", TODAY + timedelta(days=10))
        add_action(
            items[2], "Housing action one", housing, "Jo Byrne", TODAY - timedelta(days=1), status=ActionStatus.DONE
        )
        earlier_item = db.session.get(AgendaItem, earlier.item_ids[0])
        add_action(
            earlier_item,
            "Earlier action done",
            police,
            "PC Ann Lee",
            TODAY - timedelta(days=20),
            status=ActionStatus.DONE,
            reviewed_at=meeting.id,
        )
        add_action(earlier_item, "Earlier action open", health, "Dr Ruth Owen", TODAY - timedelta(days=20))
        db.session.add(
            CaseMinutes(agenda_item_id=earlier_item.id, decisions="EARLIER-DECISION", outcome=CaseOutcome.NEW)
        )
        db.session.add(
            Transfer(
                case_id=seeded.case_ids[0],
                incoming=False,
                other_area="Northshire",
                transferred_on=TODAY,
                what_was_sent="Previous minutes",
                recorded_by_id=users["coordinator"],
            )
        )
        officer = db.session.get(User, users["chair"])
        add_assessment(
            db.session.get(Case, seeded.case_ids[0]), officer, "dara", {"grade": "high"}, TODAY - timedelta(days=2)
        )
        app.config["CONFIDENTIALITY_STATEMENT"] = STATEMENT
        db.session.commit()
        return World(seeded.meeting_id, earlier.meeting_id, earlier.case_ids[0], seeded.case_ids, agencies, users)


def add_action(item, description, agency_id, owner, due_on, status=ActionStatus.OPEN, reviewed_at=None):
    db.session.add(
        Action(
            case_id=item.referral.case_id,
            agenda_item_id=item.id,
            description=description,
            owner_agency_id=agency_id,
            owner_name=owner,
            due_on=due_on,
            status=status,
            reviewed_at_meeting_id=reviewed_at,
        )
    )


def client_for(app, user_id: int):
    client = app.test_client()
    give_session(app, client, user_id)
    return client


@pytest.fixture(scope="module")
def downloads(world_app) -> dict[str, bytes]:
    """Each document once, as the coordinator downloads it; the agenda and Police plan also as Police's rep."""
    app, world = world_app
    coordinator, rep = client_for(app, world.user_ids["coordinator"]), client_for(app, world.user_ids["police rep"])
    meeting = world.meeting_id
    police, health = world.agency_ids["Riverside Police"], world.agency_ids["Riverside Hospitals NHS Trust"]
    requests = {
        "research pack": (
            coordinator,
            coordinator.url("reports.download_meeting_document", meeting_id=meeting, kind="research-pack"),
        ),
        "agenda": (
            coordinator,
            coordinator.url("reports.download_meeting_document", meeting_id=meeting, kind="agenda"),
        ),
        "minutes": (
            coordinator,
            coordinator.url("reports.download_meeting_document", meeting_id=meeting, kind="minutes"),
        ),
        "action plan": (
            coordinator,
            coordinator.url("reports.download_meeting_document", meeting_id=meeting, kind="action-plan"),
        ),
        "police plan": (rep, rep.url("reports.download_agency_action_plan", meeting_id=meeting, agency_id=police)),
        "health plan": (
            coordinator,
            coordinator.url("reports.download_agency_action_plan", meeting_id=meeting, agency_id=health),
        ),
        "transfer pack": (coordinator, coordinator.url("reports.download_transfer_pack", case_id=world.case_ids[0])),
        "rep agenda": (rep, rep.url("reports.download_meeting_document", meeting_id=meeting, kind="agenda")),
    }
    bodies = {}
    for name, (client, url) in requests.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response.mimetype == "application/pdf", name
        bodies[name] = response.data
    return bodies


COORDINATOR_COPIES = ["research pack", "agenda", "minutes", "action plan", "health plan", "transfer pack"]
ALL_COPIES = [*COORDINATOR_COPIES, "police plan", "rep agenda"]


@pytest.mark.parametrize("name", ALL_COPIES)
def test_every_page_is_marked_top_and_bottom_and_numbered(downloads, name):
    pages = pdf_pages(downloads[name])
    positions = marking_positions(downloads[name], "OFFICIAL-SENSITIVE")

    assert len(positions) == len(pages) >= 1
    for number, (page, (top, bottom)) in enumerate(zip(pages, positions), start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert (top, bottom) == (1, 1), f"page {number}: marking {top} at the top and {bottom} at the bottom"


@pytest.mark.parametrize("name", COORDINATOR_COPIES)
def test_every_page_names_who_the_copy_was_made_for(downloads, name):
    for page in pdf_pages(downloads[name]):
        assert "Prepared for Cora Coordinator, Riverside IDVA Service on" in page


def test_a_representatives_copy_is_made_for_them(downloads):
    for page in pdf_pages(downloads["rep agenda"]):
        assert "Prepared for Rita Rep, Riverside Police on" in page
        assert "Cora Coordinator" not in page


@pytest.mark.parametrize("name", ALL_COPIES)
def test_no_document_holds_a_safe_contact_or_an_address(downloads, name):
    text = pdf_text(downloads[name])

    assert "CANARY" not in text
    assert "Hidden Lane" not in text
    assert "RV1 2AB" not in text  # every seeded victim's postcode


def test_the_agenda_runs_in_the_planned_order_with_cases_with_children_first(downloads):
    text = pdf_text(downloads["agenda"])
    day = MEETING_START.strftime("%-d %b %Y")

    order = [
        text.index(marker)
        for marker in (
            "1. Introductions",
            "2. Review of incomplete actions",
            "3. Cases with children",
            f"CC, MARAC {day}",
            f"AA, MARAC {day}",
            "4. Adult-only cases",
            f"BB, MARAC {day}",
            "5. Cases reaching 12 months",
            "6. Any other business",
        )
    ]
    assert order == sorted(order)


def test_the_agenda_shows_the_referral_facts_but_no_full_names_or_dates_of_birth(downloads):
    text = pdf_text(downloads["agenda"])

    for shown in ("Riverside IDVA Service", "Visible high risk (checklist score)", "Repeat", "Children"):
        assert shown in text
    for hidden in (
        "Alice",
        "Adams",
        "Bella",
        "Brown",
        "Cara",
        "Clark",
        "Perpetrator1",
        "Child1",
        "1990",
        "1985",
        "2018",
        "Alias",
    ):
        assert hidden not in text


def test_the_research_pack_holds_the_identifiers_agencies_search_with_and_the_deadline(downloads, world_app):
    text = pdf_text(downloads["research pack"])

    for shown in (
        "Case 1: Cara CLARK",
        "Case 2: Alice ADAMS",
        "Case 3: Bella BROWN",
        "Alice ADAMS, born 1 January 1990",
        "also known as A. Alias1",
        "Perpetrator1 CASE, born 1 January 1985",
        "Child1 CASE, born 1 January 2018",
        "Riverside IDVA Service",
        "Research due",
    ):
        assert shown in text
    assert text.index("Case 1: Cara CLARK") < text.index("Case 2: Alice ADAMS") < text.index("Case 3: Bella BROWN")
    assert "Child2" not in text  # Bella's child was taken off her case


def test_the_research_pack_flags_a_case_transferred_in(world_app):
    app, world = world_app
    with app.app_context():
        db.session.add(
            Transfer(
                case_id=world.case_ids[1],
                incoming=True,
                other_area="Eastvale",
                transferred_on=TODAY,
                what_was_sent="",
                recorded_by_id=world.user_ids["coordinator"],
            )
        )
        db.session.commit()
    try:
        client = client_for(app, world.user_ids["coordinator"])
        text = pdf_text(
            client.get(
                client.url("reports.download_meeting_document", meeting_id=world.meeting_id, kind="research-pack")
            ).data
        )
    finally:
        with app.app_context():
            db.session.query(Transfer).filter_by(other_area="Eastvale").delete()
            db.session.commit()

    assert "Transferred from Eastvale" in text


def test_the_minutes_hold_the_header_attendance_statement_and_review_of_actions(downloads):
    text = pdf_text(downloads["minutes"])

    for shown in (
        "Chris Chair",
        "Room 2",
        "Pat Police",
        "Hana Health",
        "Olly Observer",
        "Abe Apology",
        STATEMENT,
        "Earlier action done",
        "Earlier action open",
    ):
        assert shown in text
    assert (
        text.index("Present")
        < text.index("Pat Police")
        < text.index("Observers")
        < text.index("Olly Observer")
        < text.index("Apologies")
        < text.index("Abe Apology")
    )


def test_the_minutes_give_each_case_in_agenda_order_with_what_each_agency_shared_and_its_actions(downloads):
    text = pdf_text(downloads["minutes"])
    day = MEETING_START.strftime("%-d %b %Y")
    cara, alice, bella = (
        re.search(rf"Case {number}: MARAC-\d{{4}}-\d{{4}} \({initials}, MARAC {day}\)", text).start()
        for number, initials in ((1, "CC"), (2, "AA"), (3, "BB"))
    )

    assert cara < alice < bella
    # Cara's minutes are item 3's, Alice's item 1's: the planned order, not the order cases were added;
    # agencies by name.
    assert (
        cara
        < text.index("HEALTH-SHARED-3")
        < text.index("POLICE-SHARED-3")
        < text.index("DECISION-3")
        < text.index("Health action one")
        < alice
    )
    assert (
        alice
        < text.index("Alice ADAMS")
        < text.index("VIEWS-1")
        < text.index("RISK-VICTIM-1")
        < text.index("Police action one")
        < bella
    )
    assert bella < text.index("POLICE-SHARED-2") < text.index("Police action two")
    assert "DRAFT" not in text


def test_the_whole_action_plan_holds_every_action_of_the_meeting_and_marks_the_overdue_one(downloads):
    text = pdf_text(downloads["action plan"])

    for description in ("Police action one", "Police action two", "Health action one", "Housing action one"):
        assert description in text
    assert "Earlier action" not in text
    assert "4 actions; 1 overdue" in text
    assert (
        text.count("Overdue") == 3
    )  # the flag on its row, the chase-list heading and the flag again in the chase list


@pytest.mark.parametrize(
    "name, own, others",
    [
        (
            "police plan",
            ["Police action one", "Police action two"],
            ["Health action", "Housing action", "Earlier action"],
        ),
        ("health plan", ["Health action one"], ["Police action", "Housing action", "Earlier action"]),
    ],
)
def test_an_agencys_action_plan_holds_its_actions_and_no_other_agencys(downloads, name, own, others):
    text = pdf_text(downloads[name])

    for description in own:
        assert description in text
    for description in others:
        assert description not in text


def test_the_transfer_pack_holds_the_risk_history_earlier_minutes_and_actions(downloads):
    text = pdf_text(downloads["transfer pack"])

    for shown in (
        "Alice ADAMS, born 1 January 1990",
        "Perpetrator1 CASE",
        "Transferred out to",
        "Northshire",
        "Risk assessments",
        "Eligibility decisions",
        "Referrals",
        "Visible high risk (checklist score)",
        "VIEWS-1",
        "POLICE-SHARED-1",
        "DECISION-1",
        "Police action one",
    ):
        assert shown in text
    for other_case in ("Bella", "Cara", "DECISION-2", "DECISION-3", "Health action one", "Police action two"):
        assert other_case not in text


def test_the_pdfs_name_the_unchecked_rules_their_results_and_decisions_rely_on(downloads):
    transfer, research = pdf_text(downloads["transfer pack"]), pdf_text(downloads["research pack"])

    assert "These results rely on rules not yet checked against a source" in transfer
    assert "Grade standard / medium / high to common tiers 1 / 2 / 3 is our proposal" in transfer
    assert "These decisions rely on rules not yet checked against a source" in transfer
    assert "Relies on rules not yet checked against a source" in research
    assert "Days an assessment stays current" in research


def test_a_configured_marking_replaces_the_default_on_every_page(world_app, module_database_url):
    _, world = world_app
    with build_test_app(module_database_url, PROTECTIVE_MARKING="RESTRICTED WHEN COMPLETE") as marked_app:
        client = client_for(marked_app, world.user_ids["coordinator"])
        body = client.get(
            client.url("reports.download_meeting_document", meeting_id=world.meeting_id, kind="agenda")
        ).data

    assert marking_positions(body, "RESTRICTED WHEN COMPLETE") == [(1, 1)] * len(pdf_pages(body))
    assert "OFFICIAL-SENSITIVE" not in pdf_text(body)


def test_the_minutes_count_as_views_of_the_cases_discussed_and_of_those_whose_actions_were_reviewed(world_app):
    app, world = world_app
    with app.test_request_context():
        meeting = db.session.get(Meeting, world.meeting_id)
        minutes = documents.Offer(documents.DocumentKind.MINUTES, "Minutes")
        document = documents.meeting_document(meeting, minutes, db.session.get(User, world.user_ids["coordinator"]))

    assert document.case_ids == (world.case_ids[2], world.case_ids[0], world.case_ids[1], world.earlier_case_id)
