"""SECURITY S6: step-up. More than STEP_UP_WINDOW (15 minutes) after a session last proved who it is
(password and security code), bulk exports and changes to security settings first ask again; failures
count towards the lock (A3) and everything is audited."""

import html
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import func, select

from access import store
from access.audit import AuditAction
from access.models import ApiToken, AuditEvent, Role, SessionStage, User, UserSession
from extensions import db
from tests.access.conftest import START, totp_code
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "amber kettle orchard violin"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def sign_in(client, secret, email):
    client.post(client.url("access.sign_in"), data={"email": email, "password": TEST_PASSWORD})
    response = client.post(client.url("access.verify_second_factor"), data={"code": totp_code(secret, START)})
    assert response.location == client.url("meetings.home")


def wait_active(client, clock, minutes: int):
    """Time passes with the person active (a page every 5 minutes), so no idle limit ends the session."""
    for _ in range(minutes // 5):
        clock.shift(timedelta(minutes=5))
        assert client.get(client.url("meetings.home")).status_code == 200
    clock.shift(timedelta(minutes=minutes % 5))


def asks_for_step_up(client, response) -> str | None:
    """Where the step-up page will send the person back to, if the response is the step-up redirect."""
    if response.status_code != 302 or urlsplit(response.location).path != client.url("access.confirm_it_is_you"):
        return None
    return parse_qs(urlsplit(response.location).query).get("next", [""])[0]


def step_up(client, secret, at, *, password=TEST_PASSWORD, next_path="/"):
    return client.post(
        client.url("access.confirm_it_is_you", next=next_path),
        data={"password": password, "code": totp_code(secret, at)},
    )


def step_up_from(client, response, secret, at):
    """Fill in the step-up page the response sent the person to."""
    return client.post(response.location, data={"password": TEST_PASSWORD, "code": totp_code(secret, at)})


def events(app, action) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == str(action))))


@pytest.fixture
def coordinator(app, make_user):
    user_id, secret = make_user(email="coordinator@example.org", role=Role.COORDINATOR)
    client = app.test_client()
    sign_in(client, secret, "coordinator@example.org")
    return client, user_id, secret


@pytest.fixture
def admin(app, make_user):
    user_id, secret = make_user(email="admin@example.org", role=Role.ADMIN)
    client = app.test_client()
    sign_in(client, secret, "admin@example.org")
    return client, user_id, secret


DOWNLOADS = ["reports.download_data_return_csv", "reports.download_data_return_xlsx"]


@pytest.mark.parametrize("endpoint", DOWNLOADS)
def test_s6_a_bulk_export_within_15_minutes_of_sign_in_needs_nothing_more(app, coordinator, frozen_clock, endpoint):
    client, _, _ = coordinator
    wait_active(client, frozen_clock, 14)
    assert client.get(client.url(endpoint, quarter="2026-Q3")).status_code == 200


@pytest.mark.parametrize("endpoint", DOWNLOADS)
def test_s6_a_bulk_export_16_minutes_after_sign_in_asks_first_then_works(app, coordinator, frozen_clock, endpoint):
    client, user_id, secret = coordinator
    wait_active(client, frozen_clock, 16)
    url = client.url(endpoint, quarter="2026-Q3")

    response = client.get(url)
    assert asks_for_step_up(client, response) == url
    page = client.get(response.location)
    assert page.status_code == 200
    assert "Confirm it is you" in page_text(page)

    confirmed = step_up(client, secret, START + timedelta(minutes=16), next_path=url)
    assert confirmed.location == url
    assert client.get(url).status_code == 200
    assert [(event.user_id, event.object_type) for event in events(app, AuditAction.STEP_UP)] == [(user_id, "session")]


ADMIN_PAGES = [
    ("access.create_user", {}),
    ("access.edit_user", {"user_id": "target"}),
    ("access.create_api_token", {}),
]
ADMIN_BUTTONS = [
    ("access.reset_user_password", {"user_id": "target"}),
    ("access.unlock_user", {"user_id": "target"}),
    ("access.end_user_sessions", {"user_id": "target"}),
    ("access.revoke_api_token", {"token_id": "token"}),
]


@pytest.fixture
def targets(app, make_user, make_agency):
    target_id, _ = make_user(email="target@example.org")
    with app.app_context():
        token = store.create_api_token(
            agency=store.get_agency(make_agency()),
            name="Police system",
            token="token-" + "x" * 32,
            created_by=db.session.get(User, target_id),
        )
        # Locked and signed in somewhere, so that unlocking or signing out would show as a change.
        target = db.session.get(User, target_id)
        target.locked_until, target.failed_attempts = START + timedelta(hours=1), 10
        store.create_session(user=target, token="target-browser", stage=SessionStage.COMPLETE, ip=None, user_agent=None)
        db.session.commit()
        return {"target": target_id, "token": token.id}


def security_state(app, targets) -> tuple:
    """All that the admin's security buttons change: password, lock, live sessions, the token's revocation."""
    with app.app_context():
        target = db.session.get(User, targets["target"])
        token = db.session.get(ApiToken, targets["token"])
        live = db.session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == target.id, UserSession.revoked_at.is_(None))
        )
        return target.password_hash, target.locked_until, target.failed_attempts, live, token.revoked_at


def filled(values: dict, targets: dict) -> dict:
    return {name: targets.get(value, value) for name, value in values.items()}


