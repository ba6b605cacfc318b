"""Chasing an agency's outstanding research: an e-mail to its representatives with no case details,
recorded (who, when, which agency), audited and shown on the progress page."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from access.audit import AuditAction
from access.models import Notification, Role, User
from extensions import db
from meetings.models import Meeting, MeetingStatus, ResearchChase
from tests.meetings.factories import seed_meeting
from tests.meetings.test_research import FUTURE, HEALTH, POLICE, a_return, count_events, issue_list


@pytest.fixture
def app_settings(request):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": request.getfixturevalue("inbox").port}


@pytest.fixture
def issued(app, make_user):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    ids = issue_list(app, seeded, due_at=FUTURE - timedelta(days=3))
    make_user(email="police-rep@example.org", role=Role.AGENCY_REP, agency=POLICE)
    make_user(email="health-rep@example.org", role=Role.AGENCY_REP, agency=HEALTH)
    return seeded, ids


def chases(app) -> list[tuple[int, int]]:
    with app.app_context():
        return [(row.agency_id, row.chased_by_id) for row in db.session.scalars(select(ResearchChase))]


def test_chase_emails_the_agencys_representatives_and_is_recorded_and_shown(
    app, client, sign_in_as, url, inbox, issued
):
    seeded, _ = issued
    coordinator_id = sign_in_as(Role.COORDINATOR, email="sam@example.org")
    progress = url("meetings.view_research_progress", meeting_id=seeded.meeting_id)
    assert "Chase all outstanding (2 agencies)" in client.get(progress).get_data(as_text=True)

    response = client.post(
        url("meetings.chase_research", meeting_id=seeded.meeting_id),
        data={"agency_id": str(seeded.agency_ids[POLICE])},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert f"Reminder sent in the service and by e-mail to {POLICE}." in page
    assert "Chased on" in page
    assert [recipients for recipients, _ in inbox.messages] == [["police-rep@example.org"]]
    message = inbox.messages[0][1]
    body = message.get_content()
    assert "1 research return to send" in body and "/research" in body
    assert "Victim1" not in body + message["Subject"] and "Perpetrator1" not in body
    assert chases(app) == [(seeded.agency_ids[POLICE], coordinator_id)]
    assert count_events(app, AuditAction.RESEARCH_CHASED, seeded.meeting_id) == 1
    assert notices_for(app, "police-rep@example.org") == ["Reminder: 1 research return for the MARAC on"]
    assert notices_for(app, "health-rep@example.org") == []


def notices_for(app, email: str) -> list[str]:
    """Each of the user's notifications, up to the meeting's date."""
    with app.app_context():
        query = select(Notification.message).join(User, User.id == Notification.user_id).where(User.email == email)
        return [message.split(" on ")[0] + " on" for message in db.session.scalars(query)]


def test_without_e_mail_the_chase_still_reminds_in_the_service_and_is_recorded(app, client, sign_in_as, url, issued):
    seeded, _ = issued
    app.config["MAIL_SERVER"] = ""
    sign_in_as(Role.COORDINATOR)

    response = client.post(
        url("meetings.chase_research", meeting_id=seeded.meeting_id),
        data={"agency_id": str(seeded.agency_ids[POLICE])},
        follow_redirects=True,
    )

    assert f"Reminder sent in the service (e-mail is not set up) to {POLICE}." in response.get_data(as_text=True)
    assert notices_for(app, "police-rep@example.org") == ["Reminder: 1 research return for the MARAC on"]
    assert [agency_id for agency_id, _ in chases(app)] == [seeded.agency_ids[POLICE]]


def test_chase_all_reminds_only_agencies_with_something_outstanding(app, client, sign_in_as, url, inbox, issued):
    seeded, ids = issued
    sign_in_as(Role.AGENCY_REP, email="health-rep-2@example.org", agency=HEALTH)
    client.post(url("meetings.edit_research_return", return_id=ids[(HEALTH, 0)]), data=a_return())
    sign_in_as(Role.COORDINATOR)

    client.post(url("meetings.chase_research", meeting_id=seeded.meeting_id), data={"agency_id": "all"})

    assert [recipients for recipients, _ in inbox.messages] == [["police-rep@example.org"]]
    assert [agency_id for agency_id, _ in chases(app)] == [seeded.agency_ids[POLICE]]


@pytest.mark.parametrize("role", [Role.CHAIR, Role.AGENCY_REP, Role.PRACTITIONER])
def test_only_the_coordinator_chases(app, client, sign_in_as, url, inbox, issued, role):
    seeded, _ = issued
    sign_in_as(role, email="someone@example.org", agency=POLICE)

    response = client.post(url("meetings.chase_research", meeting_id=seeded.meeting_id), data={"agency_id": "all"})

    assert response.status_code == 403
    assert inbox.messages == [] and chases(app) == []


def test_once_the_meeting_has_ended_no_one_is_chased_even_by_a_direct_request(app, client, sign_in_as, url, issued):
    seeded, _ = issued
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.MINUTES_DRAFT
        db.session.commit()
    sign_in_as(Role.COORDINATOR)

    response = client.post(
        url("meetings.chase_research", meeting_id=seeded.meeting_id), data={"agency_id": "all"}, follow_redirects=True
    )

    assert "Research for this meeting is closed" in response.get_data(as_text=True)
    assert chases(app) == [] and notices_for(app, "police-rep@example.org") == []
