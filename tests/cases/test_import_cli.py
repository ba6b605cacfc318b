"""flask risk import: the report, the exit codes, and all-or-nothing even when the process is killed."""

import gc
import os
import secrets
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from access.field_crypto import format_key_ring
from access.models import Role
from cases import imports as import_store
from cases.models import Case, Person
from extensions import db
from risk.imports.models import ImportBatch, ImportStatus
from tests.cases.test_import_store import (
    MIXED_FILE,
    add_person,
    audit_actions,
    count,
    dash_csv,
    dash_row,
    table_counts,
)
from tests.risk.import_fixtures import dash_export_csv, png_bytes

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture
def app_settings():
    return {"MARAC_AREA": "Riverside"}


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def importer(make_user):
    user_id, _ = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    return user_id


@pytest.fixture
def export(tmp_path):
    def write(data: bytes, name="export.csv") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def run(runner, path, *options, tool="dash-ric", agency="Riverside Police"):
    args = ["risk", "import", path]
    if tool is not None:
        args += ["--tool", tool]
    if agency is not None:
        args += ["--agency", agency]
    return runner.invoke(args=args + list(options))


def test_a_dry_run_prints_the_report_and_writes_nothing(app, runner, importer, export):
    path = export(dash_csv(MIXED_FILE))
    before = table_counts(app)

    result = run(runner, path, "--dry-run")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "Columns: read from the headings.",
        "Rows in the file: 4",
        "Will import: 2",
        "May be someone already known (left out): 0",
        "Rows with problems (left out): 1",
        "Repeats of an earlier row (left out): 1",
    ]
    assert any(line.startswith("row 4, column Q1: ") and " — " in line for line in lines)
    assert "row 5: repeats row 2 exactly — left out" in lines
    assert lines[-1] == "Dry run: nothing was written."
    assert table_counts(app) == before


def test_an_import_writes_the_valid_rows_in_one_go(app, runner, importer, export):
    result = run(runner, export(dash_csv(MIXED_FILE)))

    assert result.exit_code == 0, result.stderr
    assert "Imported 2 assessments for Riverside Police" in result.stdout
    assert "Written 2 of 2 rows (nothing is saved until every row is written)" in result.stdout
    assert count(app, Person) == count(app, Case) == 2
    with app.app_context():
        batch = db.session.scalar(select(ImportBatch))
        assert (batch.status, batch.rows_imported, batch.uploaded_by_id, batch.token) == (
            ImportStatus.IMPORTED,
            2,
            importer,
            None,
        )
    assert audit_actions(app)[-1] == "import-committed"


def test_rows_that_may_be_known_people_are_left_out_and_listed(app, runner, importer, export):
    add_person(app, "Amy", "Brown", date(1990, 5, 1), "LS1 4AB")
    rows = [dash_row("Amy", "Brown", date(1990, 5, 1), 15), dash_row("Beth", "Clarke", date(1985, 2, 3), 3)]

    result = run(runner, export(dash_csv(rows)))

    assert result.exit_code == 0
    assert "rows 2: may be people already known — decide these in the web app" in result.stdout
    assert "May be someone already known (left out): 1" in result.stdout
    with app.app_context():
        assert [case.victim.given_name for case in db.session.scalars(select(Case))] == ["Beth"]


def test_exit_1_when_nothing_can_be_imported(app, runner, importer, export):
    rows = [dash_row("Cara", "Davies", date(1979, 8, 9), 2, answers=["maybe"] + ["N"] * 23)]
    before = table_counts(app)

    result = run(runner, export(dash_csv(rows)))

    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "Nothing could be imported."
    assert table_counts(app) == before


def test_a_failure_while_writing_exits_1_imports_nothing_and_keeps_the_failed_batch(
    app, runner, importer, export, monkeypatch
):
    def broken(records):
        raise RuntimeError("database went away")

    monkeypatch.setattr(import_store, "insert_records", broken)
    before = table_counts(app)

    result = run(runner, export(dash_csv(MIXED_FILE)))

    assert result.exit_code == 1
    assert "nothing was imported" in result.stderr
    after = table_counts(app)
    assert {table: after[table] - before[table] for table in after if after[table] != before[table]} == {
        "import_batch": 1,
        "audit_event": 1,
    }
    with app.app_context():
        assert db.session.scalar(select(ImportBatch.status)) is ImportStatus.FAILED
    assert audit_actions(app)[-1] == "import-failed"
    assert gc.isenabled()  # the cycle collector, paused for the import, runs again after a failure


