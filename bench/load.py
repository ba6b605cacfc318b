"""Pages under load: gunicorn (2 workers x 4 threads, as `make serve`) on a throwaway PostgreSQL database,
driven by locust headless with the SECURITY.md §4.7 mix, then a short /healthz-only phase as the baseline.

Run from the repository root:
    .venv/bin/python -m bench.load [--users 50] [--duration 60] [--health-duration 20]
        [--postgres postgresql://marac_ci:marac_ci@127.0.0.1:5432/marac_ci]
SECURITY.md §4.7's full run: --duration 600. The role must be allowed to create databases; the bench's
database is dropped afterwards. Everything listens on 127.0.0.1 only. Exit code 1 when any request
failed (a 5xx, an unexpected 4xx or no answer); 409 and 429 are counted apart.

Bench-only setting: the sign-in rate limit (20 a minute for each address) is raised for the bench,
because every locust user signs in from 127.0.0.1. Nothing else differs from a development server
with demo mode off: CSRF, argon2 with production parameters, TOTP with replay protection, audit.
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

BENCH_SIGN_IN_RATE_LIMIT = "6000 per minute"
DEFAULT_POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://marac_ci:marac_ci@127.0.0.1:5432/marac_ci")
LOGIN_POOL = 120
EXTRA_PEOPLE = 1000
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


SATURATING_USERS = 10


def bench_app():
    """gunicorn's app factory for the bench: the development settings from the environment, with the one
    bench-only change above."""
    from app import create_app
    from config import settings_from_environment

    settings = settings_from_environment(os.environ, os.environ["BENCH_INSTANCE"])
    return create_app(
        settings | {"SIGN_IN_RATE_LIMIT": os.environ.get("BENCH_SIGN_IN_RATE_LIMIT", BENCH_SIGN_IN_RATE_LIMIT)}
    )


def seed(database_url: str, secret_key: str, users: int, cases: int) -> dict:
    """A meeting in progress with `cases` cases and two actions each, a coordinator account (with a second
    factor) per locust user plus a pool for the sign-in task, and extra people for the search."""
    from access import signin
    from access import store as access_store
    from access.models import Agency, Role
    from access.second_factor import new_totp_secret
    from config import common_settings
    from demo.cases import add_person
    from extensions import db
    from meetings.models import Action, Meeting, MeetingStatus
    from tests.conftest import build_test_app, migrate_to_head
    from tests.meetings.factories import AGENCIES, seed_meeting

    migrate_to_head(database_url)
    password = secrets.token_urlsafe(12)
    with build_test_app(
        database_url, SECRET_KEY=secret_key, PASSWORD_HASH_PARAMETERS=common_settings()["PASSWORD_HASH_PARAMETERS"]
    ) as app:
        seeded = seed_meeting(app, cases=cases, invited=tuple(AGENCIES))
        with app.app_context():
            meeting = db.session.get(Meeting, seeded.meeting_id)
            meeting.status = MeetingStatus.IN_PROGRESS
            police = seeded.agency_ids["Riverside Police"]
            for item_id, case_id in zip(seeded.item_ids, seeded.case_ids):
                for number in range(2):
                    db.session.add(
                        Action(
                            case_id=case_id,
                            agenda_item_id=item_id,
                            description=f"Bench action {number + 1}",
                            owner_agency_id=police,
                            owner_name="Named Officer",
                            due_on=date.today() + timedelta(days=14),
                        )
                    )
            for number in range(EXTRA_PEOPLE):
                add_person(
                    police,
                    f"Person{number}",
                    f"Family{number % 97}",
                    date(1960 + number % 40, 1 + number % 12, 1 + number % 28),
                    "RV1 2AB",
                )
            password_hash = signin.make_password_hash(password)
            agency = db.session.get(Agency, seeded.agency_ids["Riverside IDVA Service"])
            accounts = []
            for number in range(users + SATURATING_USERS + LOGIN_POOL):
                secret = new_totp_secret()
                user = access_store.create_user(
                    name=f"Bench Coordinator {number}",
                    email=f"bench-{number}@example.org",
                    agency=agency,
                    role=Role.COORDINATOR,
                    password_hash=password_hash,
                )
                user.must_change_password = False
                user.totp_secret = secret
                user.totp_enrolled_at = user.created_at
                accounts.append({"email": user.email, "password": password, "secret": secret})
            db.session.commit()
            action_ids = list(db.session.scalars(select(Action.id).where(Action.agenda_item_id.in_(seeded.item_ids))))
    return {
        "meeting_id": seeded.meeting_id,
        "items": [
            {"item_id": item_id, "case_id": case_id} for item_id, case_id in zip(seeded.item_ids, seeded.case_ids)
        ],
        "actions": action_ids,
        "accounts": accounts[:users],
        # Their own accounts, so that no security code is used twice in one window (replay protection).
        "saturating_accounts": accounts[users : users + SATURATING_USERS],
        # Halves of the sign-in pool: the run with no pauses is a locust process of its own, which cannot know
        # which codes the first run has just used.
        "login_accounts": accounts[users + SATURATING_USERS : users + SATURATING_USERS + LOGIN_POOL // 2],
        "saturating_login_accounts": accounts[users + SATURATING_USERS + LOGIN_POOL // 2 :],
        "search_names": [[f"Victim{number}", "Case"] for number in range(1, cases + 1)]
        + [[f"Person{number}", f"Family{number % 97}"] for number in range(0, EXTRA_PEOPLE, 50)],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not answer on port {port} within {seconds:.0f} s")


def start_gunicorn(
    folder: Path, database_url: str, secret_key: str, port: int, settings: dict | None = None
) -> subprocess.Popen:
    """settings: more environment variables, such as bench/two_servers.py's shared memcached."""
    from access.field_crypto import format_key_ring
    from config import TEST_FIELD_KEYS

    environment = os.environ | {
        "MARAC_ENV": "development",
        "DEMO_MODE": "0",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "MARAC_AREA": "Riverside",
        "BENCH_INSTANCE": str(folder / "instance"),
        # The seed ran with the test settings, so the server needs the key ring they sealed secrets with.
        "MARAC_FIELD_KEYS": format_key_ring(TEST_FIELD_KEYS),
    }
    environment |= settings or {}
    command = [
        str(BIN / "gunicorn"),
        "--config",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "bench.load:bench_app()",
    ]
    with open(folder / "gunicorn.log", "wb") as log:
        return subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)


