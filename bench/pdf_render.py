"""Render time and memory for the largest everyday document: the minutes of a 30-case meeting.

Run from the repository root: .venv/bin/python -m bench.pdf_render [--cases 30] [--runs 10]
SECURITY.md §4.6 sets the bar: a 30-case minutes PDF with p95 ≤ 10 s and RSS ≤ 500 MB.
Every case gets long minutes in each box, three agencies' information and three actions, so the
document runs to dozens of pages. A fresh SQLite database is made in a temporary folder.
"""

import argparse
import io
import math
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from pypdf import PdfReader

from extensions import db, utcnow
from meetings import agenda
from meetings.models import Action, AgendaItem, CaseMinutes, CaseOutcome, Meeting, MeetingStatus
from reports.documents import Copy, minutes_document
from reports.pdf import PreparedFor, new_document_id, render_pdf
from tests.conftest import build_test_app, migrate_to_head
from tests.meetings.factories import seed_meeting

PARAGRAPH = (
    "Shared at the meeting: dates, contacts and concerns recorded for the bench, long enough to wrap over several "
    "lines. " * 4
)


def fill_minutes(app, meeting_id: int, agency_ids: list[int]) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.status = MeetingStatus.DISTRIBUTED
        for item in db.session.scalars(db.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)):
            db.session.add(
                CaseMinutes(
                    agenda_item_id=item.id,
                    victim_views=PARAGRAPH,
                    information_shared=PARAGRAPH,
                    risks_to_victim=PARAGRAPH,
                    risks_to_children=PARAGRAPH,
                    risks_to_others=PARAGRAPH,
                    risks_to_professionals=PARAGRAPH,
                    decisions=PARAGRAPH,
                    outcome=CaseOutcome.NEW,
                    agency_information={f"agency-{agency_id}": PARAGRAPH for agency_id in agency_ids[:3]},
                )
            )
            for number, agency_id in enumerate(agency_ids[:3]):
                db.session.add(
                    Action(
                        case_id=item.referral.case_id,
                        agenda_item_id=item.id,
                        description=PARAGRAPH[:300],
                        owner_agency_id=agency_id,
                        owner_name="Named Officer",
                        due_on=date.today() + timedelta(days=7 * number),
                    )
                )
        db.session.commit()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        migrate_to_head(database_url)
        with build_test_app(database_url) as app:
            seeded = seed_meeting(
                app, cases=options.cases, invited=("Riverside Police", "Riverside Hospitals NHS Trust")
            )
            fill_minutes(app, seeded.meeting_id, list(seeded.agency_ids.values()))
            timings, size = [], 0
            with app.test_request_context():
                reader = PreparedFor("Bench Reader", "Bench Agency", utcnow())
                for _ in range(options.runs):
                    started = time.perf_counter()
                    meeting = db.session.get(Meeting, seeded.meeting_id)
                    copy = Copy(rows=agenda.agenda_rows(meeting), left_out=set(), cases_left_out=0, notices=[])
                    document = minutes_document(meeting, copy, reviewed=[])
                    pdf = render_pdf(
                        document.template,
                        title=document.title,
                        document_id=new_document_id("BENCH", "M1"),
                        prepared_for=reader,
                        **document.context,
                    )
                    timings.append(time.perf_counter() - started)
                    size = len(pdf)
                    db.session.expire_all()

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    p95 = sorted(timings)[math.ceil(0.95 * len(timings)) - 1]
    print(f"minutes of a {options.cases}-case meeting: {size / 1024:.0f} KiB, {pages} pages, {options.runs} renders")
    print(
        f"render time: median {statistics.median(timings):.2f} s, p95 {p95:.2f} s, max {max(timings):.2f} s (bar: p95 "
        "≤ 10 s)"
    )
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB (bar: ≤ 500 MB)")


if __name__ == "__main__":
    main()
