"""Bulk import speed: a generated DASH RIC export imported into a fresh database, against pandas
reading the same file alone.

Run from the repository root:
    .venv/bin/python -m bench.import_dash [--rows 100000] [--postgres postgresql://user:pw@127.0.0.1/db]
With --postgres, a scratch database is created beside that one (the role needs CREATEDB) and dropped
afterwards. Issue 20: the whole import (checked, scored, matched and stored, all or nothing) in at
most 10x the time pandas takes to read the file (aim 5x), on SQLite and PostgreSQL; on SQLite no
other writer waits more than a second for the write lock.
"""

import argparse
import io
import resource
import secrets
import sqlite3
import tempfile
import threading
import time
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg
from sqlalchemy import event, make_url

from access import signin
from access import store as access_store
from access.models import AgencyKind, Role
from cases import imports as import_store
from config import normalise_database_url
from extensions import READING_ONLY, db
from risk.imports.checking import detect_mapping, validate
from risk.imports.files import read_table
from risk.instruments import get_pack
from tests.conftest import build_test_app, drop_postgres_database, migrate_to_head
from tests.risk.import_fixtures import dash_export_csv
from transactions import reading_only

LOCK_PROBE_PAUSE = 0.01


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def sqlite_database():
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"


@contextmanager
def postgres_database(url: str):
    name = f"marac_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield normalise_database_url(url.rsplit("/", 1)[0] + "/" + name)
    finally:
        drop_postgres_database(name, admin_url=url)


def importer(app):
    with app.app_context():
        agency = access_store.create_agency(name="Bench Police", kind=AgencyKind.POLICE)
        user = access_store.create_user(
            name="Bench Importer",
            email="bench@example.org",
            agency=agency,
            role=Role.AGENCY_REP,
            password_hash=signin.make_password_hash("unused bench password"),
        )
        db.session.commit()
        return agency.id, user.id


def timed(stages: dict, name: str, work):
    started = time.perf_counter()
    result = work()
    stages[name] = time.perf_counter() - started
    return result


class LongestTransaction:
    """The longest transaction that may write, of an engine while it is watched, begin to end of commit or
    rollback: the import's writing. On SQLite that is the longest hold of the write lock (every such
    transaction starts with BEGIN IMMEDIATE, extensions.begin_sqlite; reading_only ones take no lock)."""

    def __init__(self, engine):
        self.engine, self.started, self.longest = engine, {}, 0.0

    def __enter__(self):
        event.listen(self.engine, "begin", self.begin)
        event.listen(self.engine, "commit", self.end, retval=False)
        event.listen(self.engine, "rollback", self.end, retval=False)
        return self

    def __exit__(self, *exc):
        for name, listener in (("begin", self.begin), ("commit", self.end), ("rollback", self.end)):
            event.remove(self.engine, name, listener)

    def begin(self, connection):
        if not READING_ONLY.get():
            self.started[id(connection)] = time.perf_counter()

    def end(self, connection):
        # The commit event comes just before the commit itself, whose time is added on the next call.
        if (started := self.started.pop(id(connection), None)) is not None:
            self.longest = max(self.longest, time.perf_counter() - started)


