"""Other users keep saving while a large import runs (issue 20: on SQLite a 60,000-row import locked
writers out, and 3 of 85 requests got 503; a 20,000-row web confirm kept saves waiting past the busy
timeout). Every SQLite transaction holds the write lock from its start, so the import must not hold it
while it checks, scores, looks for known people and prepares its rows: only while it writes.

Each test looks at the moment the import reads (its look for known people, then its preparing of the rows)
and asks whether another writer could save then without waiting at all. Asked that way, the answer does
not depend on how busy the machine is, or on how long the reading takes."""

import itertools
import sqlite3
import threading

import pytest
from sqlalchemy import func, make_url, select, text

from access import store as access_store
from access.models import AgencyKind, Role
from cases import imports as import_store
from cases.models import Case
from extensions import db
from risk.imports.models import ImportBatch, ImportStatus
from risk.models import Assessment
from tests.cases.test_import_views import upload
from tests.risk.import_fixtures import dash_export_csv
from transactions import transaction

ROWS = 500
READING_STEPS = ("known_people_like", "prepare_import")


@pytest.fixture
def app_settings(tmp_path):
    return {"MARAC_AREA": "Riverside", "IMPORT_FOLDER": str(tmp_path / "imports")}


@pytest.fixture
def importer(make_user):
    user_id, _ = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    return user_id


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def saved_without_waiting(app, name: str) -> bool:
    """Whether another user could save this moment, without waiting for any lock: on SQLite, the write lock every
    save begins by taking, taken at once (busy timeout 0); on PostgreSQL, an agency added with no wait for a lock."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:  # "database is locked"
            return False
        finally:
            connection.close()
    with app.app_context(), transaction():
        db.session.execute(text("SET LOCAL lock_timeout = '100ms'"))
        access_store.create_agency(name=name, kind=AgencyKind.HOUSING)
    return True


@pytest.fixture
def saves_while_reading(app, monkeypatch):
    """step name -> whether a save went through without waiting once the import had done that step, before it
    went on (from another thread, as another user's request would)."""
    saved, asked = {}, itertools.count(1)
    for step in READING_STEPS:
        real = getattr(import_store, step)

        def at_step(*args, step=step, real=real):
            found = real(*args)  # asked once the step has read: its transaction is still open
            answer = {}
            saving = threading.Thread(
                target=lambda: answer.update(ok=saved_without_waiting(app, f"Saved meanwhile {next(asked)}"))
            )
            saving.start()
            saving.join()
            saved[step] = answer.get("ok", False)
            return found

        monkeypatch.setattr(import_store, step, at_step)
    return saved


def test_other_users_save_at_once_while_a_command_line_import_reads(app, importer, tmp_path, saves_while_reading):
    export = tmp_path / "export.csv"
    export.write_bytes(dash_export_csv(ROWS, seed=20))

    result = app.test_cli_runner().invoke(
        args=["risk", "import", str(export), "--tool", "dash-ric", "--agency", "Riverside Police"]
    )

    assert result.exit_code == 0, result.output
    assert saves_while_reading == dict.fromkeys(READING_STEPS, True)
    # The import is whole: every row of the file, in one batch.
    assert count(app, Case) == count(app, Assessment) == ROWS
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert (batch.status, batch.rows_imported) == (ImportStatus.IMPORTED, ROWS)


def test_other_users_save_at_once_while_the_web_checks_and_confirms_a_file(
    app, client, sign_in_as, saves_while_reading
):
    """The check page and the confirm step each check, score and look for known people in every row, and the
    confirm prepares every row: they read, and only the confirm's writing may keep other users waiting."""
    sign_in_as(Role.AGENCY_REP, agency="Riverside Police")
    assert upload(client, dash_export_csv(ROWS, seed=21)).status_code == 302  # on to the check page
    with app.app_context():
        batch_id = db.session.scalar(select(ImportBatch.id))

    assert client.get(client.url("cases.review_import", batch_id=batch_id)).status_code == 200
    assert saves_while_reading == {"known_people_like": True}
    saves_while_reading.clear()
    assert client.post(client.url("cases.confirm_import", batch_id=batch_id), data={}).status_code == 200
    assert saves_while_reading == dict.fromkeys(READING_STEPS, True)

    with app.app_context():
        batch = db.session.get(ImportBatch, batch_id)
        status, imported = batch.status, batch.rows_imported
    assert status is ImportStatus.IMPORTED
    assert count(app, Case) == count(app, Assessment) == imported > ROWS * 0.9
