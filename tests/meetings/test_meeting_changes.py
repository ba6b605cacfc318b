"""Changing a meeting before it starts: edit, reschedule (agenda, research and the agencies follow) and
cancel (cases back to the queue, open research withdrawn, agencies told), each confirmed and audited;
a stale save is refused without losing what was typed."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from access.audit import AuditAction
from access.models import AuditEvent, Notification, Role, User
from cases.models import Referral, ReferralState
from extensions import db
from meetings import store
from meetings.models import Meeting, MeetingStatus, ResearchReturn
from tests.meetings.factories import seed_meeting
from tests.meetings.test_research import POLICE, count_events, issue_list

UK = ZoneInfo("Europe/London")
STARTS = datetime(2027, 3, 10, 10, 0, tzinfo=UK)  # a Wednesday


@pytest.fixture
def app_settings(request):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": request.getfixturevalue("inbox").port}


@pytest.fixture
def seeded(app, make_user):
    make_user(email="police-rep@example.org", role=Role.AGENCY_REP, agency=POLICE)
    return seed_meeting(app, cases=2, starts_at=STARTS)


def meeting_of(app, meeting_id) -> Meeting:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        db.session.expunge(meeting)
        return meeting


CHANGE_PAGES = ["meetings.edit_meeting", "meetings.reschedule_meeting", "meetings.cancel_meeting"]


def version_of(app, seeded) -> str:
    return str(meeting_of(app, seeded.meeting_id).version_id)


def meeting_details(**fields) -> dict:
    return {
        "starts_at_time": "14:00",
        "venue": "Town Hall",
        "capacity": "8",
        "minutes_per_case": "20",
        "version": "1",
    } | fields


def a_reschedule(day: date, **fields) -> dict:
    return {
        "starts_on": [str(day.day), str(day.month), str(day.year)],
        "starts_at_time": "13:30",
        "version": "1",
    } | fields


def test_rescheduling_an_issued_list_says_who_is_told_then_moves_agenda_research_and_tells_them(
    app, client, sign_in_as, url, inbox, seeded
):
    ids = issue_list(app, seeded)
    sign_in_as(Role.COORDINATOR)
    page = client.get(url("meetings.reschedule_meeting", meeting_id=seeded.meeting_id)).get_data(as_text=True)
    assert "the invited agencies will be told of the new date in the service, and by e-mail" in page and POLICE in page

    response = client.post(
        url("meetings.reschedule_meeting", meeting_id=seeded.meeting_id),
        data=a_reschedule(date(2027, 3, 17), version=version_of(app, seeded)),
    )

    assert response.status_code == 302
    meeting = meeting_of(app, seeded.meeting_id)
    assert meeting.starts_at == datetime(2027, 3, 17, 13, 30, tzinfo=UK)
    assert meeting.research_due_at == datetime(2027, 3, 12, 17, 0, tzinfo=UK)
    with app.app_context():
        items = store.list_agenda(db.session.get(Meeting, seeded.meeting_id))
        assert all(item.starts_at.date() == date(2027, 3, 17) for item in items)
        due = {db.session.get(ResearchReturn, return_id).due_at for return_id in ids.values()}
    assert due == {meeting.research_due_at}
    assert [recipients for recipients, _ in inbox.messages] == [["police-rep@example.org"]]
    body = inbox.messages[0][1].get_content()
    assert "moved to 17 March 2027 at 13:30" in body and "Victim1" not in body
    assert count_events(app, AuditAction.MEETING_RESCHEDULED, seeded.meeting_id) == 1


def test_a_stale_reschedule_is_refused_and_keeps_the_typed_date(app, client, sign_in_as, url, inbox, seeded):
    sign_in_as(Role.COORDINATOR)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).venue = "Room 9"
        db.session.commit()

    response = client.post(
        url("meetings.reschedule_meeting", meeting_id=seeded.meeting_id), data=a_reschedule(date(2027, 3, 24))
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this meeting" in page
    assert 'value="24"' in page and 'value="13:30"' in page
    assert meeting_of(app, seeded.meeting_id).starts_at == STARTS
    assert count_events(app, AuditAction.MEETING_RESCHEDULED) == 0


def test_editing_changes_the_details_and_lays_the_agenda_out_again(app, client, sign_in_as, url, seeded):
    sign_in_as(Role.COORDINATOR)

    response = client.post(
        url("meetings.edit_meeting", meeting_id=seeded.meeting_id),
        data={
            "starts_at_time": "14:00",
            "venue": "Town Hall",
            "capacity": "8",
            "minutes_per_case": "20",
            "version": "1",
        },
    )

    assert response.status_code == 302
    meeting = meeting_of(app, seeded.meeting_id)
    assert (meeting.venue, meeting.capacity, meeting.minutes_per_case) == ("Town Hall", 8, 20)
    assert meeting.starts_at == datetime(2027, 3, 10, 14, 0, tzinfo=UK)
    with app.app_context():
        first, second = store.list_agenda(db.session.get(Meeting, seeded.meeting_id))
        assert second.starts_at - first.starts_at == timedelta(minutes=20)
    assert count_events(app, AuditAction.MEETING_CHANGED, seeded.meeting_id) == 1


def test_an_edit_with_a_problem_says_what_to_fix_and_keeps_what_was_typed(app, client, sign_in_as, url, seeded):
    sign_in_as(Role.COORDINATOR)

    response = client.post(
        url("meetings.edit_meeting", meeting_id=seeded.meeting_id),
        data={
            "starts_at_time": "14:00",
            "venue": "Town Hall",
            "capacity": "99",
            "minutes_per_case": "20",
            "version": "1",
        },
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter a number of cases from 1 to 60" in page and "Town Hall" in page
    assert meeting_of(app, seeded.meeting_id).venue == "Room 2"


def test_cancelling_confirms_first_then_returns_cases_to_the_queue_withdraws_research_and_tells_agencies(
    app, client, sign_in_as, url, inbox, seeded
):
    ids = issue_list(app, seeded)
    with app.app_context():
        returned = db.session.get(ResearchReturn, ids[(POLICE, 0)])
        returned.known, returned.returned_at = False, datetime.now(UTC)
        db.session.commit()
    sign_in_as(Role.COORDINATOR)
    confirm = client.get(url("meetings.cancel_meeting", meeting_id=seeded.meeting_id)).get_data(as_text=True)
    assert "its 2 cases go back to the referral queue" in confirm
    assert "the invited agencies will be told in the service, and by e-mail" in confirm
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.LIST_ISSUED

    response = client.post(
        url("meetings.cancel_meeting", meeting_id=seeded.meeting_id),
        data={"version": version_of(app, seeded)},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "This meeting was cancelled" in page and "Cancelled" in page
    assert "Issue the MARAC list" not in page and "Start the meeting" not in page
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.CANCELLED
    with app.app_context():
        states = {db.session.get(Referral, referral_id).state for referral_id in seeded.referral_ids}
        waiting = {referral.id for referral in store.list_referrals_waiting_for_a_meeting()}
        left = set(db.session.scalars(select(ResearchReturn.id)))
    assert states == {ReferralState.ACCEPTED}
    assert set(seeded.referral_ids) <= waiting
    assert left == {ids[(POLICE, 0)]}
    assert [recipients for recipients, _ in inbox.messages] == [["police-rep@example.org"]]
    assert "is cancelled" in inbox.messages[0][1].get_content()
    assert count_events(app, AuditAction.MEETING_CANCELLED, seeded.meeting_id) == 1
    with app.app_context():
        under_cases = select(AuditEvent.object_id).where(
            AuditEvent.action == AuditAction.MEETING_CANCELLED.value, AuditEvent.object_type == "case"
        )
        assert set(db.session.scalars(under_cases)) == set(seeded.case_ids)
        told = select(Notification.message).join(User, User.id == Notification.user_id)
        assert [message for message in db.session.scalars(told.where(User.email == "police-rep@example.org"))] == [
            inbox.messages[0][1].get_content().splitlines()[0]
        ]
    person_page = client.get(url("meetings.view_person", person_id=victim_of(app, seeded.case_ids[0])))
    assert "Heard at the MARAC on" not in person_page.get_data(as_text=True)

    again = client.post(
        url("meetings.cancel_meeting", meeting_id=seeded.meeting_id), data={"version": version_of(app, seeded)}
    )
    assert again.status_code == 302
    assert count_events(app, AuditAction.MEETING_CANCELLED, seeded.meeting_id) == 1
    step = client.post(
        url("meetings.take_next_step", meeting_id=seeded.meeting_id), data={"version": version_of(app, seeded)}
    )
    assert step.status_code == 302
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.CANCELLED
    confirm = client.get(url("meetings.confirm_next_step", meeting_id=seeded.meeting_id), follow_redirects=True)
    assert "This meeting was cancelled, so it takes no further steps." in confirm.get_data(as_text=True)
    assert "its minutes are distributed" not in confirm.get_data(as_text=True)
    assert "Attendance and confidentiality" not in page
    register = client.post(url("meetings.record_attendance", meeting_id=seeded.meeting_id), data={"then": "stay"})
    assert register.status_code == 409


@pytest.mark.parametrize(
    "endpoint", ["meetings.edit_meeting", "meetings.reschedule_meeting", "meetings.cancel_meeting"]
)
@pytest.mark.parametrize("role", [Role.CHAIR, Role.AGENCY_REP, Role.PRACTITIONER])
def test_only_the_coordinator_changes_a_meeting(app, client, sign_in_as, url, seeded, endpoint, role):
    sign_in_as(role, email="someone@example.org", agency=POLICE)

    assert client.post(url(endpoint, meeting_id=seeded.meeting_id), data={"version": "1"}).status_code == 403
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.PLANNED


def test_a_started_meeting_cannot_be_changed(app, client, sign_in_as, url, seeded):
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.IN_PROGRESS
        db.session.commit()
    sign_in_as(Role.COORDINATOR)

    response = client.post(url("meetings.cancel_meeting", meeting_id=seeded.meeting_id), data={"version": "2"})

    assert response.status_code == 302
    assert meeting_of(app, seeded.meeting_id).status is MeetingStatus.IN_PROGRESS
    assert count_events(app, AuditAction.MEETING_CANCELLED) == 0


def victim_of(app, case_id: str) -> str:
    from cases.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).victim_id
