"""Locust users for bench/load.py: coordinators running a meeting (SECURITY.md §4.7 mix), and a /healthz
baseline. Not for running by hand: bench/load.py seeds the database and sets BENCH_WORLD and BENCH_SUMMARY.

Mix: 60 % view agenda or case, 20 % save minutes (version-checked), 10 % actions, 5 % search,
3 % PDF download, 2 % sign-in (password and TOTP, then sign out). 409 and 429 are answers the app
is allowed to give under load: counted apart, not failures; any other 4xx or 5xx is a failure.
"""

import itertools
import json
import os
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime

import pyotp
from locust import HttpUser, between, constant, events, task
from locust.clients import HttpSession
from locust.stats import StatsEntry

from bench.page_forms import csrf_token, own_form

ALLOWED_UNDER_LOAD = (409, 429)
WORLD = json.loads(open(os.environ["BENCH_WORLD"]).read()) if os.environ.get("BENCH_WORLD") else None
ACCOUNTS = itertools.count()
STATUSES: Counter = Counter()
ACKNOWLEDGED = {"minutes": Counter(), "actions": Counter()}
LAST_TIMECODE: dict[str, int] = {}
# Accounts part-way through signing in: a sign-in can outlast its 30-second window, and another user taking the
# same account in the next window would send the same code, which the app rightly refuses as replayed.
SIGNING_IN: set[str] = set()
FLOW = "FLOW"
THINK = tuple(float(part) for part in os.environ.get("BENCH_THINK", "0.5-2").split("-"))
# Every request's start and time, and when the last user had signed in: the first seconds of a run are every user
# signing in at once (argon2), so the pages' figures are also given from then on (`once_all_signed_in`).
TIMINGS: list[tuple[float, str, str, float]] = []
SIGN_INS = {"count": 0, "all_done_at": None}


def judge(response, acknowledged: bool = True) -> bool:
    """Mark the response; True when the request did what was asked."""
    STATUSES[response.status_code] += 1
    if not response.status_code:
        response.failure(f"no answer: {type(response.error).__name__}")
        return False
    if response.status_code < 400 and acknowledged:
        response.success()
        return True
    if response.status_code in ALLOWED_UNDER_LOAD:
        response.success()
    else:
        response.failure(f"unexpected {response.status_code}")
    return False


def code_for(account: dict) -> str:
    """Each code signs in once (replay protection): the login pool never hands out an account twice in a window."""
    totp = pyotp.TOTP(account["secret"])
    LAST_TIMECODE[account["email"]] = totp.timecode(datetime.now(UTC))
    return totp.now()


def unused_login_account(rng: random.Random) -> dict | None:
    window = int(time.time()) // 30
    pool = WORLD[os.environ.get("BENCH_LOGIN_ACCOUNTS", "login_accounts")]
    for account in rng.sample(pool, len(pool)):
        if account["email"] not in SIGNING_IN and LAST_TIMECODE.get(account["email"], -1) < window:
            LAST_TIMECODE[account["email"]] = window
            return account
    return None


def sign_in(client, account: dict) -> bool:
    started = time.perf_counter()
    with client.get("/sign-in", name="sign-in: page", catch_response=True) as page:
        if not judge(page):
            return False
        form = {"csrf_token": csrf_token(page.text), "email": account["email"], "password": account["password"]}
    with client.post("/sign-in", data=form, name="sign-in: password", catch_response=True) as answer:
        if not judge(answer, "security-code" in answer.url):
            return False
        form = {"csrf_token": csrf_token(answer.text), "code": code_for(account)}
    with client.post("/sign-in/security-code", data=form, name="sign-in: security code", catch_response=True) as answer:
        done = judge(answer, answer.url.rstrip("/") == client.base_url.rstrip("/"))
    client.request_event.fire(
        request_type=FLOW,
        name="sign-in (all steps)",
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=None if done else RuntimeError("sign-in failed"),
        context={},
    )
    return done