def run_locust(
    folder: Path,
    base: str,
    user_class: str,
    users: int,
    spawn_rate: float,
    seconds: int,
    think: str,
    accounts: str = "accounts",
) -> dict:
    summary = folder / f"{user_class}-{accounts}.json"
    environment = os.environ | {
        "BENCH_WORLD": str(folder / "world.json"),
        "BENCH_SUMMARY": str(summary),
        "BENCH_THINK": think,
        "BENCH_ACCOUNTS": accounts,
        "BENCH_LOGIN_ACCOUNTS": "saturating_login_accounts" if accounts == "saturating_accounts" else "login_accounts",
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "15",
        "--host",
        base,
        user_class,
    ]
    with open(folder / f"locust-{user_class}-{accounts}.log", "wb") as log:
        subprocess.run(
            command, env=environment, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + 300, check=False
        )
    if not summary.exists():
        raise RuntimeError(f"locust wrote no summary; see {folder / f'locust-{user_class}-{accounts}.log'}")
    return json.loads(summary.read_text())


def both_acknowledged(first: dict, second: dict) -> dict:
    """The saves acknowledged in either run, per row: each added one to its row's version."""
    totals = {}
    for kind in ("minutes", "actions"):
        counts = dict(first["acknowledged"][kind])
        for row_id, count in second["acknowledged"][kind].items():
            counts[row_id] = counts.get(row_id, 0) + count
        totals[kind] = counts
    return totals


def lost_writes(database_url: str, world: dict, acknowledged: dict) -> int:
    """Saves the client saw succeed that the database does not hold: each acknowledged save adds exactly one
    to the row's version, so a row whose version grew by less than its acknowledged saves lost some."""
    from extensions import db
    from meetings.models import Action, CaseMinutes
    from tests.conftest import build_test_app

    with build_test_app(database_url) as app, app.app_context():
        minutes = dict(db.session.execute(select(CaseMinutes.agenda_item_id, CaseMinutes.version_id)).all())
        actions = dict(
            db.session.execute(select(Action.id, Action.version_id).where(Action.id.in_(world["actions"]))).all()
        )
    missing = sum(max(0, count - minutes.get(int(item_id), 0)) for item_id, count in acknowledged["minutes"].items())
    return missing + sum(
        max(0, count - (actions[int(action_id)] - 1)) for action_id, count in acknowledged["actions"].items()
    )


