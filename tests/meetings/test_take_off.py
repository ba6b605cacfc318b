"""Issue 18, finding 2: "Take off" asks first and says who will be told, and can be undone ("Put it back")
while the meeting has not started and the case has not been planned elsewhere. Audited both ways (L2)."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from access.models import AuditEvent, Role
from cases.models import Referral, ReferralState
from extensions import db
from meetings.agenda import request_research
from meetings.models import AgendaItem, AgendaSection, Meeting, MeetingStatus, ResearchReturn
from tests.meetings.factories import seed_meeting

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)


@pytest.fixture
def coordinator(sign_in_as):
    return sign_in_as(Role.COORDINATOR, email="coordinator@example.org", agency="Riverside IDVA Service")


def issue_the_list(app, meeting_id):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.status = MeetingStatus.LIST_ISSUED
        request_research(meeting)
        db.session.commit()


def take_off(client, seeded, index, **extra):
    return client.post(
        client.url("meetings.move_agenda_item", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[index]),
        data={"direction": "out"} | extra,
    )


def agenda_of(app, meeting_id) -> list[str]:
    with app.app_context():
        query = select(AgendaItem.referral_id).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
        return list(db.session.scalars(query))


def referral_state(app, referral_id) -> ReferralState:
    with app.app_context():
        return db.session.get(Referral, referral_id).state


def audit_events(app, action: str) -> list[tuple[str, str]]:
    with app.app_context():
        query = select(AuditEvent.object_type, AuditEvent.object_id).where(AuditEvent.action == action)
        return [tuple(row) for row in db.session.execute(query)]


def put_back_token(page: str) -> str:
    return html.unescape(re.search(r'name="taken_off" value="([^"]+)"', page).group(1))


def put_back(client, seeded, token):
    return client.post(
        client.url("meetings.put_back_agenda_item", meeting_id=seeded.meeting_id), data={"taken_off": token}
    )


def taken_off_with_undo(client, seeded, index) -> str:
    """Takes a case off (confirmed) and returns the "Put it back" token the meeting page offers."""
    response = take_off(client, seeded, index, confirmed="yes")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Put it back" in page
    return put_back_token(page)


def test_take_off_asks_first_naming_the_agencies_whose_research_was_requested(app, client, coordinator):
    seeded = seed_meeting(app, cases=2, starts_at=SOON)
    issue_the_list(app, seeded.meeting_id)

    response = take_off(client, seeded, 0)

    page = " ".join(response.get_data(as_text=True).split())
    assert response.status_code == 200
    assert "Take this case off the agenda?" in page
    assert "goes back to the referral queue" in page
    assert "Riverside Hospitals NHS Trust" in page and "Riverside Police" in page
    assert agenda_of(app, seeded.meeting_id) == seeded.referral_ids
    assert referral_state(app, seeded.referral_ids[0]) is ReferralState.SCHEDULED


def test_take_off_before_the_list_is_issued_says_nobody_is_told(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=SOON)

    page = " ".join(take_off(client, seeded, 0).get_data(as_text=True).split())

    assert "The MARAC list has not gone out, so no agency has been asked about this case" in page
    assert agenda_of(app, seeded.meeting_id) == seeded.referral_ids


def test_take_off_that_cannot_happen_says_why_before_asking(app, client, coordinator):
    seeded = seed_meeting(app, cases=1, starts_at=SOON)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.IN_PROGRESS
        db.session.commit()

    response = take_off(client, seeded, 0)

    assert response.status_code == 302
    assert "has started" in client.get(response.location).get_data(as_text=True)
    assert agenda_of(app, seeded.meeting_id) == seeded.referral_ids


def test_a_case_taken_off_is_put_back_in_its_place_with_its_research_requests(app, client, coordinator):
    seeded = seed_meeting(app, cases=3, starts_at=SOON)
    with app.app_context():
        db.session.get(AgendaItem, seeded.item_ids[1]).flags = ["repeat"]
        db.session.commit()
    issue_the_list(app, seeded.meeting_id)
    middle_case, middle_referral = seeded.case_ids[1], seeded.referral_ids[1]

    token = taken_off_with_undo(client, seeded, 1)

    assert agenda_of(app, seeded.meeting_id) == [seeded.referral_ids[0], seeded.referral_ids[2]]
    assert referral_state(app, middle_referral) is ReferralState.ACCEPTED
    assert audit_events(app, "agenda-item-taken-off") == [("case", middle_case)]

    response = put_back(client, seeded, token)

    assert "back on the agenda" in client.get(response.location).get_data(as_text=True)
    assert agenda_of(app, seeded.meeting_id) == seeded.referral_ids
    assert referral_state(app, middle_referral) is ReferralState.SCHEDULED
    with app.app_context():
        item = db.session.scalars(select(AgendaItem).where(AgendaItem.referral_id == middle_referral)).one()
        assert (item.position, item.section, item.flags) == (2, AgendaSection.CHILDREN, ["repeat"])
        asked = set(
            db.session.scalars(select(ResearchReturn.agency_id).where(ResearchReturn.agenda_item_id == item.id))
        )
    assert asked == {seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]}
    assert audit_events(app, "agenda-item-put-back") == [("case", middle_case)]


def test_put_back_refused_once_the_meeting_has_started(app, client, coordinator):
    seeded = seed_meeting(app, cases=2, starts_at=SOON)
    token = taken_off_with_undo(client, seeded, 0)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.IN_PROGRESS
        db.session.commit()

    response = put_back(client, seeded, token)

    assert "has started" in client.get(response.location).get_data(as_text=True)
    assert agenda_of(app, seeded.meeting_id) == [seeded.referral_ids[1]]
    assert referral_state(app, seeded.referral_ids[0]) is ReferralState.ACCEPTED
    assert audit_events(app, "agenda-item-put-back") == []


def test_put_back_refused_when_the_case_was_planned_elsewhere_meanwhile(app, client, coordinator):
    seeded = seed_meeting(app, cases=2, starts_at=SOON)
    later = seed_meeting(app, cases=0, starts_at=SOON + timedelta(days=14))
    token = taken_off_with_undo(client, seeded, 0)
    with app.app_context():
        referral = db.session.get(Referral, seeded.referral_ids[0])
        referral.state = ReferralState.SCHEDULED
        slot = SOON + timedelta(days=14)
        db.session.add(
            AgendaItem(
                meeting_id=later.meeting_id,
                referral_id=referral.id,
                position=1,
                section=AgendaSection.CHILDREN,
                starts_at=slot,
                ends_at=slot + timedelta(minutes=15),
                flags=[],
            )
        )
        db.session.commit()

    response = put_back(client, seeded, token)

    assert "planned for another meeting" in client.get(response.location).get_data(as_text=True)
    assert agenda_of(app, seeded.meeting_id) == [seeded.referral_ids[1]]
    assert agenda_of(app, later.meeting_id) == [seeded.referral_ids[0]]


def test_a_put_back_token_altered_by_hand_changes_nothing(app, client, coordinator):
    seeded = seed_meeting(app, cases=2, starts_at=SOON)
    token = taken_off_with_undo(client, seeded, 0)

    response = put_back(client, seeded, token[:-3] + "abc")

    assert response.status_code == 400
    assert agenda_of(app, seeded.meeting_id) == [seeded.referral_ids[1]]
