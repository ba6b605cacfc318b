"""Two gunicorn servers behind nginx, sharing one PostgreSQL database and one memcached (issue 20): what the
partnership runs when one server is not enough (deploy/nginx.conf), proved on this machine.

Run from the repository root:
    .venv/bin/python -m bench.two_servers [--users 50] [--duration 60] [--think 0.5-2] [--postgres URL]
The ten-minute run: --duration 600. It starts memcached, two gunicorns as `make serve` runs them (own ports, one
SECRET_KEY, PROXY_FIX_HOPS=1, sign-in limits in the memcached) on one throwaway PostgreSQL database, and nginx
(Debian's, not as a daemon, its pid and logs in a temporary folder) in front with deploy/nginx-proxy.conf. All on
127.0.0.1, every wait bounded, everything stopped at the end, also on failure. Then it checks, each figure beside
its aim:
- a session started on server 1 works on server 2, and signing out there ends it on server 1 (SECURITY S1);
- sign-in failures on server 1 count towards the production limit (20 a minute) on server 2 (SECURITY A8);
- an autosave through server 2 after another person's save through server 1 is refused as a conflict (409);
- an X-Forwarded-For a browser makes up is not taken as its address; the one nginx saw is (SECURITY H9);
- bench/load.py's locust mix through nginx reaches both servers and ends with 0 errors and 0 lost writes, and
  the audit chain both servers wrote at once verifies (SECURITY L4).
The load run raises the sign-in limit as bench/load.py does (every locust user signs in from 127.0.0.1); the
checks above run first, with the production limit. Exit code 1 when any check fails.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pyotp
import requests
from sqlalchemy import select

from bench import load
from bench.page_forms import csrf_token, own_form
from bench.table import print_table

NGINX = "/usr/sbin/nginx"
PROXY_SETTINGS = Path(__file__).resolve().parent.parent / "deploy" / "nginx-proxy.conf"
SERVERS = 2
PRODUCTION_SIGN_IN_LIMIT = 20  # config.common_settings()["SIGN_IN_RATE_LIMIT"]: 20 per minute
PROOF_ACCOUNTS = 3
# Documentation addresses (RFC 5737): one a browser claims for itself, one that nginx would have seen.
MADE_UP_ADDRESS = "203.0.113.5"
LIMITED_ADDRESS = "192.0.2.10"
REQUEST_TIMEOUT = 60
STOP_TIMEOUT = 60


def nginx_config(folder: Path, port: int, server_ports: list[int]) -> str:
    # Run as root (CI, this machine), the workers would otherwise drop to nobody, who cannot enter the temp folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    upstream = "\n".join(f"        server 127.0.0.1:{server} max_fails=1 fail_timeout=10s;" for server in server_ports)
    temp = folder / "nginx-temp"
    return f"""{user}daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
