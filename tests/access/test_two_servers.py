"""Two app servers behind one proxy on one database (issue 20): a session or a sign-in limit started on one
holds on the other. SECURITY S1 (server-side sessions), A8 (sign-in rate limit, counted in memcached so that it
holds across servers) and H9 (client addresses through ProxyFix with an explicit hop count)."""

import json
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest

from access.audit import AuditAction
from access.models import AuditEvent
from extensions import db
from tests.access.other_server import WRONG_PASSWORD
from tests.conftest import TEST_PASSWORD, build_test_app
from tests.memcached import MemcachedMissing, running_memcached

SIGN_IN_LIMIT = 3
SHARED_SECRET_KEY = secrets.token_urlsafe(32)
EMAIL = "worker@example.org"
REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def memcached():
    """A memcached of this test's own; a missing binary fails the test, never skips it."""
    try:
        with running_memcached() as uri:
            yield uri
    except MemcachedMissing as missing:
        pytest.fail(str(missing))


@pytest.fixture
def app_settings(memcached):
    return {
        "SECRET_KEY": SHARED_SECRET_KEY,
        "RATELIMIT_STORAGE_URI": memcached,
        "SIGN_IN_RATE_LIMIT": f"{SIGN_IN_LIMIT} per minute",
    }


def failed_sign_ins_on_other_server(database_url: str, settings: dict, attempts: int) -> list[int]:
    request = {"database_url": database_url, "settings": settings, "email": EMAIL, "attempts": attempts}
    finished = subprocess.run(
        [sys.executable, "-m", "tests.access.other_server", json.dumps(request)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.splitlines()[-1])


def failed_sign_in(client) -> int:
    return client.post("/sign-in", data={"email": EMAIL, "password": WRONG_PASSWORD}).status_code


def test_a8_sign_in_failures_on_one_server_count_on_the_other(app, client, make_user, database_url, app_settings):
    make_user(email=EMAIL)

    assert failed_sign_ins_on_other_server(database_url, app_settings, SIGN_IN_LIMIT - 1) == [200, 200]
    assert failed_sign_in(client) == 200
    assert failed_sign_in(client) == 429
    assert failed_sign_ins_on_other_server(database_url, app_settings, 1) == [429]


def sign_in_through_pages(client, secret: str) -> None:
    response = client.post("/sign-in", data={"email": EMAIL, "password": TEST_PASSWORD})
    assert urlsplit(response.location).path == "/sign-in/security-code"
    response = client.post("/sign-in/security-code", data={"code": pyotp.TOTP(secret).now()})
    assert urlsplit(response.location).path == "/"


def is_signed_in(client) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def client_with_cookie(app, cookie: str):
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return client


def test_s1_a_session_started_on_one_server_works_on_the_other_and_ends_on_both(
    app, client, make_user, database_url, app_settings
):
    _, secret = make_user(email=EMAIL)
    sign_in_through_pages(client, secret)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value

    with build_test_app(database_url, **app_settings) as second_server:
        on_second = client_with_cookie(second_server, cookie)
        assert is_signed_in(on_second)
        with build_test_app(database_url, **app_settings | {"SECRET_KEY": secrets.token_urlsafe(32)}) as stranger:
            assert not is_signed_in(client_with_cookie(stranger, cookie))  # the shared key is what makes it work

        assert on_second.post("/sign-out").status_code == 302

        assert not is_signed_in(client_with_cookie(second_server, cookie))
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    ("hops", "seen_address"),
    [(1, "198.51.100.7"), (0, "127.0.0.1")],
    ids=["one proxy: the address it added", "no proxy: the header is ignored"],
)
def test_h9_the_client_address_is_the_one_the_trusted_proxy_added(database_url, app_settings, hops, seen_address):
    # The browser claimed 203.0.113.5; nginx (proxy_add_x_forwarded_for) appended the address it saw.
    with build_test_app(database_url, **app_settings | {"PROXY_FIX_HOPS": hops}) as server:
        server.test_client().post(
            "/sign-in",
            data={"email": "nobody@example.org", "password": WRONG_PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.5, 198.51.100.7"},
        )
        with server.app_context():
            failure = db.session.scalars(
                db.select(AuditEvent).where(AuditEvent.action == str(AuditAction.SIGN_IN_FAILED))
            ).one()
            assert failure.ip == seen_address