class LockWaits:
    """Another writer's view (SQLite only): a thread asks for the write lock every few milliseconds, as
    a save would, and keeps the longest wait."""

    def __init__(self, database_url: str):
        self.path = make_url(database_url).database
        self.longest, self.asked, self.stopping = 0.0, 0, threading.Event()
        self.thread = threading.Thread(target=self.ask_again_and_again, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()

    def ask_again_and_again(self):
        connection = sqlite3.connect(self.path, timeout=600, isolation_level=None)
        try:
            while not self.stopping.wait(LOCK_PROBE_PAUSE):
                started = time.perf_counter()
                connection.execute("BEGIN IMMEDIATE")
                self.longest = max(self.longest, time.perf_counter() - started)
                connection.execute("ROLLBACK")
                self.asked += 1
        finally:
            connection.close()


def suggestions_reading_only(rows):
    with reading_only():  # as the command looks for them
        return import_store.suggest_matches(rows)


def import_once(database_url: str, data: bytes, rows: int) -> dict:
    """The command line's import, step by step as `flask risk import` takes it: seconds per stage, the
    rows imported, the longest write transaction and (SQLite) the longest wait of another writer."""
    migrate_to_head(database_url)
    sqlite = database_url.startswith("sqlite")
    with build_test_app(database_url, MARAC_AREA="Bench area") as app:
        agency_id, user_id = importer(app)
        with app.app_context():
            with (
                LongestTransaction(db.engine) as longest,
                LockWaits(database_url) if sqlite else nullcontext() as waits,
                import_store.cycle_collection_paused(),  # as the command pauses it
            ):
                pack, stages = get_pack("dash-ric"), {}
                frame = timed(stages, "read and check the file", lambda: read_table(data, "export.csv", max_rows=rows))
                mapping = detect_mapping(pack, list(frame.columns))
                report = timed(stages, "check and score", lambda: validate(frame, pack, mapping, today=date.today()))
                suggestions = timed(
                    stages,
                    "look for known people",
                    lambda: suggestions_reading_only(report.rows),
                )
                valid = [row for row in report.rows if row.row not in suggestions]
                _, outcome = timed(
                    stages,
                    "decide, then write in one transaction",
                    lambda: import_store.import_outside_a_request(
                        agency_id=agency_id,
                        user_id=user_id,
                        tool_id=pack.id,
                        filename="export.csv",
                        mapping=mapping,
                        rows=valid,
                        today=date.today(),
                    ),
                )
            if isinstance(outcome, import_store.ImportFailed):
                raise RuntimeError("the benchmark import failed") from outcome.__cause__
            stages["imported"] = outcome.imported
            stages["longest write transaction"] = longest.longest
            stages["longest lock wait"] = waits.longest if sqlite else None
            return stages


def pandas_read_seconds(data: bytes) -> float:
    started = time.perf_counter()
    pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    return time.perf_counter() - started


FIGURES = ("imported", "longest write transaction", "longest lock wait")


def measure(rows: int, seed: int = 20261129, postgres: str | None = None) -> dict:
    """The import timed on SQLite and, when a URL is given, PostgreSQL: for each, its stages in seconds,
    the rows imported, the total, the longest write transaction and (SQLite) lock wait; and the pandas read
    of the same file."""
    data = dash_export_csv(rows, seed)
    figures = {"pandas_read": pandas_read_seconds(data), "rows": rows, "engines": {}}
    engines = [("SQLite", sqlite_database)] + (
        [("PostgreSQL", lambda: postgres_database(postgres))] if postgres else []
    )
    for engine, database in engines:
        with database() as database_url:
            stages = import_once(database_url, data, rows)
        figures["engines"][engine] = {
            "stages": {name: seconds for name, seconds in stages.items() if name not in FIGURES},
            "total": sum(seconds for name, seconds in stages.items() if name not in FIGURES),
        } | {name: stages[name] for name in FIGURES}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    options = parser.parse_args()

    figures = measure(options.rows, options.seed, options.postgres)
    pandas_read = figures["pandas_read"]
    print(f"{options.rows:,}-row DASH export; pandas reads it alone in {pandas_read:.2f} s")
    for engine, result in figures["engines"].items():
        total = result["total"]
        print(
            f"\n{engine}: {result['imported']:,} rows imported in {total:.1f} s = {result['imported'] / total:,.0f} "
            f"rows/s; whole import / pandas read = {total / pandas_read:.0f}x (at most 10x, aim 5x)"
        )
        for name, seconds in result["stages"].items():
            print(f"  {name:<40} {seconds:6.2f} s")
        print(f"  longest write transaction                {result['longest write transaction']:6.2f} s")
        if result["longest lock wait"] is not None:
            print(
                f"  longest wait of another writer for the write lock: {result['longest lock wait']:.2f} s (aim <= 1 s)"
            )
    print(f"\npeak RSS of this process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
