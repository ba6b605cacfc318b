"""Every route declares who may use it, and nothing but the public list is reachable without
signing in with both factors. Walks app.url_map, so a new route is covered the day it is added."""

import re

import pytest

from access.models import Role
from access.permissions import AccessKind, access_rule_for

PUBLIC_ENDPOINTS = {"static", "health_check", "access.sign_in", "access.signed_out", "meetings.view_glossary"}
SIGN_IN_STEP_ENDPOINTS = {
    "access.continue_sign_in",
    "access.set_new_password",
    "access.set_up_second_factor",
    "access.verify_second_factor",
    "access.use_recovery_code",
}
API_ENDPOINTS = {"risk.score_api", "risk.evaluate_api"}
SAMPLE_VALUES = {"int": 1, "default": "x", "path": "x", "uuid": "00000000-0000-4000-8000-000000000000"}


def all_rules(app):
    return [rule for rule in app.url_map.iter_rules()]


def sample_url(rule) -> str:
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", lambda m: str(SAMPLE_VALUES[m.group(1) or "default"]), rule.rule)


def test_every_endpoint_declares_its_access(app):
    with app.app_context():
        undeclared = [rule.endpoint for rule in all_rules(app) if access_rule_for(rule.endpoint) is None]

    assert undeclared == []


def test_only_the_public_list_is_public_and_only_sign_in_pages_are_sign_in_steps(app):
    with app.app_context():
        kinds = {rule.endpoint: access_rule_for(rule.endpoint).kind for rule in all_rules(app)}

    assert {endpoint for endpoint, kind in kinds.items() if kind is AccessKind.PUBLIC} == PUBLIC_ENDPOINTS
    assert {endpoint for endpoint, kind in kinds.items() if kind is AccessKind.SIGN_IN_STEP} == SIGN_IN_STEP_ENDPOINTS
    assert {endpoint for endpoint, kind in kinds.items() if kind is AccessKind.API_TOKEN} == API_ENDPOINTS


def protected_requests(app):
    for rule in all_rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS | API_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_no_protected_endpoint_is_reachable_without_signing_in(app, client):
    for rule, method in protected_requests(app):
        response = client.open(sample_url(rule), method=method)

        assert response.status_code == 302, f"{method} {rule.rule}"
        assert response.location.startswith("/sign-in"), f"{method} {rule.rule}"


def test_no_protected_endpoint_is_reachable_after_the_password_step_alone(app, client, make_user):
    from tests.conftest import TEST_PASSWORD

    make_user()
    client.post(client.url("access.sign_in"), data={"email": "worker@example.org", "password": TEST_PASSWORD})
    for rule, method in protected_requests(app):
        if rule.endpoint in SIGN_IN_STEP_ENDPOINTS:
            continue
        response = client.open(sample_url(rule), method=method)

        assert response.status_code == 302, f"{method} {rule.rule}"
        assert response.location == client.url("access.continue_sign_in"), f"{method} {rule.rule}"


@pytest.mark.parametrize("signed_in", [False, True])
def test_api_endpoints_need_a_token_and_a_signed_in_browser_is_not_enough(app, client, sign_in_as, signed_in):
    if signed_in:
        sign_in_as(Role.ADMIN)
    for rule in all_rules(app):
        if rule.endpoint not in API_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(sample_url(rule), method=method, json={})

            assert response.status_code == 401, f"{method} {rule.rule}"
            assert "Authorization: Bearer" in response.get_json()["error"]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_the_endpoints_declared_for_it(app, client, sign_in_as, role):
    sign_in_as(role)
    for rule in all_rules(app):
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_ENDPOINTS | SIGN_IN_STEP_ENDPOINTS | API_ENDPOINTS:
            continue
        with app.app_context():
            allowed = role in access_rule_for(rule.endpoint).roles

        status = client.get(sample_url(rule)).status_code

        assert (status != 403) is allowed, f"{role} GET {rule.rule} gave {status}"


def test_urls_are_kebab_case_and_parameters_are_typed(app):
    for rule in all_rules(app):
        if rule.endpoint == "static":
            continue
        static_parts = re.sub(r"<[^>]+>", "", rule.rule)
        assert re.fullmatch(r"[a-z0-9/\-]*", static_parts), rule.rule
        for converter in re.findall(r"<([^>]+)>", rule.rule):
            assert ":" in converter, f"{rule.rule} has an untyped parameter"


def test_an_undeclared_view_is_refused(app, client, sign_in_as):
    app.add_url_rule("/undeclared-test-page", "undeclared_test_page", lambda: "should never be seen")
    sign_in_as(Role.ADMIN)

    response = client.get("/undeclared-test-page")

    assert response.status_code == 403
    assert "should never be seen" not in response.get_data(as_text=True)
