"""CSRF stays on outside tests: this module turns it back on and proves a missing token is refused."""

import re

import pytest

from access.models import AuditEvent
from extensions import db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}


def csrf_token_from(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def sign_in_form(email="worker@example.org", **extra):
    return {"email": email, "password": TEST_PASSWORD, **extra}


def test_csrf_is_on_in_every_non_test_configuration(tmp_path):
    from config import common_settings, development_settings, production_settings

    assert "WTF_CSRF_ENABLED" not in common_settings()
    assert "WTF_CSRF_ENABLED" not in development_settings({}, str(tmp_path))
    from tests.test_config import GOOD_PRODUCTION

    assert "WTF_CSRF_ENABLED" not in production_settings(GOOD_PRODUCTION)


def test_a_post_without_a_token_is_refused_and_changes_nothing(app, client, make_user):
    make_user()

    response = client.post(client.url("access.sign_in"), data=sign_in_form())

    assert response.status_code == 400
    assert "Your form could not be sent" in response.get_data(as_text=True)
    with app.app_context():
        actions = [event.action for event in db.session.query(AuditEvent)]
    assert actions == ["csrf-failed"]


def test_a_token_from_another_session_is_refused(app, client, make_user):
    make_user()
    other = app.test_client()
    foreign_token = csrf_token_from(other.get(other.url("access.sign_in")).get_data(as_text=True))
    client.get(client.url("access.sign_in"))

    response = client.post(client.url("access.sign_in"), data=sign_in_form(csrf_token=foreign_token))

    assert response.status_code == 400


def test_a_post_with_the_token_from_the_page_is_accepted(client, make_user):
    make_user()
    token = csrf_token_from(client.get(client.url("access.sign_in")).get_data(as_text=True))

    response = client.post(client.url("access.sign_in"), data=sign_in_form(csrf_token=token))

    assert response.status_code == 302


def test_sign_out_needs_the_token(client, sign_in_as):
    sign_in_as()

    assert client.post(client.url("access.sign_out")).status_code == 400
    assert client.get(client.url("meetings.home")).status_code == 200


def test_stay_signed_in_needs_the_token_from_the_page(client, sign_in_as):
    """S3: "Stay signed in" changes the session, so it is a POST with the page's token like any other."""
    sign_in_as()
    home = client.get(client.url("meetings.home")).get_data(as_text=True)
    token = re.search(r'data-stay-signed-in>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', home).group(1)
    json = {"Accept": "application/json"}

    assert client.post(client.url("access.stay_signed_in"), headers=json).status_code == 400
    assert (
        client.post(client.url("access.stay_signed_in"), headers=json, data={"csrf_token": "forged"}).status_code == 400
    )
    accepted = client.post(client.url("access.stay_signed_in"), headers=json, data={"csrf_token": token})
    assert accepted.status_code == 200 and accepted.get_json()["seconds_left"] == 1800


def test_the_token_api_needs_no_csrf_token_but_a_bearer_token(app, make_user):
    from access import store

    user_id, _ = make_user(email="admin@example.org")
    with app.app_context():
        admin = store.get_user(user_id)
        store.create_api_token(agency=admin.agency, name="Case system", token="t" * 43, created_by=admin)
        db.session.commit()
    api = app.test_client()
    body = {"tool": "da-5", "answers": {"q1": "yes"}}

    assert (
        api.post(api.url("risk.score_api"), json=body, headers={"Authorization": "Bearer " + "t" * 43}).status_code
        == 200
    )
    assert api.post(api.url("risk.score_api"), json=body).status_code == 401
