"""The minutes PDF of a 25-case meeting through the app (the real route: sign-in session, database reads,
the audit rows) against WeasyPrint rendering the same HTML alone, the floor; the ratio of the medians.

Run from the repository root:
    .venv/bin/python -m bench.pdf_ratio [--cases 25] [--runs 5] [--postgres postgresql://user:pw@127.0.0.1/db]
A fresh SQLite database is made in a temporary folder, or with --postgres a scratch database beside that one
(the role needs CREATEDB), dropped afterwards.
"""

import argparse
import logging
import statistics
import time

from weasyprint import HTML

from access import signin
from access import store as access_store
from access.models import Agency, Role
from bench.import_dash import postgres_database, sqlite_database
from bench.pdf_render import fill_minutes
from extensions import db
from reports import pdf as reports_pdf
from reports.pdf import ASSETS_BASE_URL, LocalAssetFetcher
from tests.conftest import build_test_app, give_session, migrate_to_head
from tests.meetings.factories import seed_meeting


def coordinator_id(app, agency_id: int) -> int:
    with app.app_context():
        user = access_store.create_user(
            name="Bench Coordinator",
            email="bench-coordinator@example.org",
            agency=db.session.get(Agency, agency_id),
            role=Role.COORDINATOR,
            password_hash=signin.make_password_hash("unused bench password"),
        )
        user.must_change_password = False
        db.session.commit()
        return user.id


def html_the_route_renders(client, path: str) -> str:
    """The HTML the route hands to WeasyPrint, caught on its way in, so the floor renders exactly that."""
    caught = []

    class CatchingHTML(HTML):
        def __init__(self, *args, string=None, **kwargs):
            caught.append(string)
            super().__init__(*args, string=string, **kwargs)

    reports_pdf.HTML = CatchingHTML
    try:
        client.get(path)
    finally:
        reports_pdf.HTML = HTML
    return caught[0]


def time_route(client, path: str, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200 or response.mimetype != "application/pdf":
            raise RuntimeError(f"the minutes route answered {response.status_code} {response.mimetype}, not a PDF")
    return timings


def time_weasyprint(html: str, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        HTML(string=html, base_url=ASSETS_BASE_URL, url_fetcher=LocalAssetFetcher()).write_pdf()
        timings.append(time.perf_counter() - started)
    return timings


def measure(cases: int = 25, runs: int = 5, postgres: str | None = None) -> dict:
    """Median seconds through the app and for WeasyPrint alone, and their ratio."""
    with postgres_database(postgres) if postgres else sqlite_database() as database_url:
        migrate_to_head(database_url)
        with build_test_app(database_url) as app:
            logging.getLogger("marac").setLevel(logging.WARNING)  # a line per request would bury the figures
            seeded = seed_meeting(app, cases=cases, invited=("Riverside Police", "Riverside Hospitals NHS Trust"))
            fill_minutes(app, seeded.meeting_id, list(seeded.agency_ids.values()))
            client = app.test_client()
            give_session(app, client, coordinator_id(app, seeded.agency_ids["Riverside IDVA Service"]))
            path = client.url("reports.download_meeting_document", meeting_id=seeded.meeting_id)
            html = html_the_route_renders(client, path)
            through_app = statistics.median(time_route(client, path, runs))
            alone = statistics.median(time_weasyprint(html, runs))
    return {"cases": cases, "runs": runs, "app": through_app, "weasyprint": alone, "ratio": through_app / alone}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=25)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    options = parser.parse_args()
    figures = measure(options.cases, options.runs, options.postgres)
    print(
        f"minutes of a {figures['cases']}-case meeting, median of {figures['runs']}: through the app "
        f"{figures['app']:.2f} s, "
        f"WeasyPrint alone {figures['weasyprint']:.2f} s, ratio {figures['ratio']:.2f}"
    )


if __name__ == "__main__":
    main()
