"""The server-side session registry: timeouts, revocation, tampering and the per-user session limit."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from access.audit import AuditAction
from access.models import AuditEvent, Role, User, UserSession
from extensions import db
from tests.access.conftest import START, session_cookie, totp_code
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "amber kettle orchard violin"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in_through_pages(client, secret, at=START, email="worker@example.org", password=TEST_PASSWORD):
    """Password page then security-code page, as a person would; fails loudly if either step does."""
    response = client.post(client.url("access.sign_in"), data={"email": email, "password": password})
    assert response.location == client.url("access.verify_second_factor")
    response = client.post(client.url("access.verify_second_factor"), data={"code": totp_code(secret, at)})
    assert response.location == client.url("meetings.home")


def assert_sent_to_sign_in(client, response):
    assert response.status_code == 302
    assert urlsplit(response.location).path == client.url("access.sign_in")


def get_home(client):
    return client.get(client.url("meetings.home"))


def change_character(text: str, index: int) -> str:
    # Not the last character of a base64 part: some of its bits are padding and ignored on decoding.
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


def edit_form(user, **changes) -> dict:
    """The edit-user form as the browser would send it; active is omitted when unchecked."""
    fields = {
        "name": user.name,
        "email": user.email,
        "agency_id": str(user.agency_id),
        "role": user.role.value,
        "active": user.active,
    } | changes
    if fields.pop("active"):
        fields["active"] = "y"
    return fields


@pytest.mark.parametrize(
    ("role", "served_after", "expired_after"),
    [(Role.PRACTITIONER, 29, 31), (Role.ADMIN, 14, 16), (Role.AUDITOR, 14, 16)],
    ids=["practitioner: 30 minutes", "admin: 15 minutes", "auditor: 15 minutes (S3)"],
)
def test_a_session_ends_after_the_idle_timeout(app, client, make_user, frozen_clock, role, served_after, expired_after):
    _, secret = make_user(role=role)
    sign_in_through_pages(client, secret)

    frozen_clock.shift(timedelta(minutes=served_after))
    assert get_home(client).status_code == 200

    frozen_clock.shift(timedelta(minutes=expired_after))
    assert_sent_to_sign_in(client, get_home(client))


def test_idle_expiry_is_recorded_and_the_session_stays_dead(app, client, make_user, frozen_clock, live_sessions):
    user_id, secret = make_user()
    sign_in_through_pages(client, secret)
    cookie = session_cookie(client, app)

    frozen_clock.shift(timedelta(minutes=31))
    assert_sent_to_sign_in(client, get_home(client))

    frozen_clock.shift(timedelta(seconds=1))
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert_sent_to_sign_in(replay, get_home(replay))
    assert live_sessions(user_id) == 0
    with app.app_context():
        reasons = [row.revoked_reason for row in db.session.query(UserSession).filter_by(user_id=user_id)]
        actions = [event.action for event in db.session.query(AuditEvent).filter_by(user_id=user_id)]
    assert "expired" in reasons
    assert AuditAction.SESSION_EXPIRED in actions


def test_an_active_session_still_ends_ten_hours_after_sign_in(app, client, make_user, frozen_clock):
    _, secret = make_user()
    sign_in_through_pages(client, secret)

    last_request = START + timedelta(minutes=1)
    while last_request < START + timedelta(hours=10):  # 0h01, 0h21, ... 9h41: never idle for long
        frozen_clock.move_to(last_request)
        assert get_home(client).status_code == 200
        last_request += timedelta(minutes=20)
    last_request -= timedelta(minutes=20)

    frozen_clock.move_to(START + timedelta(hours=10, minutes=1))
    assert START + timedelta(hours=10, minutes=1) - last_request == timedelta(minutes=20)
    assert_sent_to_sign_in(client, get_home(client))


def test_signing_out_revokes_the_session_wherever_the_cookie_is(app, client, sign_in_as):
    sign_in_as(Role.PRACTITIONER)
    cookie = session_cookie(client, app)
    copy_before = app.test_client()
    copy_before.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert get_home(copy_before).status_code == 200  # the copied cookie really is a working session

    response = client.post(client.url("access.sign_out"))

    assert response.status_code == 302
    assert response.location == client.url("access.signed_out")
    assert "Clear-Site-Data" in response.headers
    copy_after = app.test_client()
    copy_after.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert_sent_to_sign_in(copy_after, get_home(copy_after))
    assert_sent_to_sign_in(client, get_home(client))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda value: change_character(value, value.rindex(".") + 1),
        lambda value: change_character(value, 1),
        lambda value: value[: len(value) // 2],
        lambda value: "not-a-session-cookie",
        lambda value: "",
    ],
    ids=["signature changed", "payload changed", "truncated", "garbage", "empty"],
)
def test_a_tampered_cookie_is_sent_to_sign_in(app, client, sign_in_as, tamper):
    sign_in_as(Role.PRACTITIONER)
    cookie = session_cookie(client, app)
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], tamper(cookie))

    assert_sent_to_sign_in(other, get_home(other))


def test_disabling_a_user_ends_all_their_sessions_at_once(
    app, client, sign_in_as, make_user, frozen_clock, load_user, live_sessions
):
    sign_in_as(Role.ADMIN, email="admin@example.org")
    victim_id, secret = make_user()
    phone, laptop = app.test_client(), app.test_client()
    sign_in_through_pages(phone, secret)
    frozen_clock.shift(timedelta(seconds=30))
    sign_in_through_pages(laptop, secret, at=START + timedelta(seconds=30))
    assert live_sessions(victim_id) == 2

    response = client.post(
        client.url("access.edit_user", user_id=victim_id), data=edit_form(load_user(victim_id), active=False)
    )

    assert response.location == client.url("access.list_users")
    assert load_user(victim_id).active is False
    assert live_sessions(victim_id) == 0
    assert_sent_to_sign_in(phone, get_home(phone))
    assert_sent_to_sign_in(laptop, get_home(laptop))


def test_a_disabled_user_cannot_use_a_session_even_if_it_was_not_revoked(app, client, make_user):
    user_id, secret = make_user()
    sign_in_through_pages(client, secret)
    with app.app_context():
        db.session.get(User, user_id).active = False  # e.g. switched off straight in the database
        db.session.commit()

    assert_sent_to_sign_in(client, get_home(client))


def test_a_role_change_applies_on_the_next_request(app, client, sign_in_as, make_user, load_user):
    sign_in_as(Role.ADMIN, email="admin@example.org")
    other_admin_id, secret = make_user(email="second-admin@example.org", role=Role.ADMIN)
    other = app.test_client()
    sign_in_through_pages(other, secret, email="second-admin@example.org")
    assert other.get(other.url("access.list_users")).status_code == 200

    response = client.post(
        client.url("access.edit_user", user_id=other_admin_id),
        data=edit_form(load_user(other_admin_id), role=Role.PRACTITIONER.value),
    )

    assert response.location == client.url("access.list_users")
    assert other.get(other.url("access.list_users")).status_code == 403
    assert get_home(other).status_code == 200  # still signed in, just with less access


def test_a_user_keeps_at_most_three_sessions_and_the_oldest_goes(app, make_user, frozen_clock, live_sessions):
    user_id, secret = make_user()
    browsers = [app.test_client() for _ in range(4)]
    for number, browser in enumerate(browsers):
        sign_in_through_pages(browser, secret, at=START + timedelta(seconds=30 * number))
        frozen_clock.shift(timedelta(seconds=30))

    assert_sent_to_sign_in(browsers[0], get_home(browsers[0]))
    assert [get_home(browser).status_code for browser in browsers[1:]] == [200, 200, 200]
    assert live_sessions(user_id) == 3


def test_changing_your_password_signs_out_your_other_sessions_only(
    app, make_user, frozen_clock, live_sessions, load_user
):
    user_id, secret = make_user()
    this_one, other_one = app.test_client(), app.test_client()
    sign_in_through_pages(other_one, secret)
    frozen_clock.shift(timedelta(seconds=30))
    sign_in_through_pages(this_one, secret, at=START + timedelta(seconds=30))
    old_hash = load_user(user_id).password_hash

    response = this_one.post(
        this_one.url("access.change_password"),
        data={"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your password has been changed" in response.get_data(as_text=True)
    assert load_user(user_id).password_hash != old_hash
    assert get_home(this_one).status_code == 200
    assert_sent_to_sign_in(other_one, get_home(other_one))
    assert live_sessions(user_id) == 1


def test_the_new_password_is_the_one_that_signs_in(app, client, make_user, frozen_clock):
    _, secret = make_user()
    sign_in_through_pages(client, secret)
    client.post(
        client.url("access.change_password"),
        data={"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    fresh = app.test_client()
    old = fresh.post(fresh.url("access.sign_in"), data={"email": "worker@example.org", "password": TEST_PASSWORD})
    new = fresh.post(fresh.url("access.sign_in"), data={"email": "worker@example.org", "password": NEW_PASSWORD})

    assert old.status_code == 200
    assert new.location == fresh.url("access.verify_second_factor")


def test_changing_the_password_needs_the_current_one(app, client, make_user, load_user, frozen_clock):
    user_id, secret = make_user()
    sign_in_through_pages(client, secret)
    old_hash = load_user(user_id).password_hash

    response = client.post(
        client.url("access.change_password"),
        data={"current_password": "not my password at all", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Enter your current password correctly" in response.get_data(as_text=True)
    assert load_user(user_id).password_hash == old_hash