class Coordinator(HttpUser):
    """A coordinator or chair at a meeting in progress; each signs in with an own account and second factor."""

    wait_time = between(*THINK) if len(THINK) == 2 else constant(THINK[0])

    def on_start(self):
        accounts = WORLD[os.environ.get("BENCH_ACCOUNTS", "accounts")]
        self.account = accounts[next(ACCOUNTS) % len(accounts)]
        self.rng = random.Random()
        if not sign_in(self.client, self.account):
            raise RuntimeError("a bench coordinator could not sign in")
        SIGN_INS["count"] += 1
        if SIGN_INS["count"] == self.environment.parsed_options.num_users:
            SIGN_INS["all_done_at"] = time.time()

    def item(self) -> dict:
        return self.rng.choice(WORLD["items"])

    @task(30)
    def view_agenda(self):
        with self.client.get(f"/meetings/{WORLD['meeting_id']}", name="view agenda", catch_response=True) as answer:
            judge(answer)

    @task(30)
    def view_case(self):
        with self.client.get(f"/cases/{self.item()['case_id']}", name="view case", catch_response=True) as answer:
            judge(answer)

    @task(20)
    def save_minutes(self):
        item = self.item()
        path = f"/meetings/{WORLD['meeting_id']}/cases/{item['item_id']}/minutes"
        with self.client.get(path, name="minutes: open", catch_response=True) as page:
            if not judge(page):
                return
            form = own_form(page.text)
        form["decisions"] = f"Agreed at the bench meeting, note {self.rng.randrange(10**9)}."
        with self.client.post(path, data=form, name="minutes: save", catch_response=True) as answer:
            if judge(answer, bool(answer.history)):
                ACKNOWLEDGED["minutes"][str(item["item_id"])] += 1

    @task(10)
    def update_action(self):
        action_id = self.rng.choice(WORLD["actions"])
        with self.client.get(f"/actions/{action_id}", name="action: open", catch_response=True) as page:
            if not judge(page):
                return
            form = own_form(page.text)
        form |= {"status": "open", "completion_note": f"Checked on {self.rng.randrange(10**9)}"}
        with self.client.post(f"/actions/{action_id}", data=form, name="action: save", catch_response=True) as answer:
            if judge(answer, bool(answer.history)):
                ACKNOWLEDGED["actions"][str(action_id)] += 1

    @task(5)
    def search(self):
        with self.client.get("/cases/new", name="search: page", catch_response=True) as page:
            if not judge(page):
                return
            form = own_form(page.text)
        given, family = self.rng.choice(WORLD["search_names"])
        form |= {"given_name": given, "family_name": family, "action": "search"}
        with self.client.post("/cases/new", data=form, name="search: results", catch_response=True) as answer:
            judge(answer)

    @task(3)
    def download_pdf(self):
        with self.client.get(
            f"/documents/meetings/{WORLD['meeting_id']}/agenda", name="agenda PDF", catch_response=True
        ) as answer:
            judge(answer, answer.headers.get("Content-Type", "").startswith("application/pdf"))

    @task(2)
    def sign_in_again(self):
        """Another person signs in on a separate browser session and signs out again."""
        account = unused_login_account(self.rng)
        if account is None:
            return
        SIGNING_IN.add(account["email"])
        try:
            self.sign_in_and_out(account)
        finally:
            SIGNING_IN.discard(account["email"])

    def sign_in_and_out(self, account: dict) -> None:
        session = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
        if sign_in(session, account):
            with session.get("/", name="sign-in: home", catch_response=True) as home:
                if not judge(home):
                    return
                token = csrf_token(home.text)
            with session.post("/sign-out", data={"csrf_token": token}, name="sign-out", catch_response=True) as answer:
                judge(answer)


class Health(HttpUser):
    """The trivial baseline: /healthz as fast as it answers."""

    wait_time = constant(0)

    @task
    def health(self):
        with self.client.get("/healthz", name="healthz", catch_response=True) as answer:
            judge(answer)


def is_html_get(method: str, name: str) -> bool:
    return method == "GET" and name not in ("agenda PDF", "healthz")


def is_save(name: str) -> bool:
    return name in ("minutes: save", "action: save")


@events.request.add_listener
def keep_timing(request_type, name, response_time, start_time=None, **_):
    if request_type != FLOW and start_time is not None:
        TIMINGS.append((start_time, request_type, name, response_time))


def once_all_signed_in() -> dict:
    """The HTML pages' and saves' figures for the requests started after the last user had signed in."""
    since = SIGN_INS["all_done_at"]
    kept = [(method, name, took) for started, method, name, took in TIMINGS if since and started >= since]
    return {
        "html_get": percentiles([took for method, name, took in kept if is_html_get(method, name)]),
        "saves": percentiles([took for _, name, took in kept if is_save(name)]),
    }


def percentiles(times: list[float]) -> dict:
    if len(times) < 2:
        return {"requests": len(times), "p50": None, "p95": None, "p99": None}
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"requests": len(times), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def merged(stats, keep) -> StatsEntry:
    entry = StatsEntry(stats, "merged", "", use_response_times_cache=False)
    for one in stats.entries.values():
        if keep(one):
            entry.extend(one)
    return entry


def latency(entry: StatsEntry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        **{
            name: entry.get_response_time_percentile(share) if entry.num_requests else None
            for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
    }


@events.quitting.add_listener
def write_summary(environment, **_):
    stats = environment.stats
    is_request = lambda entry: entry.method != FLOW  # noqa: E731
    requests = merged(stats, is_request)
    duration = (
        max(stats.total.last_request_timestamp - stats.total.start_time, 1e-9)
        if stats.total.last_request_timestamp
        else 1e-9
    )
    summary = {
        "all": latency(requests) | {"rps": requests.num_requests / duration},
        "html_get": latency(merged(stats, lambda entry: is_html_get(entry.method, entry.name))),
        "saves": latency(merged(stats, lambda entry: is_save(entry.name))),
        "once_all_signed_in": once_all_signed_in(),
        "pdf": latency(merged(stats, lambda entry: entry.name == "agenda PDF")),
        "sign_in": latency(merged(stats, lambda entry: entry.name == "sign-in (all steps)")),
        "statuses": {str(code): count for code, count in sorted(STATUSES.items())},
        "errors": requests.num_failures,
        "acknowledged": {kind: dict(counts) for kind, counts in ACKNOWLEDGED.items()},
        "failures": [
            {"name": error.name, "error": str(error.error), "count": error.occurrences}
            for error in stats.errors.values()
        ][:20],
    }
    if os.environ.get("BENCH_SUMMARY"):
        with open(os.environ["BENCH_SUMMARY"], "w") as file:
            json.dump(summary, file)
    if summary["errors"]:
        environment.process_exit_code = 1
