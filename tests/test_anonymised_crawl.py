"""SECURITY D5: once the retention run has anonymised every case, every page still works for every role:
a case with empty names, answers and notes breaks nothing, and its page says it was anonymised."""

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from access.models import Role
from cases.models import Case
from extensions import db
from tests.conftest import give_session
from tests.world import real_url, seed_world, world_app


@pytest.fixture(scope="module")
def app(database_template, tmp_path_factory):
    with world_app(database_template, tmp_path_factory.mktemp("anonymised-crawl")) as app:
        yield app


@pytest.fixture(scope="module")
def world(app):
    world = seed_world(app)
    # Well past every retention period: the world's meeting is in December 2026.
    with time_machine.travel(datetime(2040, 1, 1, tzinfo=UTC), tick=False):
        result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    return world


def test_D5_every_case_of_the_world_was_anonymised(app, world):
    with app.app_context():
        assert all(case.anonymised_at is not None for case in db.session.scalars(select(Case)))


@pytest.mark.parametrize("role", list(Role))
def test_D5_every_page_works_on_anonymised_cases(app, world, role):
    client = app.test_client()
    give_session(app, client, world.users[role])
    failed = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" in rule.methods:
            status = client.get(real_url(rule, world.ids)).status_code
            if status >= 500:
                failed.append(f"GET {rule.rule} gave {status}")
    assert failed == []


def test_D5_the_case_page_says_the_case_was_anonymised(app, world):
    client = app.test_client()
    give_session(app, client, world.users[Role.COORDINATOR])
    page = client.get(f"/cases/{world.ids['case_id']}").get_data(as_text=True)
    assert "This case was anonymised on" in page
