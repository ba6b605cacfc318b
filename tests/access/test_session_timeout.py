"""The warning before the idle sign-out (SECURITY S3): what each signed-in page tells its script, the
check that must not keep a session alive, "Stay signed in" that must, and what a page's own request
gets once the session has ended."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from access.models import Role, UserSession
from extensions import db
from tests.access.conftest import START
from tests.conftest import TEST_PASSWORD

JSON = {"Accept": "application/json"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def last_seen(app):
    def read(user_id: int):
        with app.app_context():
            return db.session.query(UserSession.last_seen_at).filter_by(user_id=user_id, revoked_at=None).scalar()

    return read


def page_timeout(html: str) -> dict[str, str]:
    dialog = re.search(r"<dialog [^>]*data-session-timeout[^>]*>", html, re.S).group(0)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', dialog))


def time_left(client) -> int:
    return client.get(client.url("access.check_time_left"), headers=JSON).get_json()["seconds_left"]


@pytest.mark.parametrize(
    ("role", "idle_seconds", "minutes"),
    [
        (Role.PRACTITIONER, 1800, 30),
        (Role.CHAIR, 1800, 30),
        (Role.COORDINATOR, 1800, 30),
        (Role.ADMIN, 900, 15),
        (Role.AUDITOR, 900, 15),  # SECURITY S3: 15 minutes for admin and auditor roles
    ],
)
def test_every_signed_in_page_carries_the_idle_limit_of_its_readers_role(
    client, sign_in_as, role, idle_seconds, minutes
):
    """S3: 30 minutes idle, 15 for administrators, and the warning 2 minutes before."""
    user_id = sign_in_as(role)

    html = client.get(client.url("meetings.home")).get_data(as_text=True)

    timeout = page_timeout(html)
    assert timeout["seconds-left"] == timeout["idle-seconds"] == str(idle_seconds)
    assert timeout["warn-seconds"] == "120"
    assert timeout["time-left-url"] == client.url("access.check_time_left")
    assert timeout["user"] == str(user_id)
    assert (
        f"You are signed out after {minutes} minutes without saving or opening a page, and 10 hours after signing in"
        in html
    )
    assert 'role="alertdialog"' in html


def test_near_the_ten_hour_limit_the_page_carries_the_shorter_time(client, sign_in_as, frozen_clock):
    """S3: the absolute limit ends the session even while it is in use, so the warning counts to it."""
    sign_in_as(Role.CHAIR)
    for minutes in [*range(20, 9 * 60 + 50, 20), 9 * 60 + 50]:  # 0h20, 0h40, ... 9h40, 9h50: never idle for long
        frozen_clock.move_to(START + timedelta(minutes=minutes))
        html = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert page_timeout(html)["seconds-left"] == str(10 * 60)  # 9 h 50 after signing in
    assert page_timeout(html)["idle-seconds"] == "1800"


def test_pages_for_people_not_signed_in_carry_no_timeout(client):
    html = client.get(client.url("access.sign_in")).get_data(as_text=True)

    assert "data-session-timeout" not in html
    assert "data-kept-text-notice" in html


def test_asking_the_time_left_does_not_keep_the_session_alive(client, sign_in_as, frozen_clock, last_seen):
    """S3: background requests must not refresh the session, or an open tab would never time out."""
    user_id = sign_in_as(Role.CHAIR)
    signed_in_at = last_seen(user_id)

    frozen_clock.shift(timedelta(minutes=20))
    assert time_left(client) == 10 * 60
    frozen_clock.shift(timedelta(minutes=8))
    assert time_left(client) == 2 * 60
    assert last_seen(user_id) == signed_in_at

    frozen_clock.shift(timedelta(minutes=2, seconds=1))
    response = client.get(client.url("access.check_time_left"), headers=JSON)
    assert response.status_code == 401
    assert response.get_json() == {"error": "You have been signed out. Sign in again to carry on."}
    assert last_seen(user_id) is None  # the session is over, not just reported so


def test_staying_signed_in_resets_the_idle_clock_even_within_a_step_of_the_last_write(
    client, sign_in_as, frozen_clock, last_seen
):
    """S3: the person asked for the full idle limit again, so it is written whenever they ask, though a page opened
    as soon after the last write would leave the clock where it was."""
    user_id = sign_in_as(Role.CHAIR)
    frozen_clock.shift(timedelta(seconds=20))

    response = client.post(client.url("access.stay_signed_in"), headers=JSON)

    assert response.get_json() == {"seconds_left": 1800}
    assert last_seen(user_id) == START + timedelta(seconds=20)


def test_staying_signed_in_resets_the_idle_clock(client, sign_in_as, frozen_clock, last_seen):
    """S3: only the person's choice keeps the session: "Stay signed in" 28 minutes in gives 30 more."""
    user_id = sign_in_as(Role.CHAIR)
    frozen_clock.shift(timedelta(minutes=28))

    response = client.post(client.url("access.stay_signed_in"), headers=JSON)

    assert response.status_code == 200
    assert response.get_json() == {"seconds_left": 1800}
    assert last_seen(user_id) == START + timedelta(minutes=28)
    frozen_clock.shift(timedelta(minutes=29))
    assert client.get(client.url("meetings.home")).status_code == 200