@pytest.mark.parametrize(("endpoint", "values"), ADMIN_PAGES, ids=[page for page, _ in ADMIN_PAGES])
def test_s6_security_setting_pages_ask_for_step_up_after_15_minutes(
    app, admin, targets, frozen_clock, endpoint, values
):
    client, _, secret = admin
    url = client.url(endpoint, **filled(values, targets))
    assert client.get(url).status_code == 200
    wait_active(client, frozen_clock, 16)

    assert asks_for_step_up(client, client.get(url)) == url
    assert asks_for_step_up(client, client.post(url, data={})) == url
    step_up(client, secret, START + timedelta(minutes=16), next_path=url)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("endpoint", "values"), ADMIN_BUTTONS, ids=[page for page, _ in ADMIN_BUTTONS])
def test_s6_security_buttons_ask_for_step_up_and_change_nothing_until_then(
    app, admin, targets, frozen_clock, endpoint, values
):
    client, _, secret = admin
    wait_active(client, frozen_clock, 16)
    sent_from = "http://localhost" + client.url("access.edit_user", user_id=targets["target"])
    before = security_state(app, targets)

    response = client.post(client.url(endpoint, **filled(values, targets)), headers={"Referer": sent_from})

    back_to = asks_for_step_up(client, response)
    assert back_to in (sent_from.removeprefix("http://localhost"), client.url(endpoint, **filled(values, targets)))
    assert security_state(app, targets) == before
    confirmed = step_up_from(client, response, secret, START + timedelta(minutes=16))
    assert confirmed.location == back_to
    assert "Press the button again" in page_text(client.get(back_to))


def test_s6_changing_your_own_password_asks_for_step_up_after_15_minutes(app, coordinator, frozen_clock, load_user):
    client, user_id, secret = coordinator
    wait_active(client, frozen_clock, 16)
    url = client.url("access.change_password")
    data = {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    old_hash = load_user(user_id).password_hash

    assert asks_for_step_up(client, client.get(url)) == url
    sent = client.post(url, data=data)
    assert asks_for_step_up(client, sent) == url
    assert load_user(user_id).password_hash == old_hash

    step_up_from(client, sent, secret, START + timedelta(minutes=16))
    assert "Press the button again" in page_text(client.get(url))
    assert "Your password has been changed" in page_text(client.post(url, data=data))


def test_s6_a_wrong_password_at_step_up_is_refused_counted_and_audited(app, coordinator, frozen_clock, load_user):
    client, user_id, secret = coordinator
    wait_active(client, frozen_clock, 16)
    url = client.url("reports.download_data_return_csv", quarter="2026-Q3")

    response = step_up(client, secret, START + timedelta(minutes=16), password="not my password", next_path=url)

    assert response.status_code == 200
    assert "The password or security code is not right" in page_text(response)
    assert load_user(user_id).failed_attempts == 1
    assert len(events(app, AuditAction.STEP_UP_FAILED)) == 1
    assert asks_for_step_up(client, client.get(url)) == url


def test_s6_a_wrong_security_code_at_step_up_is_refused_and_counted(app, coordinator, frozen_clock, load_user):
    client, user_id, _ = coordinator
    wait_active(client, frozen_clock, 16)
    response = client.post(
        client.url("access.confirm_it_is_you", next="/"), data={"password": TEST_PASSWORD, "code": "000000"}
    )
    assert "The password or security code is not right" in page_text(response)
    assert load_user(user_id).failed_attempts == 1


def test_s6_failures_at_step_up_lock_the_account_and_sign_it_out(app, coordinator, frozen_clock, load_user):
    client, user_id, secret = coordinator
    wait_active(client, frozen_clock, 16)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        response = step_up(client, secret, START, password="not my password")

    assert load_user(user_id).locked_until is not None
    assert urlsplit(response.location).path == client.url("access.sign_in")
    assert urlsplit(client.get(client.url("meetings.home")).location).path == client.url("access.sign_in")


def test_s6_step_up_never_leads_off_the_site(app, coordinator, frozen_clock):
    client, _, secret = coordinator
    wait_active(client, frozen_clock, 16)
    response = step_up(client, secret, START + timedelta(minutes=16), next_path="//evil.example/x")
    assert response.location == client.url("meetings.home")


@pytest.fixture
def demo_coordinator(app, make_user):
    app.config["DEMO_MODE"] = True
    make_user(email="demo@example.org", role=Role.COORDINATOR, is_demo=True)
    client = app.test_client()
    client.post(client.url("access.sign_in"), data={"email": "demo@example.org", "password": TEST_PASSWORD})
    return client


def test_s6_a_demo_account_steps_up_with_its_password_alone(app, demo_coordinator, frozen_clock):
    client = demo_coordinator
    wait_active(client, frozen_clock, 16)
    url = client.url("reports.download_data_return_csv", quarter="2026-Q3")
    step_up_page = client.get(client.get(url).location)
    assert "Security code" not in page_text(step_up_page)

    response = client.post(client.url("access.confirm_it_is_you", next=url), data={"password": TEST_PASSWORD})
    assert response.location == url
    assert client.get(url).status_code == 200


STEPPED_UP_EXPORTS = [
    *DOWNLOADS,
    "reports.download_subject_access_pdf",
    "reports.download_subject_access_json",
    "reports.download_case_audit_csv",
    "reports.download_user_audit_csv",
    "cases.lift_legal_hold",
]


@pytest.mark.parametrize("endpoint", STEPPED_UP_EXPORTS)
def test_s6_every_bulk_subject_access_and_audit_export_and_lifting_a_hold_is_behind_step_up(app, endpoint):
    """The behaviour is proved on the data return above; each export here carries the same guard."""
    assert getattr(app.view_functions[endpoint], "requires_step_up", False), endpoint


def test_s6_a_subject_access_export_16_minutes_after_sign_in_asks_first(app, coordinator, frozen_clock):
    client, _, _ = coordinator
    wait_active(client, frozen_clock, 16)
    url = client.url("reports.download_subject_access_json", sar_id=1)

    assert asks_for_step_up(client, client.get(url)) == url
