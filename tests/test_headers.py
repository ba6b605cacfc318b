import pytest

from access.models import Role
from tests.conftest import TEST_PASSWORD

EXPECTED_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@pytest.mark.parametrize("endpoint", ["access.sign_in", "health_check"])
def test_security_headers_on_public_pages(client, endpoint):
    response = client.get(client.url(endpoint))

    assert response.status_code == 200
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("endpoint", ["meetings.home", "access.list_users", "access.change_password"])
def test_security_headers_on_signed_in_pages(client, sign_in_as, endpoint):
    sign_in_as(Role.ADMIN)

    response = client.get(client.url(endpoint))

    assert response.status_code == 200
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value


def test_security_headers_on_error_pages(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.headers["Content-Security-Policy"] == EXPECTED_HEADERS["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_is_sent_over_https(client):
    response = client.get(client.url("access.sign_in"), base_url="https://localhost")

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_html_is_utf8_and_no_server_banner(client):
    response = client.get(client.url("access.sign_in"))

    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Server" not in response.headers
    assert "X-Powered-By" not in response.headers


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    make_user()
    client.post(client.url("access.sign_in"), data={"email": "worker@example.org", "password": TEST_PASSWORD})

    cookie = client.get_cookie("marac_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
