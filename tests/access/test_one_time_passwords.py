"""SECURITY A10: a one-time password, made when the administrator creates an account or resets a password,
works once and only for a while (72 hours for a new account, 60 minutes after a reset); a reset never
skips the security code."""

import html
import re
from datetime import timedelta

import pytest
import time_machine

from access.models import Role
from tests.access.conftest import START, totp_code
from tests.conftest import TEST_PASSWORD

EXPIRED = "This one-time password has expired. Ask your administrator for a new one."
NEW_PASSWORD = "amber kettle orchard violin"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admin_id(sign_in_as):
    return sign_in_as(Role.ADMIN, email="admin@example.org")


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def one_time_password_in(response) -> str:
    match = re.search(r"<code>([A-Za-z0-9_-]{20})</code>", response.get_data(as_text=True))
    assert match, "no one-time password on the page"
    return match.group(1)


def create_account(client, agency_id, email="alex@example.org"):
    data = {"name": "Alex Newcomer", "email": email, "agency_id": str(agency_id), "role": "practitioner", "active": "y"}
    return client.post(client.url("access.create_user"), data=data)


def post_password(client, email, password):
    return client.post(client.url("access.sign_in"), data={"email": email, "password": password})


def test_a10_the_admin_is_shown_when_a_new_accounts_one_time_password_expires(app, client, admin_id, make_agency):
    created = create_account(client, make_agency())
    assert "This one-time password works once, until Thursday 26 November 2026, 9:00am" in page_text(created)


def test_a10_a_new_accounts_one_time_password_works_until_72_hours(app, client, admin_id, make_agency, frozen_clock):
    one_time_password = one_time_password_in(create_account(client, make_agency()))
    frozen_clock.shift(timedelta(hours=72) - timedelta(minutes=1))
    newcomer = app.test_client()
    assert post_password(newcomer, "alex@example.org", one_time_password).location == newcomer.url(
        "access.set_new_password"
    )


def test_a10_a_new_accounts_one_time_password_is_refused_at_72_hours_and_a_minute(
    app, client, admin_id, make_agency, frozen_clock
):
    one_time_password = one_time_password_in(create_account(client, make_agency()))
    frozen_clock.shift(timedelta(hours=72, minutes=1))
    newcomer = app.test_client()
    response = post_password(newcomer, "alex@example.org", one_time_password)
    assert response.status_code == 200
    assert EXPIRED in page_text(response)
    assert newcomer.get(newcomer.url("access.set_new_password")).location == newcomer.url("access.sign_in")


def reset(client, user_id):
    return client.post(client.url("access.reset_user_password", user_id=user_id))


def test_a10_a_reset_one_time_password_is_refused_at_61_minutes(app, client, admin_id, make_user, frozen_clock):
    user_id, _ = make_user()
    response = reset(client, user_id)
    assert "This one-time password works once, until Monday 23 November 2026, 10:00am" in page_text(response)
    one_time_password = one_time_password_in(response)
    frozen_clock.shift(timedelta(minutes=61))
    worker = app.test_client()
    assert EXPIRED in page_text(post_password(worker, "worker@example.org", one_time_password))


def test_a10_a_one_time_password_works_once_even_if_no_new_password_was_chosen(
    app, client, admin_id, make_user, frozen_clock
):
    user_id, _ = make_user()
    one_time_password = one_time_password_in(reset(client, user_id))
    first = app.test_client()
    assert post_password(first, "worker@example.org", one_time_password).location == first.url(
        "access.set_new_password"
    )
    frozen_clock.shift(timedelta(minutes=2))
    second = app.test_client()
    response = post_password(second, "worker@example.org", one_time_password)
    assert EXPIRED in page_text(response)
    assert second.get(second.url("access.set_new_password")).location == second.url("access.sign_in")


def test_a10_a_wrong_password_says_nothing_about_one_time_passwords(app, client, admin_id, make_user, frozen_clock):
    user_id, _ = make_user()
    reset(client, user_id)
    frozen_clock.shift(timedelta(minutes=61))
    response = post_password(app.test_client(), "worker@example.org", "not the one-time password")
    assert EXPIRED not in page_text(response)
    assert "The email address or password is not right" in page_text(response)


def test_a10_a_reset_never_skips_the_security_code(app, client, admin_id, make_user, frozen_clock):
    user_id, secret = make_user()
    one_time_password = one_time_password_in(reset(client, user_id))
    worker = app.test_client()
    post_password(worker, "worker@example.org", one_time_password)
    worker.post(worker.url("access.set_new_password"), data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})

    assert worker.get(worker.url("meetings.home")).location == worker.url("access.continue_sign_in")
    assert worker.get(worker.url("access.continue_sign_in")).location == worker.url("access.verify_second_factor")
    response = worker.post(worker.url("access.verify_second_factor"), data={"code": totp_code(secret, START)})
    assert response.location == worker.url("meetings.home")
    assert worker.get(worker.url("meetings.home")).status_code == 200


def test_a10_the_own_password_chosen_after_it_keeps_working(app, client, admin_id, make_user, frozen_clock):
    user_id, secret = make_user()
    one_time_password = one_time_password_in(reset(client, user_id))
    worker = app.test_client()
    post_password(worker, "worker@example.org", one_time_password)
    worker.post(worker.url("access.set_new_password"), data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    frozen_clock.shift(timedelta(days=5))
    later = app.test_client()
    assert post_password(later, "worker@example.org", NEW_PASSWORD).location == later.url("access.verify_second_factor")
    assert post_password(app.test_client(), "worker@example.org", TEST_PASSWORD).status_code == 200
