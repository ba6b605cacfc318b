"""Meeting calendar files: what goes in the event, and who may download one."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from access.models import AuditEvent, Role
from extensions import db
from meetings import calendar
from meetings.models import Meeting, MeetingKind
from tests.meetings.factories import seed_meeting

TODAY = date.today()
STARTS_AT = datetime.combine(TODAY + timedelta(days=14), time(10, 0), tzinfo=UTC)


@pytest.mark.parametrize(
    "items, minutes_per_case, minutes",
    [(0, 15, 60), (1, 15, 60), (3, 15, 60), (4, 15, 75), (2, 20, 60), (3, 20, 75), (10, 12, 135)],
)
def test_the_meeting_lasts_the_action_review_plus_each_case_and_at_least_an_hour(items, minutes_per_case, minutes):
    assert calendar.meeting_length(items, minutes_per_case) == timedelta(minutes=minutes)


def test_the_file_is_named_by_the_meeting_date_in_uk_time():
    late_summer_evening = datetime(TODAY.year + 1, 7, 1, 23, 30, tzinfo=UTC)

    assert calendar.calendar_filename(late_summer_evening) == f"marac-{TODAY.year + 1}-07-02.ics"
    assert calendar.calendar_filename(STARTS_AT) == f"marac-{STARTS_AT.date().isoformat()}.ics"


@pytest.mark.parametrize(
    "emergency, summary", [(False, "MARAC meeting – Riverside"), (True, "Emergency MARAC meeting – Riverside")]
)
def test_the_summary_says_which_kind_of_meeting(emergency, summary):
    assert calendar.meeting_summary("Riverside", emergency) == summary


def download(client, meeting_id):
    return client.get(client.url("meetings.download_meeting_calendar", meeting_id=meeting_id))


def only_event(response):
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert len(events) == 1
    return events[0]


def change_meeting(app, meeting_id, **fields):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        for name, value in fields.items():
            setattr(meeting, name, value)
        db.session.commit()


def test_the_coordinator_downloads_one_event_for_the_meeting(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=4, starts_at=STARTS_AT)
    sign_in_as(Role.COORDINATOR)

    response = download(client, seeded.meeting_id)

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="marac-{STARTS_AT.date().isoformat()}.ics"'
    event = only_event(response)
    assert event.decoded("dtstart") == STARTS_AT
    assert event.decoded("dtend") == STARTS_AT + timedelta(minutes=15 + 4 * 15)
    assert str(event["summary"]) == "MARAC meeting – Riverside"
    assert str(event["location"]) == "Room 2"
    assert "No case details" in str(event["description"])
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "calendar-downloaded")
            )
            == 1
        )


def test_the_file_holds_no_case_details(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=2, starts_at=STARTS_AT)
    sign_in_as(Role.CHAIR)

    text = download(client, seeded.meeting_id).get_data(as_text=True).replace("\r\n ", "")

    for detail in ("Victim1", "Perpetrator1", "Child1", "RV1", "Case"):
        assert detail not in text


def test_the_uid_stays_the_same_for_the_meeting_and_differs_between_meetings(app, client, sign_in_as):
    first = seed_meeting(app, cases=1, starts_at=STARTS_AT)
    second = seed_meeting(app, cases=1, starts_at=STARTS_AT + timedelta(days=14))
    sign_in_as(Role.COORDINATOR)

    uid = str(only_event(download(client, first.meeting_id))["uid"])
    change_meeting(app, first.meeting_id, venue="Room 5")

    assert str(only_event(download(client, first.meeting_id))["uid"]) == uid
    assert str(only_event(download(client, second.meeting_id))["uid"]) != uid


def test_an_online_emergency_meeting_says_so_and_lasts_at_least_an_hour(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=1, starts_at=STARTS_AT)
    change_meeting(app, seeded.meeting_id, online=True, kind=MeetingKind.EMERGENCY)
    sign_in_as(Role.COORDINATOR)

    event = only_event(download(client, seeded.meeting_id))

    assert str(event["summary"]) == "Emergency MARAC meeting – Riverside"
    assert str(event["location"]) == "Online"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=1)


def test_an_invited_agency_rep_can_download_it(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=1, starts_at=STARTS_AT, invited=("Riverside Police",))
    sign_in_as(Role.AGENCY_REP, agency="Riverside Police")

    assert download(client, seeded.meeting_id).status_code == 200


def test_an_agency_rep_whose_agency_is_not_invited_gets_not_found(app, client, sign_in_as):
    seeded = seed_meeting(app, cases=1, starts_at=STARTS_AT, invited=("Riverside Police",))
    sign_in_as(Role.AGENCY_REP, agency="Riverside Housing")

    response = download(client, seeded.meeting_id)

    assert response.status_code == 404
    assert "BEGIN:VCALENDAR" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.ADMIN])
def test_other_roles_are_refused(app, client, sign_in_as, role):
    seeded = seed_meeting(app, cases=1, starts_at=STARTS_AT)
    sign_in_as(role, agency="Riverside Police")

    assert download(client, seeded.meeting_id).status_code == 403


def test_an_unknown_meeting_is_not_found(client, sign_in_as):
    sign_in_as(Role.COORDINATOR)

    assert download(client, 999).status_code == 404
