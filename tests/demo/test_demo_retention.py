"""SECURITY D5: the demo's retention review shows a case due next month, one due now (which the next daily
run anonymises) and one on legal hold with its reason."""

import pytest

from access.models import Role
from cases.models import Case
from demo.retention import HOLD_REASON
from extensions import db
from tests.conftest import build_test_app, give_session


@pytest.fixture
def seeded_app(database_url, tmp_path):
    with build_test_app(database_url, DEMO_MODE=True, MARAC_AREA="Riverside (demo)") as app:
        app.instance_path = str(tmp_path / "instance")
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        yield app


def test_D5_the_demo_retention_review_has_a_case_due_now_one_next_month_and_one_on_hold(seeded_app):
    from access import store as access_store

    client = seeded_app.test_client()
    with seeded_app.app_context():
        coordinator = access_store.get_user_by_email("coordinator@demo.invalid")
        assert coordinator.role is Role.COORDINATOR
        coordinator_id = coordinator.id
    give_session(seeded_app, client, coordinator_id)
    page = client.get("/retention").get_data(as_text=True)
    due_now, _, rest = page.partition('id="due-next-month"')
    next_month = rest.partition('id="rules"')[0]
    assert due_now.count("Put on legal hold") == 1 and due_now.count("Lift the hold") == 1
    assert HOLD_REASON in due_now
    assert next_month.count("Put on legal hold") == 1

    result = seeded_app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert result.output.count(", anonymised") == 1
    with seeded_app.app_context():
        assert sum(1 for case in db.session.scalars(db.select(Case)) if case.anonymised_at) == 1