def measure(
    users: int = 50,
    spawn_rate: float = 5,
    duration: int = 60,
    health_duration: int = 20,
    think: str = "0.5-2",
    postgres: str = DEFAULT_POSTGRES,
    cases: int = 25,
) -> dict:
    from bench.import_dash import postgres_database

    secret_key = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory(prefix="marac-bench-") as name, postgres_database(postgres) as database_url:
        folder = Path(name)
        world = seed(database_url, secret_key, users, cases)
        descriptor = os.open(folder / "world.json", os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(world, file)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(folder, database_url, secret_key, port)
        try:
            wait_until_up(port)
            mix = run_locust(folder, base, "Coordinator", users, spawn_rate, duration, think)
            health = run_locust(folder, base, "Health", users, spawn_rate * 4, health_duration, "0")
            # With pauses the mix can never pass users / mean pause (50 / 1.25 s = 40 req/s), so its capacity
            # beside /healthz is measured as /healthz is: no pauses. Ten users keep gunicorn's eight threads busy
            # while their sign-ins (argon2, deliberately slow) take little of the run.
            saturated = run_locust(
                folder,
                base,
                "Coordinator",
                SATURATING_USERS,
                spawn_rate * 4,
                health_duration,
                "0",
                "saturating_accounts",
            )
        finally:
            server.terminate()
            server.wait(timeout=60)
        lost = lost_writes(database_url, world, both_acknowledged(mix, saturated))
        problems = server_problems(folder / "gunicorn.log")
    return {
        "server_problems": problems,
        "users": users,
        "duration": duration,
        "health_duration": health_duration,
        "think": think,
        "mix": mix,
        "health": health,
        "saturated": saturated,
        "lost_writes": lost,
        "rate_limit_note": f"bench-only sign-in rate limit {BENCH_SIGN_IN_RATE_LIMIT} (production: 20 per minute)",
    }


def server_problems(log: Path) -> list[str]:
    """What gunicorn itself reported (worker timeouts, crashes): the app logs no case data, so this is safe to print."""
    markers = ("[CRITICAL]", "[ERROR]", "Traceback", "WORKER TIMEOUT")
    return [line for line in log.read_text(errors="replace").splitlines() if any(marker in line for marker in markers)]


def errors_of(figures: dict) -> int:
    return figures["mix"]["errors"] + figures["health"]["errors"] + figures["saturated"]["errors"]


def milliseconds(value) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the page mix (SECURITY §4.7: 600)")
    parser.add_argument("--health-duration", type=int, default=20, help="seconds of /healthz only")
    parser.add_argument("--think", default="0.5-2", help="seconds each user waits between tasks, as low-high")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL URL whose role may create databases")
    options = parser.parse_args()
    figures = measure(
        options.users, options.spawn_rate, options.duration, options.health_duration, options.think, options.postgres
    )
    mix = figures["mix"]
    steady = {f"{name}, all signed in": row for name, row in mix["once_all_signed_in"].items()}
    for name, row in [*((name, mix[name]) for name in ("all", "html_get", "saves", "pdf", "sign_in")), *steady.items()]:
        print(
            f"{name:<9} {row['requests']:>6} requests  p50 {milliseconds(row['p50'])}  p95 {milliseconds(row['p95'])} "
            f" p99 {milliseconds(row['p99'])}"
        )
    print(
        f"throughput {mix['all']['rps']:.1f} req/s; with no pauses {figures['saturated']['all']['rps']:.1f} req/s; "
        f"/healthz {figures['health']['all']['rps']:.1f} req/s; errors {errors_of(figures)}; "
        f"statuses {mix['statuses']}; lost writes {figures['lost_writes']}"
    )
    print(figures["rate_limit_note"])
    print("gunicorn reported:", *(figures["server_problems"] or ["nothing amiss"]), sep="\n  ")
    for run in ("mix", "health", "saturated"):
        for failure in figures[run]["failures"]:
            print(f"{run}: failed {failure['count']} x {failure['name']}: {failure['error']}")
    sys.exit(1 if errors_of(figures) or figures["lost_writes"] else 0)


if __name__ == "__main__":
    main()
