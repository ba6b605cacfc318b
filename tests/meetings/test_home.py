from datetime import UTC, datetime

import time_machine

from access.models import Role
from extensions import db
from meetings import store


def add_meeting(app, starts_at, venue):
    with app.app_context():
        store.create_meeting(area="Northshire", starts_at=starts_at, venue=venue)
        db.session.commit()


@time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False)
def test_home_shows_the_next_meeting_in_uk_time(app, client, sign_in_as):
    add_meeting(app, datetime(2026, 5, 20, 9, 0, tzinfo=UTC), "Past room")
    add_meeting(app, datetime(2026, 6, 10, 9, 0, tzinfo=UTC), "Next room")
    add_meeting(app, datetime(2026, 6, 24, 9, 0, tzinfo=UTC), "Later room")
    sign_in_as(Role.CHAIR)

    page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert "Next room" in page
    assert "Past room" not in page and "Later room" not in page
    assert "Wednesday 10 June 2026, 10:00am" in page


def test_home_says_who_plans_meetings_when_there_are_none(client, sign_in_as):
    sign_in_as(Role.PRACTITIONER)

    page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert "No meeting is planned yet" in page


def test_navigation_depends_on_role(client, sign_in_as):
    sign_in_as(Role.PRACTITIONER)
    practitioner_page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert client.url("access.list_users") not in practitioner_page


def test_administrators_see_user_and_agency_links(client, sign_in_as):
    sign_in_as(Role.ADMIN)
    page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert f'href="{client.url("access.list_users")}"' in page
    assert f'href="{client.url("access.list_agencies")}"' in page
