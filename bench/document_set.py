"""A 16-case meeting's whole document set (agenda, MARAC list, minutes, every agency's action plan), downloaded
by the coordinator through the app: rendered in the two worker processes, and in this process alone beside it.

Run from the repository root:
    .venv/bin/python -m bench.document_set [--cases 16] [--runs 3] [--postgres postgresql://user:pw@127.0.0.1/db]
Issue 20 aims for the set in at most 5 s using both cores. Every case has long minutes and four actions spread
over eight agencies, so the set holds eight agencies' action plans. A fresh SQLite database is made in a
temporary folder, or with --postgres a scratch database beside that one, dropped afterwards.
"""

import argparse
import logging
import statistics
import time
import zipfile
from datetime import date, timedelta
from io import BytesIO

from access import store as access_store
from access.models import AgencyKind
from bench.import_dash import postgres_database, sqlite_database
from bench.pdf_ratio import coordinator_id
from bench.pdf_render import PARAGRAPH, fill_minutes
from extensions import db
from meetings.models import Action, AgendaItem
from reports import rendering
from tests.conftest import build_test_app, give_session, migrate_to_head
from tests.meetings.factories import seed_meeting

AIM_SECONDS = 5
MORE_AGENCIES = {
    "Riverside Children's Social Care": AgencyKind.CHILDRENS_SOCIAL_CARE,
    "Riverside Probation": AgencyKind.PROBATION,
    "Riverside Mental Health": AgencyKind.MENTAL_HEALTH,
    "Riverside Substance Misuse Service": AgencyKind.SUBSTANCE_MISUSE,
    "Riverside Schools": AgencyKind.EDUCATION,
}


def add_agencies_with_actions(app, meeting_id: int) -> None:
    """One more action per case, for agencies in turn, so the set holds as many plans as a real meeting's."""
    with app.app_context():
        agencies = [access_store.create_agency(name=name, kind=kind) for name, kind in MORE_AGENCIES.items()]
        items = db.session.scalars(db.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).all()
        for number, item in enumerate(items):
            db.session.add(
                Action(
                    case_id=item.referral.case_id,
                    agenda_item_id=item.id,
                    description=PARAGRAPH[:300],
                    owner_agency_id=agencies[number % len(agencies)].id,
                    owner_name="Named Officer",
                    due_on=date.today() + timedelta(days=14),
                )
            )
        db.session.commit()


def time_set(client, path: str, runs: int) -> tuple[list[float], int]:
    """Seconds per download of the set, and how many documents it held."""
    timings, documents = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200 or response.mimetype != "application/zip":
            raise RuntimeError(f"the document set answered {response.status_code} {response.mimetype}, not a zip")
        with zipfile.ZipFile(BytesIO(response.data)) as archive:
            documents = len(archive.namelist())
    return timings, documents


def measure(cases: int = 16, runs: int = 3, postgres: str | None = None) -> dict:
    """Median seconds for the whole set in worker processes and in this process alone."""
    with postgres_database(postgres) if postgres else sqlite_database() as database_url:
        migrate_to_head(database_url)
        with build_test_app(database_url, PDF_RENDER_IN_WORKERS=True, PDF_QUEUE_WAIT_SECONDS=60) as app:
            logging.getLogger("marac").setLevel(logging.WARNING)  # a line per request would bury the figures
            seeded = seed_meeting(app, cases=cases, invited=("Riverside Police", "Riverside Hospitals NHS Trust"))
            fill_minutes(app, seeded.meeting_id, list(seeded.agency_ids.values()))
            add_agencies_with_actions(app, seeded.meeting_id)
            client = app.test_client()
            give_session(app, client, coordinator_id(app, seeded.agency_ids["Riverside IDVA Service"]))
            path = client.url("reports.download_document_set", meeting_id=seeded.meeting_id)
            time_set(client, path, 1)  # starts the worker processes, as the first download after a restart does
            in_workers, documents = time_set(client, path, runs)
            app.config["PDF_RENDER_IN_WORKERS"] = False
            one_process, _ = time_set(client, path, runs)
    return {
        "cases": cases,
        "runs": runs,
        "documents": documents,
        "workers": rendering.RENDERS_AT_ONCE,
        "in_workers": statistics.median(in_workers),
        "one_process": statistics.median(one_process),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL whose role may create databases")
    options = parser.parse_args()
    figures = measure(options.cases, options.runs, options.postgres)
    print(
        f"{figures['cases']}-case meeting: whole document set ({figures['documents']} documents), median of "
        f"{figures['runs']}: {figures['in_workers']:.2f} s in {figures['workers']} worker processes "
        f"(aim <= {AIM_SECONDS} s), {figures['one_process']:.2f} s in one process"
    )


if __name__ == "__main__":
    main()
