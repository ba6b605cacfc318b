"""MARAC-to-MARAC transfers: recording them, what an outgoing one does to the queue, and the agenda's area."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role
from cases.models import Referral, ReferralState
from extensions import db
from meetings import store
from meetings.models import Transfer
from tests.meetings.factories import seed_meeting

TODAY = date.today()


def as_form_date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def transfer_data(**changes) -> dict:
    return {
        "direction": "out",
        "other_area": "Northshire",
        "transferred_on": as_form_date(TODAY - timedelta(days=1)),
        "sent": ["previous-minutes", "idva-handover"],
        "note": "",
    } | changes


def set_state(app, referral_id, state):
    with app.app_context():
        db.session.get(Referral, referral_id).state = state
        db.session.commit()


def state_of(app, referral_id) -> tuple:
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        return referral.state, referral.state_reason


def transfers(app) -> list[Transfer]:
    with app.app_context():
        rows = list(db.session.scalars(select(Transfer).order_by(Transfer.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.fixture
def seeded(app):
    return seed_meeting(app, cases=2)


def test_the_form_asks_for_direction_area_date_and_what_was_sent_and_records_the_view(app, client, sign_in_as, seeded):
    sign_in_as(Role.COORDINATOR)

    response = client.get(client.url("meetings.record_transfer", case_id=seeded.case_ids[0]))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (
        "Which way is the case moving?",
        "The other MARAC area",
        "Date of the transfer",
        "Previous minutes",
        "Action plans",
        "Risk assessments",
        "IDVA handover",
    ):
        assert text in page
    assert audit_count(app, "case-viewed") == 1


def test_an_outgoing_transfer_is_recorded_and_takes_the_waiting_referral_out_of_the_queue(
    app, client, sign_in_as, seeded
):
    set_state(app, seeded.referral_ids[0], ReferralState.ACCEPTED)
    coordinator_id = sign_in_as(Role.COORDINATOR)

    response = client.post(
        client.url("meetings.record_transfer", case_id=seeded.case_ids[0]),
        data=transfer_data(note="Police file sent by secure email"),
    )

    assert response.status_code == 302
    assert response.location == client.url("meetings.list_transfers", case_id=seeded.case_ids[0])
    [transfer] = transfers(app)
    assert (transfer.case_id, transfer.incoming, transfer.other_area, transfer.transferred_on) == (
        seeded.case_ids[0],
        False,
        "Northshire",
        TODAY - timedelta(days=1),
    )
    assert transfer.what_was_sent == "Previous minutes\nIDVA handover\nNote: Police file sent by secure email"
    assert transfer.recorded_by_id == coordinator_id
    state, reason = state_of(app, seeded.referral_ids[0])
    assert state is ReferralState.TRANSFERRED
    assert "Transferred out to the Northshire MARAC" in reason
    assert state_of(app, seeded.referral_ids[1])[0] is ReferralState.SCHEDULED
    assert audit_count(app, "transfer-recorded") == 1

    page = client.get(response.location).get_data(as_text=True)
    assert "Transfer out to Northshire recorded" in page
    assert "leaves the referral queue" in page
    assert "Transferred out to" in page and "IDVA handover" in page


def test_a_referral_already_on_an_agenda_stays_there(app, client, sign_in_as, seeded):
    sign_in_as(Role.COORDINATOR)

    client.post(client.url("meetings.record_transfer", case_id=seeded.case_ids[0]), data=transfer_data())

    assert state_of(app, seeded.referral_ids[0]) == (ReferralState.SCHEDULED, None)
    assert len(transfers(app)) == 1


def test_an_incoming_transfer_changes_no_referral_and_gives_the_agenda_its_area(app, client, sign_in_as, seeded):
    set_state(app, seeded.referral_ids[0], ReferralState.RECEIVED)
    sign_in_as(Role.COORDINATOR)

    response = client.post(
        client.url("meetings.record_transfer", case_id=seeded.case_ids[0]),
        data=transfer_data(direction="in", other_area="Eastvale", sent=[], note="Minutes from their last two meetings"),
        follow_redirects=True,
    )

    assert "Transfer in from Eastvale recorded" in response.get_data(as_text=True)
    assert state_of(app, seeded.referral_ids[0]) == (ReferralState.RECEIVED, None)
    with app.app_context():
        assert store.transfer_in_areas(seeded.case_ids) == {seeded.case_ids[0]: "Eastvale"}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"direction": ""}, "Choose whether the case is coming in from another area or going out to one"),
        ({"other_area": "  "}, "Enter the other MARAC area"),
        ({"other_area": "x" * 121}, "Enter an area of 120 characters or fewer"),
        ({"transferred_on": ["", "", ""]}, "Enter the date of the transfer"),
        (
            {"transferred_on": as_form_date(TODAY + timedelta(days=1))},
            "Enter a transfer date that is today or in the past",
        ),
        ({"sent": [], "note": " "}, "Choose what was sent or received, or describe it in the note"),
    ],
)
def test_bad_input_says_what_to_fix_and_changes_nothing(app, client, sign_in_as, seeded, changes, message):
    set_state(app, seeded.referral_ids[0], ReferralState.ACCEPTED)
    sign_in_as(Role.COORDINATOR)

    response = client.post(
        client.url("meetings.record_transfer", case_id=seeded.case_ids[0]), data=transfer_data(**changes)
    )

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert transfers(app) == []
    assert state_of(app, seeded.referral_ids[0])[0] is ReferralState.ACCEPTED
    assert audit_count(app, "transfer-recorded") == 0


def test_the_chair_sees_transfers_but_only_the_coordinator_records_them(app, client, sign_in_as, seeded):
    sign_in_as(Role.CHAIR)

    listing = client.get(client.url("meetings.list_transfers", case_id=seeded.case_ids[0]))

    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    assert "No transfers are recorded for this case" in page
    assert "The MARAC coordinator records transfers" in page
    assert client.get(client.url("meetings.record_transfer", case_id=seeded.case_ids[0])).status_code == 403
    assert (
        client.post(
            client.url("meetings.record_transfer", case_id=seeded.case_ids[0]), data=transfer_data()
        ).status_code
        == 403
    )
    assert transfers(app) == []


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.AGENCY_REP, Role.ADMIN])
def test_other_roles_cannot_see_transfers(client, sign_in_as, seeded, role):
    sign_in_as(role, agency="Riverside IDVA Service")

    assert client.get(client.url("meetings.list_transfers", case_id=seeded.case_ids[0])).status_code == 403


def test_an_unknown_case_is_not_found(client, sign_in_as):
    sign_in_as(Role.COORDINATOR)
    unknown = "00000000-0000-4000-8000-000000000000"

    assert client.get(client.url("meetings.record_transfer", case_id=unknown)).status_code == 404
    assert client.get(client.url("meetings.list_transfers", case_id=unknown)).status_code == 404


def add_transfer(app, case_id, *, incoming, area, days_ago, recorded_by_id):
    with app.app_context():
        store.add_transfer(
            case_id=case_id,
            incoming=incoming,
            other_area=area,
            transferred_on=TODAY - timedelta(days=days_ago),
            what_was_sent="Previous minutes",
            recorded_by_id=recorded_by_id,
        )
        db.session.commit()


def test_transfer_in_areas_gives_the_latest_incoming_transfer_per_case(app, seeded):
    first, second = seeded.case_ids
    add_transfer(app, first, incoming=True, area="Eastvale", days_ago=200, recorded_by_id=seeded.referrer_id)
    add_transfer(app, first, incoming=True, area="Westmoor", days_ago=20, recorded_by_id=seeded.referrer_id)
    add_transfer(app, first, incoming=False, area="Southport", days_ago=5, recorded_by_id=seeded.referrer_id)
    add_transfer(app, second, incoming=False, area="Southport", days_ago=5, recorded_by_id=seeded.referrer_id)

    with app.app_context():
        assert store.transfer_in_areas([first, second]) == {first: "Westmoor"}
        assert store.transfer_in_areas([]) == {}


def test_the_list_shows_transfers_newest_first(app, client, sign_in_as, seeded):
    add_transfer(
        app, seeded.case_ids[0], incoming=True, area="Eastvale", days_ago=200, recorded_by_id=seeded.referrer_id
    )
    add_transfer(
        app, seeded.case_ids[0], incoming=False, area="Westmoor", days_ago=3, recorded_by_id=seeded.referrer_id
    )
    sign_in_as(Role.COORDINATOR)

    page = client.get(client.url("meetings.list_transfers", case_id=seeded.case_ids[0])).get_data(as_text=True)

    assert page.index("Westmoor") < page.index("Eastvale")
    assert "Transferred in from" in page and "Transferred out to" in page
    assert "Record a transfer" in page


def test_the_minutes_page_of_a_case_transferred_in_names_the_area_it_came_from(app, client, sign_in_as, seeded):
    """Its running-order row holds the area (read with the whole agenda's), and only its own page shows it."""
    sign_in_as(Role.COORDINATOR)
    client.post(
        client.url("meetings.record_transfer", case_id=seeded.case_ids[0]),
        data=transfer_data(direction="in", other_area="Eastvale", sent=[], note="Minutes from their last meeting"),
    )

    def minutes_page(item_id) -> str:
        path = client.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=item_id)
        return " ".join(client.get(path).get_data(as_text=True).split())

    transferred, other = (minutes_page(item_id) for item_id in seeded.item_ids)
    assert 'Transferred from</dt><dd class="govuk-summary-list__value">Eastvale' in transferred
    assert "Transferred from" not in other
