"""A GET crawl of every page as each role (and, for the roles that see only their own agency's records, as the
same role in another agency) changes nothing in the database but the audit trail and the session rows."""

import pytest

from access.audit import AuditAction, record_event
from access.models import Role
from extensions import db
from meetings.models import Action
from tests.conftest import give_session
from tests.world import real_url, seed_world, table_fingerprints, world_app


@pytest.fixture(scope="module")
def app(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("crawl")) as app:
        yield app


@pytest.fixture(scope="module")
def world(app):
    return seed_world(app)


def get_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods), key=lambda rule: rule.rule)


def test_the_crawl_reaches_every_get_endpoint_with_real_ids(app, world):
    client = app.test_client()
    give_session(app, client, world.users[Role.COORDINATOR])

    not_found = [rule.rule for rule in get_rules(app) if client.get(real_url(rule, world.ids)).status_code == 404]

    assert not_found == []


AGENCY_SCOPED = (Role.PRACTITIONER, Role.AGENCY_REP)
CRAWLERS = [(role, "own") for role in Role] + [(role, "other") for role in AGENCY_SCOPED]


@pytest.mark.parametrize(("role", "agency"), CRAWLERS)
def test_a_get_crawl_changes_nothing_but_the_audit_trail_and_sessions(app, world, role, agency):
    client = app.test_client()
    give_session(app, client, (world.users if agency == "own" else world.other_agency_users)[role])
    changed = []
    before = table_fingerprints(app)
    for rule in get_rules(app):
        status = client.get(real_url(rule, world.ids)).status_code
        after = table_fingerprints(app)

        assert status < 500, f"{role} GET {rule.rule} gave {status}"
        changed += [f"GET {rule.rule} changed {name}" for name in after if after[name] != before.get(name)]
        before = after

    assert changed == []


def test_the_fingerprints_notice_one_changed_value_and_ignore_the_audit_trail(app, world):
    """Shows the crawl's check can fail: run last, it puts back what it changes."""
    untouched = table_fingerprints(app)
    with app.app_context():
        action = db.session.get(Action, world.ids["action_id"])
        description = action.description
        action.description = description + "."
        record_event(AuditAction.ACCESS_DENIED, object_type="endpoint", object_id="fingerprint-check")
        db.session.commit()
    changed = table_fingerprints(app)
    with app.app_context():
        db.session.get(Action, world.ids["action_id"]).description = description
        db.session.commit()

    assert [name for name in changed if changed[name] != untouched[name]] == ["marac_action"]
    assert changed["marac_action"][0] == untouched["marac_action"][0]
