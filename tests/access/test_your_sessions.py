"""SECURITY S5: at most three sessions at once, a "Your sessions" page that lists them and ends any other
one (or all others), and the administrator ending all of one person's sessions."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select

from access.audit import AuditAction
from access.models import AuditEvent, Role, UserSession
from extensions import db
from tests.access.conftest import START, totp_code
from tests.conftest import TEST_PASSWORD

CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def browser(app, user_agent=CHROME_ON_WINDOWS, ip="192.0.2.10"):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": ip})
    return client


def sign_in(client, secret, at=START, email="worker@example.org"):
    response = client.post(client.url("access.sign_in"), data={"email": email, "password": TEST_PASSWORD})
    assert response.location == client.url("access.verify_second_factor")
    response = client.post(client.url("access.verify_second_factor"), data={"code": totp_code(secret, at)})
    assert response.location == client.url("meetings.home")


def sent_to_sign_in(client) -> bool:
    response = client.get(client.url("meetings.home"))
    return response.status_code == 302 and urlsplit(response.location).path == client.url("access.sign_in")


def session_ids(app, user_id) -> list[int]:
    with app.app_context():
        rows = db.session.scalars(
            select(UserSession.id).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        )
        return sorted(rows)


def audited(app, action) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))))


def test_s5_a_fourth_sign_in_ends_the_oldest_session(app, make_user, frozen_clock):
    user_id, secret = make_user()
    browsers = [browser(app) for _ in range(4)]
    for number, each in enumerate(browsers):
        sign_in(each, secret, at=START + timedelta(seconds=30 * number))
        frozen_clock.shift(timedelta(seconds=30))

    assert sent_to_sign_in(browsers[0])
    assert not any(sent_to_sign_in(each) for each in browsers[1:])
    assert len(session_ids(app, user_id)) == 3


def test_s5_the_page_lists_each_session_with_device_address_and_times(app, make_user, frozen_clock):
    _, secret = make_user()
    laptop, other = browser(app), browser(app, FIREFOX_ON_LINUX, "198.51.100.7")
    sign_in(other, secret)
    frozen_clock.shift(timedelta(minutes=1))
    sign_in(laptop, secret, at=START + timedelta(minutes=1))
    frozen_clock.shift(timedelta(minutes=4))

    page = laptop.get(laptop.url("access.list_own_sessions")).get_data(as_text=True)

    assert "Chrome 131 on Windows 10" in page
    assert "Firefox 133 on Linux" in page
    assert "IP address 192.0.2.10" in page
    assert "IP address 198.51.100.7" in page
    assert "Monday 23 November 2026, 9:01am" in page  # laptop signed in (and last active)
    assert "This browser" in page
    assert page.count("End this session") == 1  # only the other one: this one is ended by signing out


def test_s5_the_sessions_page_is_linked_from_the_account_bar(app, client, sign_in_as):
    sign_in_as()
    page = client.get(client.url("meetings.home")).get_data(as_text=True)
    assert f'href="{client.url("access.list_own_sessions")}"' in page


def test_s5_ending_another_session_asks_first_then_signs_that_browser_out(app, make_user, frozen_clock):
    user_id, secret = make_user()
    laptop, phone = browser(app), browser(app, FIREFOX_ON_LINUX)
    sign_in(phone, secret)
    frozen_clock.shift(timedelta(minutes=1))
    sign_in(laptop, secret, at=START + timedelta(minutes=1))
    phone_session = session_ids(app, user_id)[0]

    confirm = laptop.get(laptop.url("access.end_own_session", session_id=phone_session))
    assert confirm.status_code == 200
    assert "Firefox 133 on Linux" in confirm.get_data(as_text=True)
    assert not sent_to_sign_in(phone)  # asking changes nothing

    response = laptop.post(laptop.url("access.end_own_session", session_id=phone_session))

    assert response.location == laptop.url("access.list_own_sessions")
    assert sent_to_sign_in(phone)
    assert not sent_to_sign_in(laptop)
    assert [(event.user_id, event.object_id) for event in audited(app, AuditAction.SESSION_ENDED)] == [
        (user_id, str(phone_session))
    ]


def test_s5_ending_all_other_sessions_keeps_this_one(app, make_user, frozen_clock):
    user_id, secret = make_user()
    others = [browser(app) for _ in range(2)]
    for number, each in enumerate(others):
        sign_in(each, secret, at=START + timedelta(minutes=number))
        frozen_clock.shift(timedelta(minutes=1))
    laptop = browser(app)
    sign_in(laptop, secret, at=START + timedelta(minutes=2))

    assert laptop.get(laptop.url("access.end_other_sessions")).status_code == 200
    laptop.post(laptop.url("access.end_other_sessions"))

    assert all(sent_to_sign_in(each) for each in others)
    assert not sent_to_sign_in(laptop)
    assert len(session_ids(app, user_id)) == 1
    assert len(audited(app, AuditAction.OTHER_SESSIONS_ENDED)) == 1


def test_s5_nobody_can_end_someone_elses_session(app, make_user, frozen_clock):
    owner_id, owner_secret = make_user()
    _, intruder_secret = make_user(email="other@example.org")
    victim, intruder = browser(app), browser(app)
    sign_in(victim, owner_secret)
    sign_in(intruder, intruder_secret, email="other@example.org")
    victim_session = session_ids(app, owner_id)[0]

    assert intruder.get(intruder.url("access.end_own_session", session_id=victim_session)).status_code == 404
    assert intruder.post(intruder.url("access.end_own_session", session_id=victim_session)).status_code == 404
    assert not sent_to_sign_in(victim)


def test_s5_the_administrator_ends_all_of_one_persons_sessions(app, client, make_user, sign_in_as, frozen_clock):
    user_id, secret = make_user()
    phones = [browser(app) for _ in range(2)]
    for number, each in enumerate(phones):
        sign_in(each, secret, at=START + timedelta(seconds=30 * number))
        frozen_clock.shift(timedelta(seconds=30))
    admin_id = sign_in_as(Role.ADMIN, email="admin@example.org")

    confirm = client.get(client.url("access.end_user_sessions", user_id=user_id))
    assert "Sign Sam Worker out everywhere" in confirm.get_data(as_text=True)
    response = client.post(client.url("access.end_user_sessions", user_id=user_id))

    assert response.location == client.url("access.edit_user", user_id=user_id)
    assert all(sent_to_sign_in(each) for each in phones)
    assert [(e.user_id, e.object_id) for e in audited(app, AuditAction.USER_SESSIONS_ENDED)] == [
        (admin_id, str(user_id))
    ]
