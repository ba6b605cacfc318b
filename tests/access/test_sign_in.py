from datetime import timedelta

import pytest
import time_machine

from tests.access.conftest import START, mask_tokens, session_cookie, totp_code
from tests.conftest import TEST_PASSWORD

GENERIC_FAILURE = "The email address or password is not right"


def post_password(client, email="worker@example.org", password=TEST_PASSWORD, **query):
    return client.post(client.url("access.sign_in", **query), data={"email": email, "password": password})


def post_code(client, code):
    return client.post(client.url("access.verify_second_factor"), data={"code": code})


@pytest.fixture
def worker(make_user):
    return make_user()


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_password_then_code_signs_in_and_each_step_gets_a_new_session(app, client, worker):
    _, secret = worker
    client.get(client.url("access.sign_in"))
    before = session_cookie(client, app)
    response = post_password(client)
    after_password = session_cookie(client, app)
    assert response.status_code == 302
    assert response.location == client.url("access.verify_second_factor")

    response = post_code(client, totp_code(secret, START))
    after_code = session_cookie(client, app)

    assert response.status_code == 302
    assert response.location == client.url("meetings.home")
    assert len({before, after_password, after_code}) == 3
    assert client.get(client.url("meetings.home")).status_code == 200


def test_after_the_password_alone_no_protected_page_is_reachable(app, client, worker):
    post_password(client)
    for endpoint in ("meetings.home", "access.list_users", "access.change_password"):
        response = client.get(client.url(endpoint))
        assert response.status_code == 302
        assert response.location.startswith(client.url("access.continue_sign_in"))


@pytest.mark.parametrize(
    ("steps_back", "accepted"),
    [(0, True), (1, True), (2, False), (-1, False)],
    ids=["current step", "previous step", "two steps old", "next step"],
)
def test_only_the_current_or_previous_code_is_accepted(app, client, worker, steps_back, accepted):
    _, secret = worker
    post_password(client)
    response = post_code(client, totp_code(secret, START, steps_back))

    assert (response.status_code == 302) is accepted


def test_a_code_works_once(app, worker, make_user):
    _, secret = worker
    code = totp_code(secret, START)
    first, second = app.test_client(), app.test_client()
    post_password(first)
    post_password(second)

    assert post_code(first, code).status_code == 302
    response = post_code(second, code)

    assert response.status_code == 200
    assert "has been used" in response.get_data(as_text=True)


def test_same_response_for_unknown_account_wrong_password_and_locked_account(app, client, make_user):
    make_user(email="locked@example.org", locked_until=START + timedelta(minutes=10))
    make_user(email="known@example.org")
    responses = [
        post_password(client, email="nobody@example.org"),
        post_password(client, email="known@example.org", password="not the right password"),
        post_password(client, email="locked@example.org"),
    ]

    bodies = {mask_tokens(response.get_data(as_text=True)) for response in responses}
    assert {response.status_code for response in responses} == {200}
    assert len(bodies) == 1
    assert GENERIC_FAILURE in bodies.pop()


def test_ten_failures_lock_the_account_for_thirty_minutes(app, client, worker, frozen_clock):
    _, secret = worker
    for _ in range(10):
        post_password(client, password="wrong password, try again")

    response = post_password(client)
    assert GENERIC_FAILURE in response.get_data(as_text=True)

    frozen_clock.shift(timedelta(minutes=29))
    assert GENERIC_FAILURE in post_password(client).get_data(as_text=True)

    frozen_clock.shift(timedelta(minutes=2))
    assert post_password(client).status_code == 302
    assert post_code(client, totp_code(secret, START + timedelta(minutes=31))).status_code == 302


def test_wrong_codes_count_towards_the_lock(app, client, worker):
    _, secret = worker
    post_password(client)
    for _ in range(10):
        post_code(client, "000000" if totp_code(secret, START) != "000000" else "111111")

    response = post_code(client, totp_code(secret, START))

    assert response.status_code == 200


def test_a_successful_sign_in_resets_the_failure_count(app, client, worker, load_user):
    user_id, secret = worker
    for _ in range(9):
        post_password(client, password="wrong password, try again")
    post_password(client)
    post_code(client, totp_code(secret, START))

    assert load_user(user_id).failed_attempts == 0


def test_the_sign_in_post_is_rate_limited_per_address(app, client, worker):
    statuses = [post_password(client, password="wrong password, try again").status_code for _ in range(21)]

    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


def test_a_recovery_code_signs_in_once(app, client, make_user, load_user):
    from access import signin, store
    from extensions import db

    user_id, _ = make_user()
    with app.app_context():
        store.replace_recovery_codes(
            db.session.get(store.User, user_id), [signin.make_password_hash("ABCD-EFGH-IJKL-MNOP-QRST-UVWX")]
        )
        db.session.commit()
    post_password(client)
    used = client.post(client.url("access.use_recovery_code"), data={"code": "abcd efgh ijkl mnop qrst uvwx"})
    assert used.status_code == 302
    client.post(client.url("access.sign_out"))

    post_password(client)
    again = client.post(client.url("access.use_recovery_code"), data={"code": "ABCD-EFGH-IJKL-MNOP-QRST-UVWX"})
    assert again.status_code == 200
    assert "not used before" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example",
        "https://evil.example/",
        "https:evil.example",
        "\\\\evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
        "evil.example",
    ],
)
def test_next_only_ever_leads_to_a_path_on_this_site(app, client, worker, next_path):
    _, secret = worker
    post_password(client, next=next_path)
    response = post_code(client, totp_code(secret, START))

    assert response.location == client.url("meetings.home")


def test_next_returns_to_the_page_asked_for(app, client, worker):
    _, secret = worker
    asked = client.get(client.url("access.list_agencies"))
    assert asked.status_code == 302
    post_password(client, next=client.url("access.list_agencies"))

    assert post_code(client, totp_code(secret, START)).location == client.url("access.list_agencies")