events {{
    worker_connections 1024;
}}
http {{
    log_format upstreams '$status $upstream_addr';
    access_log {folder / "nginx-access.log"} upstreams;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    upstream marac {{
{upstream}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://marac;
            include {PROXY_SETTINGS};
        }}
    }}
}}
"""


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def running_nginx(folder: Path, port: int, server_ports: list[int]) -> Iterator[str]:
    (folder / "nginx-temp").mkdir()
    config = folder / "nginx.conf"
    config.write_text(nginx_config(folder, port, server_ports))
    command = [NGINX, "-p", str(folder), "-e", str(folder / "nginx-error.log"), "-c", str(config)]
    with open(folder / "nginx-output.log", "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextmanager
def serving(folder: Path, database_url: str, secret_key: str, ports: list[int], settings: dict) -> Iterator[list]:
    """Both app servers, each with its own folder and log under `folder`; yields their addresses once both answer."""
    servers = []
    try:
        for number, port in enumerate(ports, 1):
            server_folder = folder / f"server{number}"
            server_folder.mkdir(parents=True)
            # Each its own control socket: by default every gunicorn of this user would share one.
            own_socket = {"GUNICORN_CMD_ARGS": f"--control-socket {server_folder / 'gunicorn.ctl'}"}
            servers.append(load.start_gunicorn(server_folder, database_url, secret_key, port, settings | own_socket))
        for port in ports:
            load.wait_until_up(port)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            stop(server)


def server_settings(folder: Path, memcached: str, sign_in_limit: str) -> dict:
    from config import TEST_AUDIT_KEY

    return {
        "PROXY_FIX_HOPS": "1",
        "RATELIMIT_STORAGE_URI": memcached,
        "BENCH_SIGN_IN_RATE_LIMIT": sign_in_limit,
        # The seed chained its audit rows with the test key, so both servers go on with it (a throwaway database).
        "MARAC_AUDIT_KEY": TEST_AUDIT_KEY,
        "MARAC_AUDIT_CHECKPOINTS": str(folder / "audit-checkpoints.jsonl"),
    }


def sign_in(base: str, account: dict) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/sign-in", timeout=REQUEST_TIMEOUT)
    form = {"csrf_token": csrf_token(page.text), "email": account["email"], "password": account["password"]}
    answer = browser.post(f"{base}/sign-in", data=form, timeout=REQUEST_TIMEOUT)
    form = {"csrf_token": csrf_token(answer.text), "code": pyotp.TOTP(account["secret"]).now()}
    answer = browser.post(f"{base}/sign-in/security-code", data=form, timeout=REQUEST_TIMEOUT)
    if answer.url.rstrip("/") != base:
        raise RuntimeError(f"a bench account could not sign in through {base} (status {answer.status_code})")
    return browser


def is_signed_in(browser: requests.Session, base: str) -> bool:
    return browser.get(f"{base}/", allow_redirects=False, timeout=REQUEST_TIMEOUT).status_code == 200


def session_moves_between_servers(first: str, second: str, account: dict) -> dict:
    browser = sign_in(first, account)
    same_cookie = requests.Session()
    same_cookie.cookies.update(browser.cookies)
    works_on_second = is_signed_in(browser, second)
    token = csrf_token(browser.get(f"{second}/", timeout=REQUEST_TIMEOUT).text)
    browser.post(f"{second}/sign-out", data={"csrf_token": token}, timeout=REQUEST_TIMEOUT)
    return {"works on the other": works_on_second, "sign-out ends it on both": not is_signed_in(same_cookie, first)}


def sign_in_limit_is_shared(first: str, second: str) -> dict:
    """Failed sign-ins from one address (as nginx reports it) on server 1, then one more on server 2."""
    browser = requests.Session()
    browser.headers["X-Forwarded-For"] = LIMITED_ADDRESS
    form = {
        "csrf_token": csrf_token(browser.get(f"{first}/sign-in", timeout=REQUEST_TIMEOUT).text),
        "email": "nobody@example.org",
        "password": "not the password",
    }
    on_first = Counter(
        browser.post(f"{first}/sign-in", data=form, timeout=REQUEST_TIMEOUT).status_code
        for _ in range(PRODUCTION_SIGN_IN_LIMIT)
    )
    on_second = browser.post(f"{second}/sign-in", data=form, timeout=REQUEST_TIMEOUT).status_code
    return {"answered on server 1": dict(on_first), "then server 2 answered": on_second}


def autosave_conflict(first: str, second: str, world: dict, accounts: list[dict]) -> list[int]:
    """Two people open the same minutes, one on each server; each autosaves. The second is stale."""
    item = world["items"][0]
    path = f"/meetings/{world['meeting_id']}/cases/{item['item_id']}/minutes"
    people = [(sign_in(base, account), base) for base, account in zip((first, second), accounts)]
    forms = [own_form(browser.get(f"{base}{path}", timeout=REQUEST_TIMEOUT).text) for browser, base in people]
    statuses = []
    for (browser, base), form, words in zip(people, forms, ("First note.", "Second note.")):
        form["decisions"] = f"Agreed at the two-server bench. {words}"
        statuses.append(browser.post(f"{base}{path}/autosave", data=form, timeout=REQUEST_TIMEOUT).status_code)
    return statuses


def address_seen_through_nginx(nginx: str, database_url: str) -> str | None:
    """The address the audit trail records for a sign-in whose browser made up its own X-Forwarded-For."""
    from access.audit import AuditAction
    from access.models import AuditEvent
    from extensions import db
    from tests.conftest import build_test_app

    browser = requests.Session()
    page = browser.get(f"{nginx}/sign-in", timeout=REQUEST_TIMEOUT)
    form = {"csrf_token": csrf_token(page.text), "email": "someone@example.org", "password": "not the password"}
    browser.post(f"{nginx}/sign-in", data=form, headers={"X-Forwarded-For": MADE_UP_ADDRESS}, timeout=REQUEST_TIMEOUT)
    with build_test_app(database_url) as app, app.app_context():
        failed = select(AuditEvent.ip).where(AuditEvent.action == str(AuditAction.SIGN_IN_FAILED))
        return db.session.scalar(failed.order_by(AuditEvent.id.desc()).limit(1))


def audit_chain(database_url: str) -> tuple[int, str | None]:
    from access.audit import verify_chain
    from tests.conftest import build_test_app

    with build_test_app(database_url) as app, app.app_context():
        rows, first_break = verify_chain()
    return rows, None if first_break is None else f"row {first_break.row_id}: {first_break.reason}"


def requests_per_server(access_log: Path, skip: int) -> dict:
    """From nginx's log ('status upstream') after the first `skip` lines (the checks): how many requests of the
    load run each server answered, and nginx's own 5xx (no server answered)."""
    served, proxy_errors = Counter(), 0
    for line in access_log.read_text().splitlines()[skip:]:
        status, _, upstreams = line.partition(" ")
        served[upstreams.split(",")[-1].strip()] += 1
        proxy_errors += status in ("502", "503", "504") and upstreams in ("", "-")
    return {"served": dict(served), "nginx errors": proxy_errors}


