"""Who saw what (SECURITY L8) at size: both audit reports on 1,000,000 audit rows in PostgreSQL, timed
through the same store functions the pages use (the page of 50 and the count that pages it), against
the aim of 2 s each.

Run from the repository root:
    .venv/bin/python -m bench.audit_reports [--rows 1000000] [--runs 40] [--postgres postgresql://user:pw@127.0.0.1/db]
A scratch database is created beside that one (the role needs CREATEDB) and dropped afterwards.

The rows are made by INSERT ... SELECT generate_series in a few seconds, not through record_event, so
their hash chain does not verify (prev_hash and row_hash are stand-ins): only the queries are measured.
They are spread over two years, 20,000 cases and 200 users, with one busy case (one case event in fifty,
16,000 rows) and one busy user (one row in ten, 100,000 rows), so that the worst case is timed too.
"""

import argparse
import random
import statistics
import time
from datetime import date, timedelta

import psycopg

from access import store as access_store
from bench.import_dash import postgres_database
from bench.load import DEFAULT_POSTGRES
from cases import store as cases_store
from reports import audit_reports
from reports.audit_reports import Period
from tests.conftest import build_test_app, migrate_to_head

AIM_SECONDS = 2.0
CASES = 20_000
USERS = 200
AGENCIES = 10
SPAN_DAYS = 730
BUSY_CASE, BUSY_USER = 1, 1

# Bound as parameters, never pasted into the SQL.
SIZES = {
    "agencies": AGENCIES,
    "users": USERS,
    "cases": CASES,
    "span_days": SPAN_DAYS,
    "busy_case": BUSY_CASE,
    "busy_user": BUSY_USER,
}

SEED = [
    """INSERT INTO agency (id, name, kind, created_at)
    SELECT n, 'Bench agency ' || n, 'police', now() FROM generate_series(1, %(agencies)s) AS n""",
    """INSERT INTO user_account (id, name, email, agency_id, role, active, is_demo, password_hash,
        must_change_password, failed_attempts, created_at)
    SELECT n, 'Bench user ' || n, 'bench' || n || '@example.org', 1 + n %% %(agencies)s, 'practitioner', true, false,
        'not a hash', false, 0, now()
    FROM generate_series(1, %(users)s) AS n""",
    """INSERT INTO person (id, given_name, family_name, aliases, date_of_birth_variants, interpreter_needed,
        created_by_agency_id, created_at)
    SELECT md5('person' || n)::uuid::text, 'Given', 'Family', '[]', '[]', false, 1, now()
    FROM generate_series(1, %(cases)s) AS n""",
    """INSERT INTO marac_case (id, reference, victim_id, marac_area, status, created_by_agency_id, created_at,
        version_id)
    SELECT md5('case' || n)::uuid::text,
        'BEN-2026-' || CASE WHEN n < 1000 THEN lpad(n::text, 4, '0') ELSE n::text END,
        md5('person' || n)::uuid::text,
        'Bench area', 'open', 1, now(), 1
    FROM generate_series(1, %(cases)s) AS n""",
]

# Each row: who (the busy user one time in ten), when (evenly over two years), and what: four in five about a
# case (the busy case one time in fifty), the rest about meetings.
AUDIT_ROWS = """
INSERT INTO audit_event (id, occurred_at, user_id, agency_id, action, object_type, object_id, ip, prev_hash, row_hash)
SELECT n,
    (now() AT TIME ZONE 'UTC') - (n * make_interval(days => %(span_days)s)) / %(rows)s,
    who, 1 + who %% %(agencies)s,
    CASE WHEN about < 0.6 THEN 'case-viewed' WHEN about < 0.8 THEN 'case-listed' ELSE 'meeting-changed' END,
    CASE WHEN about < 0.8 THEN 'case' ELSE 'meeting' END,
    CASE WHEN about < 0.016 THEN md5('case' || %(busy_case)s)::uuid::text
         WHEN about < 0.8 THEN md5('case' || (1 + (random() * (%(cases)s - 1))::int))::uuid::text
         ELSE (1 + (random() * 500)::int)::text END,
    '10.0.' || (who %% 250) || '.' || (n %% 250),
    md5('prev' || n) || md5('prev' || n), md5('row' || n) || md5('row' || n)
FROM (
    SELECT n, random() AS about,
        CASE WHEN random() < 0.1 THEN %(busy_user)s ELSE 1 + (random() * (%(users)s - 1))::int END AS who
    FROM generate_series(1, %(rows)s) AS n
) AS rows
"""


def seed(database_url: str, rows: int) -> float:
    started = time.perf_counter()
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        for statement in SEED:
            connection.execute(statement, SIZES)
        connection.execute(AUDIT_ROWS, SIZES | {"rows": rows})
        connection.execute("ANALYZE")
    return time.perf_counter() - started


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def run_report(query) -> None:
    """What a page does: count the rows, then read the first page of them."""
    access_store.count_audit_events(query)
    access_store.list_audit_events(query, limit=audit_reports.PER_PAGE)


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def measure(rows: int = 1_000_000, runs: int = 40, postgres: str = DEFAULT_POSTGRES) -> dict:
    chooser = random.Random(19)
    with postgres_database(postgres) as url:
        migrate_to_head(url)
        seeded = seed(url, rows)
        with build_test_app(url) as app, app.app_context():
            today = date.today()
            periods = [Period(), Period(today - timedelta(days=30), today)]

            def case_run(number: int, period: Period) -> float:
                case = cases_store.get_case_by_reference_or_id(f"BEN-2026-{number:04d}")
                return timed(lambda: run_report(audit_reports.case_query(case, period)))

            def user_run(user_id: int, period: Period) -> float:
                user = access_store.get_user(user_id)
                return timed(lambda: run_report(audit_reports.user_query(user, period)))

            times = {
                "case": [case_run(chooser.randint(2, CASES), chooser.choice(periods)) for _ in range(runs)],
                "busy case": [case_run(BUSY_CASE, chooser.choice(periods)) for _ in range(max(runs // 4, 2))],
                "user": [user_run(chooser.randint(2, USERS), chooser.choice(periods)) for _ in range(runs)],
                "busy user": [user_run(BUSY_USER, chooser.choice(periods)) for _ in range(max(runs // 4, 2))],
            }
    return {"rows": rows, "seed s": seeded, "p95 s": {name: p95(found) for name, found in times.items()}}


def rows_for_table(figures: dict) -> list[tuple]:
    """As bench/run_all prints them: metric, value, aim, met?"""
    lines = [(f"audit reports: {figures['rows']:,} synthetic audit rows loaded", f"{figures['seed s']:.1f} s", "", "-")]
    for name, seconds in figures["p95 s"].items():
        met = "yes" if seconds <= AIM_SECONDS else "NO"
        lines.append(
            (f"audit reports: {name}, count + first page, p95", f"{seconds * 1000:,.0f} ms", "<= 2,000 ms", met)
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL URL whose role may create databases")
    options = parser.parse_args()
    for metric, value, aim, met in rows_for_table(measure(options.rows, options.runs, options.postgres)):
        print(f"{metric}: {value} (aim {aim or '-'}, met: {met})")


if __name__ == "__main__":
    main()
