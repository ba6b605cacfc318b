"""Python time per page of the load mix (bench/locustfile.py), for one user through the Flask test client: less
noisy than a load run, so a change to a page's cost shows. Not a test; figures only.

Run from the repository root:
    .venv/bin/python -m bench.page_profile [--repeat 30] [--postgres URL] [--profile PAGE]
--profile prints cProfile's top functions for that page (its name as listed), to see where the time goes;
PROFILE_SORT=tottime sorts them by their own time, PROFILE_CALLERS=name also prints who called the functions named.
The machine's other work shows in the times; the SQL statement counts are exact.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import tempfile
import time
from contextlib import contextmanager, nullcontext
from functools import partial
from html.parser import HTMLParser

from sqlalchemy import event

CASES = 25
SORT = os.environ.get("PROFILE_SORT", "cumulative")
CALLERS = os.environ.get("PROFILE_CALLERS")


@contextmanager
def bench_world(postgres: str | None):
    """The load run's seeded meeting (bench/load.py), on PostgreSQL when given, else a SQLite file."""
    from bench.import_dash import postgres_database
    from bench.load import seed

    with tempfile.TemporaryDirectory(prefix="marac-page-profile-") as folder:
        with postgres_database(postgres) if postgres else nullcontext(f"sqlite:///{folder}/bench.sqlite") as url:
            secret_key = secrets.token_urlsafe(32)
            yield url, secret_key, seed(url, secret_key, users=1, cases=CASES)


def mix_pages(world: dict) -> dict:
    """Name -> (method, path, form) for each request of the mix that a signed-in coordinator makes."""
    meeting, item, action = world["meeting_id"], world["items"][0], world["actions"][0]
    minutes = f"/meetings/{meeting}/cases/{item['item_id']}/minutes"
    given, family = world["search_names"][0]
    return {
        "view agenda": ("GET", f"/meetings/{meeting}", None),
        "view case": ("GET", f"/cases/{item['case_id']}", None),
        "minutes: open": ("GET", minutes, None),
        "action: open": ("GET", f"/actions/{action}", None),
        "search: page": ("GET", "/cases/new", None),
        "home": ("GET", "/", None),
        "minutes: save": ("POST", minutes, "minutes"),
        "action: save": ("POST", f"/actions/{action}", "action"),
        "search: results": ("POST", "/cases/new", {"given_name": given, "family_name": family, "action": "search"}),
    }


class OwnForm(HTMLParser):
    """The fields of the page's form that posts back to itself (no action), as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.fields, self.inside, self.textarea = {}, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = not attrs.get("action")
        elif self.inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self.inside and tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        self.textarea = None if tag == "textarea" else self.textarea
        self.inside = False if tag == "form" else self.inside


def own_form_fields(html: str) -> dict:
    parser = OwnForm()
    parser.feed(html)
    return parser.fields


def form_for(client, path: str, kind) -> dict:
    """The page's hidden fields with the fields the locust users fill in."""
    fields = own_form_fields(client.get(path).get_data(as_text=True))
    if kind == "minutes":
        return fields | {"decisions": f"Agreed at the bench meeting, note {secrets.randbelow(10**9)}."}
    if kind == "action":
        return fields | {"status": "open", "completion_note": f"Checked on {secrets.randbelow(10**9)}"}
    return fields | kind


def request_once(client, method: str, path: str, form) -> float:
    data = form_for(client, path, form) if method == "POST" else None
    started = time.perf_counter()
    answer = client.open(path, method=method, data=data)
    elapsed = time.perf_counter() - started
    if answer.status_code >= 400:
        raise RuntimeError(f"{method} {path} gave {answer.status_code}")
    return elapsed


def count_statements(engine, run) -> int:
    """SQL statements one run sends, the form fetch of a save included."""
    counted = []
    listener = lambda *_: counted.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(counted)


def measure(repeat: int = 30, postgres: str | None = None, profile: str | None = None) -> dict[str, tuple]:
    """Per page: median milliseconds per request (after one to warm it) and SQL statements per request."""
    from access.models import User
    from extensions import db
    from tests.conftest import build_test_app, give_session

    with bench_world(postgres) as (url, secret_key, world), build_test_app(url, SECRET_KEY=secret_key) as app:
        client = app.test_client()
        with app.app_context():
            user_id = db.session.query(User.id).filter_by(email=world["accounts"][0]["email"]).scalar()
        give_session(app, client, user_id)
        with app.app_context():
            engine = db.engine
        medians = {}
        for name, (method, path, form) in mix_pages(world).items():
            request_once(client, method, path, form)
            statements = count_statements(engine, partial(request_once, client, method, path, form))
            if name == profile:
                profiler = cProfile.Profile()
                profiler.enable()
            times = [request_once(client, method, path, form) for _ in range(repeat)]
            if name == profile:
                profiler.disable()
                stats = pstats.Stats(profiler).sort_stats(SORT)
                stats.print_stats(50)
                if CALLERS:
                    stats.print_callers(CALLERS)
            medians[name] = (statistics.median(times) * 1000, statements)
        return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases (default: SQLite)")
    parser.add_argument("--profile", help="a page name to profile, e.g. 'view case'")
    options = parser.parse_args()
    medians = measure(options.repeat, options.postgres, options.profile)
    for name, (milliseconds, statements) in medians.items():
        print(f"{name:<16} {milliseconds:7.1f} ms {statements:4d} SQL statements")
    print(f"{'mean':<16} {statistics.mean(value for value, _ in medians.values()):7.1f} ms")


if __name__ == "__main__":
    main()
