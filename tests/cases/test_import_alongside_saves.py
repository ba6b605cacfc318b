"""Other users keep saving while a large import runs (issue 20: on SQLite a 60,000-row import locked
writers out, and 3 of 85 requests got 503). Every SQLite transaction holds the write lock from its
start, so the import must not hold it while it reads the file, checks, scores and decides: only
while it writes. The saves use the app's own session and busy timeout."""

import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from access import store as access_store
from access.models import Agency, AgencyKind, Role
from cases.models import Case
from extensions import db
from risk.imports.models import ImportBatch, ImportStatus
from risk.models import Assessment
from tests.risk.import_fixtures import dash_export_csv
from transactions import transaction

# The web upload's limit (SECURITY F3); before the import was split this way, a file this size
# kept the write lock for longer than the busy timeout.
ROWS = 20_000
PAUSE_BETWEEN_SAVES = 0.05


@pytest.fixture
def app_settings():
    return {"MARAC_AREA": "Riverside"}


@pytest.fixture
def importer(make_user):
    user_id, _ = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    return user_id


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def save_agency(app, number: int) -> None:
    """A small save, as a request makes one: one transaction, committed."""
    with app.app_context(), transaction():
        access_store.create_agency(name=f"Saved during import {number}", kind=AgencyKind.HOUSING)


def test_other_users_saves_succeed_while_a_large_command_line_import_runs(app, importer, tmp_path):
    export = tmp_path / "export.csv"
    export.write_bytes(dash_export_csv(ROWS, seed=20))
    agencies_before = count(app, Agency)
    finished = {}

    def run_import():
        finished["result"] = app.test_cli_runner().invoke(
            args=["risk", "import", str(export), "--tool", "dash-ric", "--agency", "Riverside Police"]
        )

    importing = threading.Thread(target=run_import)
    importing.start()
    saved, refused = 0, []
    while importing.is_alive():
        try:
            save_agency(app, saved)
            saved += 1
        except OperationalError as error:  # "database is locked": the busy timeout ran out
            refused.append(type(error.orig).__name__)
        time.sleep(PAUSE_BETWEEN_SAVES)
    importing.join()

    result = finished["result"]
    assert result.exit_code == 0, result.output
    assert refused == []
    assert saved >= 20  # the saves really ran alongside the import
    assert count(app, Agency) == agencies_before + saved
    # The import is whole: every row of the file, in one batch.
    assert count(app, Case) == count(app, Assessment) == ROWS
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert (batch.status, batch.rows_imported) == (ImportStatus.IMPORTED, ROWS)
