"""The route × role × agency matrix, generated from app.url_map with a real row behind every URL parameter:
each role is refused every endpoint not declared for it, no endpoint errors for a role it is declared for,
and an agency's own records are not served to another agency's staff in the same role."""

import pytest

from access.models import Role
from access.permissions import AccessKind, access_rule_for
from tests.conftest import give_session
from tests.world import real_url, seed_world, world_app

LAST = {"access.sign_out"}


@pytest.fixture(scope="module")
def app(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("matrix")) as app:
        yield app


@pytest.fixture(scope="module")
def world(app):
    return seed_world(app)


def signed_in_client(app, user_id: int):
    client = app.test_client()
    give_session(app, client, user_id)
    return client


def every_request(app):
    """(rule, method) for every endpoint, signing out last so the session lasts the walk."""
    pairs = [
        (rule, method) for rule in app.url_map.iter_rules() for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(pairs, key=lambda pair: (pair[0].endpoint in LAST, pair[0].rule, pair[1]))


# The agency dimension: records that belong to one agency, asked for by the same role in another.

AGENCY_RECORDS = [
    ("meetings.edit_research_return", Role.AGENCY_REP),
    ("meetings.update_action", Role.AGENCY_REP),
    ("meetings.update_action", Role.PRACTITIONER),
    ("reports.download_agency_action_plan", Role.AGENCY_REP),
    ("reports.download_agency_action_plan", Role.PRACTITIONER),
    ("cases.review_import", Role.AGENCY_REP),
    ("cases.confirm_import", Role.AGENCY_REP),
    ("cases.discard_import", Role.AGENCY_REP),
]
POST_ONLY = {"cases.confirm_import", "cases.discard_import"}


def rule_for(app, endpoint: str):
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)


@pytest.mark.parametrize(("endpoint", "role"), AGENCY_RECORDS)
def test_another_agencys_staff_in_the_same_role_get_nothing(app, world, endpoint, role):
    rule = rule_for(app, endpoint)
    client = signed_in_client(app, world.other_agency_users[role])
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        response = client.open(real_url(rule, world.ids), method=method, data={})

        assert response.status_code in (403, 404), (
            f"{role} of another agency {method} {rule.rule} gave {response.status_code}"
        )


@pytest.mark.parametrize(
    ("endpoint", "role"), [(endpoint, role) for endpoint, role in AGENCY_RECORDS if endpoint not in POST_ONLY]
)
def test_the_owning_agencys_staff_in_that_role_are_served(app, world, endpoint, role):
    """The control for the test above: the same URLs are real and serve their own agency."""
    client = signed_in_client(app, world.users[role])

    assert client.get(real_url(rule_for(app, endpoint), world.ids)).status_code == 200


# The role matrix, walked after the agency checks since its bodiless POSTs may change the world.


def problem(app, role: Role, rule, method: str, response) -> str | None:
    """What is wrong with this response for this role, or None."""
    with app.app_context():
        declared = access_rule_for(rule.endpoint)
    status = response.status_code
    if status >= 500:
        return f"{status}"
    if declared.kind is AccessKind.SIGN_IN_STEP:
        return (
            None
            if status == 302 and response.location.startswith("/sign-in")
            else f"{status}, not a redirect to sign-in"
        )
    if declared.kind is AccessKind.API_TOKEN:
        return None if status == 401 else f"{status} without a token"
    if declared.kind is AccessKind.ROLES and role not in declared.roles and status != 403:
        return f"{status} for an undeclared role"
    return None


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_what_is_not_declared_for_it_and_nothing_errors(app, world, role):
    client = signed_in_client(app, world.users[role])
    problems = []
    for rule, method in every_request(app):
        response = client.open(real_url(rule, world.ids), method=method, data={})
        found = problem(app, role, rule, method, response)
        if found:
            problems.append(f"{role} {method} {rule.rule}: {found}")

    assert problems == []