def proxy_problems(error_log: Path) -> list[str]:
    """nginx's errors (an upstream refused or timed out); its own start-up notices are not problems."""
    markers = ("[error]", "[crit]", "[alert]", "[emerg]")
    return [line for line in error_log.read_text(errors="replace").splitlines() if any(m in line for m in markers)]


def prepare_world(folder: Path, database_url: str, secret_key: str, users: int, cases: int) -> tuple[dict, list]:
    """bench/load.py's world, less a few sign-in accounts kept for the checks, so locust never reuses their
    security codes (each code signs in once)."""
    world = load.seed(database_url, secret_key, users, cases)
    proof_accounts = world["login_accounts"][:PROOF_ACCOUNTS]
    world["login_accounts"] = world["login_accounts"][PROOF_ACCOUNTS:]
    descriptor = os.open(folder / "world.json", os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(world, file)
    return world, proof_accounts


def measure(
    users: int = 50,
    duration: int = 60,
    think: str = "0.5-2",
    postgres: str = load.DEFAULT_POSTGRES,
    cases: int = 25,
    spawn_rate: float = 5,
) -> dict:
    from bench.import_dash import postgres_database
    from tests.memcached import running_memcached

    secret_key = secrets.token_urlsafe(32)
    with ExitStack() as running:
        folder = Path(running.enter_context(tempfile.TemporaryDirectory(prefix="marac-two-servers-")))
        database_url = running.enter_context(postgres_database(postgres))
        world, accounts = prepare_world(folder, database_url, secret_key, users, cases)
        memcached = running.enter_context(running_memcached())
        ports = [load.free_port() for _ in range(SERVERS)]
        nginx_port = load.free_port()
        nginx = running.enter_context(running_nginx(folder, nginx_port, ports))

        production = server_settings(folder, memcached, f"{PRODUCTION_SIGN_IN_LIMIT} per minute")
        with serving(folder / "checks", database_url, secret_key, ports, production) as (first, second):
            load.wait_until_up(nginx_port)
            checks = {
                "session": session_moves_between_servers(first, second, accounts[0]),
                "autosave": autosave_conflict(first, second, world, accounts[1:]),
                "address": address_seen_through_nginx(nginx, database_url),
                "limit": sign_in_limit_is_shared(first, second),
            }
        bench_limit = server_settings(folder, memcached, load.BENCH_SIGN_IN_RATE_LIMIT)
        with serving(folder / "load", database_url, secret_key, ports, bench_limit):
            checked_lines = len((folder / "nginx-access.log").read_text().splitlines())
            mix = load.run_locust(folder, nginx, "Coordinator", users, spawn_rate, duration, think)
        rows, first_break = audit_chain(database_url)
        return checks | {
            "users": users,
            "duration": duration,
            "think": think,
            "mix": mix,
            "lost_writes": load.lost_writes(database_url, world, mix["acknowledged"]),
            "audit rows": rows,
            "audit break": first_break,
            "spread": requests_per_server(folder / "nginx-access.log", checked_lines),
            "server_problems": [
                f"{log.parent.relative_to(folder)}: {line}"
                for log in sorted(folder.glob("*/server*/gunicorn.log"))
                for line in load.server_problems(log)
            ]
            + [f"nginx: {line}" for line in proxy_problems(folder / "nginx-error.log")],
        }


def held(check: bool) -> str:
    return "yes" if check else "NO"


def two_server_rows(figures: dict) -> list[tuple]:
    """Issue 20, more than one machine: bench/two_servers.py's checks and its load run through nginx."""
    session, limit, mix = figures["session"], figures["limit"], figures["mix"]
    served = sorted(figures["spread"]["served"].values())
    limited = limit["answered on server 1"] == {200: PRODUCTION_SIGN_IN_LIMIT}
    errors = mix["errors"] + figures["spread"]["nginx errors"]
    return [
        (
            "two servers: a session from server 1 used on server 2",
            "works" if session["works on the other"] else "refused",
            "works",
            held(session["works on the other"]),
        ),
        (
            "two servers: signed out on server 2, then server 1",
            "ended" if session["sign-out ends it on both"] else "still signed in",
            "ended",
            held(session["sign-out ends it on both"]),
        ),
        (
            f"two servers: {PRODUCTION_SIGN_IN_LIMIT} failed sign-ins on server 1, then server 2",
            str(limit["then server 2 answered"]),
            "429 (limit shared)",
            held(limited and limit["then server 2 answered"] == 429),
        ),
        (
            "two servers: autosave on 1, then a stale autosave on 2",
            " then ".join(map(str, figures["autosave"])),
            "200 then 409",
            held(figures["autosave"] == [200, 409]),
        ),
        (
            f"two servers: address audited when a browser claims {MADE_UP_ADDRESS}",
            str(figures["address"]),
            "127.0.0.1 (nginx's)",
            held(figures["address"] == "127.0.0.1"),
        ),
        (
            f"two servers: load through nginx, {figures['users']} users x {figures['duration']} s",
            f"{mix['all']['requests']:,} requests, {mix['all']['rps']:.1f} req/s",
            "10 min",
            "-",
        ),
        (
            "two servers: load requests each server answered",
            " / ".join(f"{count:,}" for count in served),
            "both",
            held(len(served) == SERVERS and min(served) > 0),
        ),
        ("two servers: errors (incl. nginx 5xx)", str(errors), "0", held(errors == 0)),
        ("two servers: lost writes", str(figures["lost_writes"]), "0", held(figures["lost_writes"] == 0)),
        (
            f"two servers: audit chain both wrote at once ({figures['audit rows']:,} rows)",
            figures["audit break"] or "intact",
            "intact",
            held(figures["audit break"] is None),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the page mix (the issue: 600)")
    parser.add_argument("--think", default="0.5-2", help="seconds each user waits between tasks, as low-high")
    parser.add_argument(
        "--postgres", default=load.DEFAULT_POSTGRES, help="a PostgreSQL URL whose role may create databases"
    )
    options = parser.parse_args()
    figures = measure(options.users, options.duration, options.think, options.postgres)
    table = two_server_rows(figures)
    print_table(table)
    print("reported:", *(figures["server_problems"] or ["nothing amiss"]), sep="\n  ")
    for failure in figures["mix"]["failures"]:
        print(f"failed {failure['count']} x {failure['name']}: {failure['error']}")
    sys.exit(0 if all(row[3] in ("yes", "-") for row in table) else 1)


if __name__ == "__main__":
    main()