def test_staying_signed_in_cannot_revive_an_ended_session(client, sign_in_as, frozen_clock, live_sessions):
    """S3: once the idle limit has passed, only signing in again helps."""
    user_id = sign_in_as(Role.ADMIN)
    frozen_clock.shift(timedelta(minutes=15, seconds=1))

    response = client.post(client.url("access.stay_signed_in"), headers=JSON)

    assert response.status_code == 401
    assert live_sessions(user_id) == 0
    assert urlsplit(client.get(client.url("meetings.home")).location).path == client.url("access.sign_in")


def test_only_people_signed_in_with_both_factors_may_stay_signed_in(app, client, make_user):
    anonymous = client.post(client.url("access.stay_signed_in"), headers=JSON)
    assert anonymous.status_code == 401
    assert "seconds_left" not in anonymous.get_json()

    make_user()
    client.post(client.url("access.sign_in"), data={"email": "worker@example.org", "password": TEST_PASSWORD})
    password_only = client.post(client.url("access.stay_signed_in"), headers=JSON)
    assert password_only.status_code == 401
    assert client.post(client.url("access.stay_signed_in")).location == client.url("access.continue_sign_in")


def test_a_page_that_asks_for_json_is_told_the_session_ended_instead_of_being_sent_to_sign_in(
    client, sign_in_as, frozen_clock
):
    """S3: the page's script must know the save failed because the session ended, to keep the text."""
    sign_in_as(Role.PRACTITIONER)
    frozen_clock.shift(timedelta(minutes=31))

    response = client.get(client.url("meetings.home"), headers=JSON)

    assert response.status_code == 401
    assert response.get_json()["error"].startswith("You have been signed out.")


def test_a_form_sent_after_the_session_ended_comes_back_to_its_page_after_signing_in(client, sign_in_as, frozen_clock):
    sign_in_as(Role.PRACTITIONER)
    frozen_clock.shift(timedelta(minutes=31))

    to_its_page = client.post(client.url("access.change_password"), data={"current_password": "x"})
    from_a_post_only_route = client.post(client.url("access.sign_out"))

    assert parse_qs(urlsplit(to_its_page.location).query) == {"next": [client.url("access.change_password")]}
    assert from_a_post_only_route.location == client.url("access.sign_in")


def test_the_sign_in_link_of_an_older_tab_goes_straight_back_once_signed_in_again(client, sign_in_as):
    """Signed in again in another tab, the older tab's "Sign in again" link returns it to its page."""
    sign_in_as(Role.CHAIR)

    back = client.get(client.url("access.sign_in", next=client.url("meetings.list_meetings")))
    elsewhere = client.get(client.url("access.sign_in", next="//evil.example"))

    assert back.location == client.url("meetings.list_meetings")
    assert elsewhere.status_code == 200


def test_a_page_opened_within_a_thirtieth_of_the_idle_limit_leaves_the_idle_clock_where_it_was(
    client, sign_in_as, frozen_clock, last_seen
):
    """Issue 20: the last-seen time is written when it has moved by a thirtieth of the idle limit (a minute in
    thirty), not on every page, so most pages write nothing to the session."""
    user_id = sign_in_as(Role.CHAIR)
    frozen_clock.shift(timedelta(seconds=59))

    assert client.get(client.url("meetings.home")).status_code == 200
    assert last_seen(user_id) == START

    frozen_clock.shift(timedelta(seconds=1))
    assert client.get(client.url("meetings.home")).status_code == 200
    assert last_seen(user_id) == START + timedelta(minutes=1)


def test_a_page_at_29_minutes_after_one_not_written_still_finds_the_session(client, sign_in_as, frozen_clock):
    """S3 still holds to the minute: a page 29 minutes after the last one is served, however late in the step
    that last one came; a page 31 minutes after it is not."""
    sign_in_as(Role.CHAIR)
    frozen_clock.shift(timedelta(seconds=59))
    client.get(client.url("meetings.home"))  # within the step: not written

    frozen_clock.shift(timedelta(minutes=29))
    assert client.get(client.url("meetings.home")).status_code == 200
    frozen_clock.shift(timedelta(minutes=31))
    assert urlsplit(client.get(client.url("meetings.home")).location).path == client.url("access.sign_in")


def test_the_idle_clock_of_an_administrator_moves_in_half_minutes(client, sign_in_as, frozen_clock, last_seen):
    """The step is a thirtieth of the role's own idle limit: 30 seconds of the administrator's 15 minutes."""
    user_id = sign_in_as(Role.ADMIN)
    frozen_clock.shift(timedelta(seconds=29))
    client.get(client.url("meetings.home"))
    assert last_seen(user_id) == START

    frozen_clock.shift(timedelta(seconds=1))
    client.get(client.url("meetings.home"))
    assert last_seen(user_id) == START + timedelta(seconds=30)
    frozen_clock.shift(timedelta(minutes=14, seconds=59))
    assert client.get(client.url("meetings.home")).status_code == 200
