"""The restore drill at the size SECURITY.md §4.5 sets: 5,000 cases and 100,000 audit rows backed up
(encrypted), restored into a fresh migrated database, checked by checksum, and the audit chain verified.
The bar is a restore within 5 minutes on the 2-core machine.

Run from the repository root:
    .venv/bin/python -m bench.backup_drill [--cases 5000] [--audit-rows 100000] [--postgres postgresql://user:pw@127.0.0.1/db]
"""

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from access.audit import AuditAction, audit_key, hash_event, verify_chain
from access.backup import restore_backup, write_backup
from access.models import AuditEvent
from bench.import_dash import import_once, postgres_database, sqlite_database
from cases.models import Case
from extensions import db, utcnow
from tests.conftest import build_test_app, migrate_to_head
from tests.risk.import_fixtures import dash_export_csv

PASSPHRASE = "bench passphrase, never used for real data"
AUDIT_BATCH = 5_000


def chained_events(key: bytes, first_id: int, previous_hash: str, count: int):
    """Audit rows that continue the chain, as the app would have written them one by one."""
    started = utcnow()
    for offset in range(count):
        event = AuditEvent(
            id=first_id + offset,
            occurred_at=started + timedelta(microseconds=offset),
            action=str(AuditAction.CASE_VIEWED),
            object_type="case",
            object_id=str(offset),
            prev_hash=previous_hash,
        )
        event.row_hash = previous_hash = hash_event(event, key)
        yield {column.name: getattr(event, column.name) for column in AuditEvent.__table__.columns}


def add_audit_rows(app, total: int) -> None:
    with app.app_context():
        last = db.session.execute(
            select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
        rows = list(chained_events(audit_key(), last.id + 1, last.row_hash, total - last.id))
        for start in range(0, len(rows), AUDIT_BATCH):
            db.session.execute(insert(AuditEvent), rows[start : start + AUDIT_BATCH])
        db.session.commit()


def seed(database_url: str, cases: int, audit_rows: int) -> dict:
    import_once(database_url, dash_export_csv(cases, 20261129), cases)
    with build_test_app(database_url) as app:
        add_audit_rows(app, audit_rows)
        with app.app_context():
            return {
                "cases": db.session.scalar(select(func.count()).select_from(Case)),
                "audit rows": db.session.scalar(select(func.count()).select_from(AuditEvent)),
            }


def timed(work):
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def measure(cases: int = 5_000, audit_rows: int = 100_000, postgres: str | None = None) -> dict:
    database = postgres_database if postgres else lambda _: sqlite_database()
    with database(postgres) as source_url, database(postgres) as target_url, tempfile.TemporaryDirectory() as folder:
        figures = seed(source_url, cases, audit_rows)
        path = str(Path(folder) / "drill.backup")
        with build_test_app(source_url) as source, source.app_context():
            _, figures["backup s"] = timed(lambda: write_backup(db.engine, path, PASSPHRASE))
        figures["file MiB"] = Path(path).stat().st_size / 1024 / 1024
        migrate_to_head(target_url)
        with build_test_app(target_url) as target, target.app_context():
            _, figures["restore s"] = timed(lambda: restore_backup(db.engine, path, PASSPHRASE))
            (checked, chain_break), figures["audit verify s"] = timed(verify_chain)
        if chain_break is not None or checked != figures["audit rows"]:
            raise SystemExit(f"The restored audit chain does not verify: {chain_break}")
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--audit-rows", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    options = parser.parse_args()
    figures = measure(options.cases, options.audit_rows, options.postgres)
    engine = "PostgreSQL" if options.postgres else "SQLite"
    print(
        f"Restore drill on {engine}: {figures['cases']:,} cases, {figures['audit rows']:,} audit rows, "
        f"{figures['file MiB']:.1f} MiB encrypted backup"
    )
    print(
        f"  backup {figures['backup s']:.1f} s, restore (checksummed) {figures['restore s']:.1f} s, "
        f"audit verify {figures['audit verify s']:.1f} s; bar: restore within 300 s"
    )


if __name__ == "__main__":
    main()
