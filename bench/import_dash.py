"""Bulk import speed: a generated DASH RIC export imported into a fresh database, against pandas
reading the same file alone.

Run from the repository root:
    .venv/bin/python -m bench.import_dash [--rows 100000] [--postgres postgresql://user:pw@127.0.0.1/db]
With --postgres, a scratch database is created beside that one (the role needs CREATEDB) and dropped
afterwards. The issue aims for the whole import within 5x of the read.
"""

import argparse
import io
import resource
import secrets
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg

from access import signin
from access import store as access_store
from access.models import AgencyKind, Role
from cases import imports as import_store
from config import normalise_database_url
from extensions import db
from risk.imports.checking import detect_mapping, validate
from risk.imports.files import read_table
from risk.instruments import get_pack
from tests.conftest import build_test_app, migrate_to_head
from tests.risk.import_fixtures import dash_export_csv


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
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


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


def import_once(database_url: str, data: bytes, rows: int) -> dict:
    migrate_to_head(database_url)
    with build_test_app(database_url, MARAC_AREA="Bench area") as app:
        agency_id, user_id = importer(app)
        with app.test_request_context():
            user = db.session.get(access_store.User, user_id)
            pack, stages = get_pack("dash-ric"), {}
            frame = timed(stages, "read and check the file", lambda: read_table(data, "export.csv", max_rows=rows))
            mapping = detect_mapping(pack, list(frame.columns))
            report = timed(stages, "validate and score", lambda: validate(frame, pack, mapping, today=date.today()))
            suggestions = timed(
                stages,
                "look for known people",
                lambda: import_store.suggest_matches(report.rows),
            )
            batch = import_store.create_batch(
                token=None,
                agency_id=agency_id,
                tool_id=pack.id,
                filename_shown="export.csv",
                mapping=mapping,
                user=user,
            )
            valid = [row for row in report.rows if row.row not in suggestions]
            outcome = timed(
                stages,
                "write in one transaction",
                lambda: import_store.commit_import(
                    batch, valid, {}, user=user, refer_eligible=False, today=date.today()
                ),
            )
            stages["imported"] = outcome.imported
            return stages


def pandas_read_seconds(data: bytes) -> float:
    started = time.perf_counter()
    pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    return time.perf_counter() - started


def measure(rows: int, seed: int = 20261129, postgres: str | None = None) -> dict:
    """The import timed on one engine (PostgreSQL when a URL is given): its stages in seconds, the rows
    imported, the total, and the pandas read of the same file."""
    data = dash_export_csv(rows, seed)
    pandas_read = pandas_read_seconds(data)
    with postgres_database(postgres) if postgres else sqlite_database() as database_url:
        stages = import_once(database_url, data, rows)
    imported = stages.pop("imported")
    return {"stages": stages, "imported": imported, "total": sum(stages.values()), "pandas_read": pandas_read}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    options = parser.parse_args()

    data = dash_export_csv(options.rows, options.seed)
    pandas_read = pandas_read_seconds(data)
    print(
        f"{options.rows:,}-row DASH export, {len(data) / 1024 / 1024:.1f} MiB; pandas reads it alone in "
        f"{pandas_read:.2f} s"
    )

    engines = [("SQLite", sqlite_database())] + (
        [("PostgreSQL", postgres_database(options.postgres))] if options.postgres else []
    )
    for engine, database in engines:
        with database as database_url:
            stages = import_once(database_url, data, options.rows)
        total = sum(seconds for name, seconds in stages.items() if name != "imported")
        print(
            f"\n{engine}: {stages['imported']:,} rows imported in {total:.1f} s = {stages['imported'] / total:,.0f} "
            "rows/s, "
            f"{total / pandas_read:.0f}x the pandas read (aim: 5x)"
        )
        for name, seconds in stages.items():
            if name != "imported":
                print(f"  {name:<28} {seconds:6.2f} s")
    print(f"\npeak RSS of this process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