@pytest.mark.parametrize("options", [(), ("--dry-run",)])
def test_the_cycle_collector_paused_for_the_import_runs_again_after_it(
    app, runner, importer, export, monkeypatch, options
):
    seen_during = []
    real = import_store.suggest_matches

    def watching(rows):
        seen_during.append(gc.isenabled())
        return real(rows)

    monkeypatch.setattr(import_store, "suggest_matches", watching)
    before = gc.isenabled()

    result = run(runner, export(dash_csv(MIXED_FILE)), *options)

    assert result.exit_code == 0
    assert (before, seen_during, gc.isenabled()) == (True, [False], True)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"tool": "no-such-tool"}, "There is no tool 'no-such-tool'"),
        ({"agency": "Atlantis Police"}, "No agency is called 'Atlantis Police'"),
        ({"tool": None}, "Say which tool with --tool"),
        ({"agency": None}, "Say whose assessments these are with --agency"),
        ({"path": "/no/such/file.csv"}, "Cannot read /no/such/file.csv: No such file or directory."),
        ({"data": png_bytes(), "name": "export.csv"}, "CSV"),
        (
            {"data": b"Colour,Shape\r\nred,round\r\n"},
            "The columns cannot be read as SafeLives DASH Risk Identification Checklist",
        ),
    ],
)
def test_exit_2_with_one_line_for_bad_arguments_or_files(app, runner, importer, export, arguments, message):
    path = arguments.get("path") or export(
        arguments.get("data", dash_csv(MIXED_FILE)), arguments.get("name", "export.csv")
    )
    before = table_counts(app)

    result = run(
        runner, path, tool=arguments.get("tool", "dash-ric"), agency=arguments.get("agency", "Riverside Police")
    )

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert table_counts(app) == before


def test_exit_2_when_no_one_can_be_recorded_as_importing(app, runner, make_agency, export):
    make_agency("Riverside Police")

    result = run(runner, export(dash_csv(MIXED_FILE)))

    assert result.exit_code == 2
    assert (
        "Riverside Police has no active agency representative and there is no active MARAC coordinator" in result.stderr
    )
    assert count(app, Person) == 0


def test_a_dry_run_needs_no_importer(app, runner, make_agency, export):
    make_agency("Riverside Police")

    assert run(runner, export(dash_csv(MIXED_FILE)), "--dry-run").exit_code == 0


def test_the_agency_is_found_as_the_rest_of_the_app_finds_it_whatever_its_case_and_spacing(
    app, runner, importer, export
):
    result = run(runner, export(dash_csv(MIXED_FILE)), "--dry-run", agency="  riverside POLICE ")

    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written." in result.output


def test_a_killed_import_leaves_no_rows_and_a_rerun_succeeds(app, runner, importer, export, database_url):
    path = export(dash_export_csv(20_000, seed=7))
    before = table_counts(app)
    environment = os.environ | {
        "MARAC_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "MARAC_AREA": "Riverside",
        "MARAC_FIELD_KEYS": format_key_ring(app.config["FIELD_KEYS"]),
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "app",
        "risk",
        "import",
        path,
        "--tool",
        "dash-ric",
        "--agency",
        "Riverside Police",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen = []
    try:
        for line in process.stdout:
            seen.append(line)
            if line.startswith("Written 1,000 of "):
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=120)

    assert seen and seen[-1].startswith("Written 1,000 of "), "".join(seen) + process.stderr.read()
    assert process.returncode == -signal.SIGKILL
    assert table_counts(app) == before

    rerun = run(runner, path)

    assert rerun.exit_code == 0, rerun.stderr
    imported = int(rerun.stdout.split("Will import: ")[1].split()[0].replace(",", ""))
    assert imported > 19_000
    assert count(app, Case) == imported
