"""Journey 5: the coordinator downloads a finished meeting's agenda, minutes and one agency's action
plan, and the quarterly data return as CSV and XLSX, in a real browser; each file is opened and read
as a person would check it. axe checks every page loaded."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from access.models import Role
from app import format_local_datetime
from cases.models import Referral
from extensions import db
from meetings.models import Action, Attendance, AttendanceStatus, CaseMinutes, CaseOutcome, Meeting, MeetingStatus
from tests.browser.journeys import go, signed_in_page
from tests.meetings.factories import seed_meeting

UK_TIME = ZoneInfo("Europe/London")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DECISIONS = "Housing to fit a door lock. Police to flag the address."
RISKS = "Perpetrator1 knows the new address."
HOUSING_ACTIONS = ("Fit a door lock and a camera", "Move the family to a safer flat")
POLICE_ACTION = "Flag the address for an urgent response"


@dataclass(frozen=True)
class LastQuarter:
    first_day: date

    @property
    def label(self) -> str:
        month = self.first_day.month
        return f"{MONTHS[month - 1]} to {MONTHS[month + 1]} {self.first_day.year}"

    def at(self, days_in: int) -> datetime:
        return datetime.combine(self.first_day + timedelta(days=days_in), time(10, 0), tzinfo=UK_TIME)


def last_quarter() -> LastQuarter:
    """The quarter before today's, which the data return offers first."""
    today = datetime.now(UK_TIME).date()
    this_quarter_month = 3 * ((today.month - 1) // 3) + 1
    if this_quarter_month == 1:
        return LastQuarter(date(today.year - 1, 10, 1))
    return LastQuarter(date(today.year, this_quarter_month - 3, 1))


def seed_meeting_as(app, starts_at, status, **options):
    seeded = seed_meeting(app, starts_at=starts_at, **options)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = status
        db.session.commit()
    return seeded


def rename_victim(case, given, family):
    case.victim.given_name, case.victim.family_name = given, family


def seed_the_quarter(app, quarter: LastQuarter):
    """Held in the quarter: meeting A (two IDVA referrals with a child each, the second a repeat by its
    minutes) and meeting B (one police referral, a male victim, no children). Not counted: meeting C
    (list issued, never started) and meeting D (held the quarter before)."""
    held = seed_meeting_as(app, quarter.at(14), MeetingStatus.MINUTES_APPROVED, cases=2)
    second = seed_meeting_as(app, quarter.at(42), MeetingStatus.DISTRIBUTED, cases=1, with_children=False)
    seed_meeting_as(app, quarter.at(56), MeetingStatus.LIST_ISSUED, cases=1)
    seed_meeting_as(app, quarter.at(-30), MeetingStatus.DISTRIBUTED, cases=1)
    agencies = held.agency_ids
    with app.app_context():
        first_item, second_item = held.item_ids
        cases = [db.session.get(Referral, referral_id).case for referral_id in held.referral_ids]
        rename_victim(cases[0], "Grace", "Adeyemi")
        rename_victim(cases[1], "Amina", "Rahman")
        db.session.add_all(
            [
                CaseMinutes(
                    agenda_item_id=first_item,
                    information_shared="Two call-outs since March.",
                    risks_to_victim=RISKS,
                    decisions=DECISIONS,
                    agency_information={},
                    outcome=CaseOutcome.NEW,
                ),
                CaseMinutes(
                    agenda_item_id=second_item,
                    decisions="Refer to the IDVA service today.",
                    agency_information={},
                    outcome=CaseOutcome.REPEAT,
                ),
                Attendance(
                    meeting_id=held.meeting_id,
                    agency_id=agencies["Riverside Police"],
                    attendee_name="Pat Officer",
                    status=AttendanceStatus.PRESENT,
                    confidentiality_confirmed_at=quarter.at(14),
                ),
                action(
                    cases[0], first_item, HOUSING_ACTIONS[0], agencies["Riverside Housing"], "Jo Banks", quarter.at(28)
                ),
                action(cases[1], second_item, POLICE_ACTION, agencies["Riverside Police"], "PC Rao", quarter.at(21)),
                action(
                    cases[1], second_item, HOUSING_ACTIONS[1], agencies["Riverside Housing"], "Jo Banks", quarter.at(35)
                ),
            ]
        )
        referral = db.session.get(Referral, second.referral_ids[0])
        referral.agency_id = agencies["Riverside Police"]
        referral.case.victim.gender = "Male"
        db.session.commit()


def action(case, item_id, description, agency_id, owner, due):
    return Action(
        case_id=case.id,
        agenda_item_id=item_id,
        description=description,
        owner_agency_id=agency_id,
        owner_name=owner,
        due_on=due.date(),
    )


def saved_download(page, link, tmp_path):
    with page.expect_download() as info:
        link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def pdf_words(path) -> str:
    """The PDF's text with line breaks and runs of spaces made single spaces, as a reader sees it."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def document_link(page, label, starts_at):
    return page.get_by_role(
        "link",
        name=re.compile(rf"^Download\s*: {re.escape(label)}, meeting on {re.escape(format_local_datetime(starts_at))}"),
    )


def test_the_coordinator_downloads_the_documents_and_the_data_return(
    app, live_server, new_page, make_user, axe, tmp_path
):
    quarter = last_quarter()
    seed_the_quarter(app, quarter)
    _, coordinator_secret = make_user(
        email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside Council", name="Cora Ordinator"
    )
    meeting_day = quarter.at(14)
    reference_date = meeting_day.strftime("%-d %b %Y")

    coordinator = signed_in_page(new_page, axe, live_server, "coordinator@example.org", coordinator_secret)
    go(coordinator, axe, coordinator.locator("nav").get_by_role("link", name="Documents", exact=True))
    agenda = pdf_words(saved_download(coordinator, document_link(coordinator, "Agenda", meeting_day), tmp_path))
    minutes = pdf_words(saved_download(coordinator, document_link(coordinator, "Minutes", meeting_day), tmp_path))
    housing_plan = pdf_words(
        saved_download(
            coordinator, document_link(coordinator, "Action plan for Riverside Housing", meeting_day), tmp_path
        )
    )

    prepared_for = "Prepared for Cora Ordinator, Riverside Council"
    assert prepared_for in agenda and prepared_for in minutes and prepared_for in housing_plan
    assert f"GA, MARAC {reference_date}" in agenda and f"AR, MARAC {reference_date}" in agenda
    assert "GRACE" not in agenda.upper() and "ADEYEMI" not in agenda.upper()
    assert DECISIONS in minutes and RISKS in minutes and "Refer to the IDVA service today." in minutes
    assert "Pat Officer" in minutes and "DRAFT" not in minutes
    assert "MARAC action plan: Riverside Housing" in housing_plan and "2 actions;" in housing_plan
    assert all(description in housing_plan for description in HOUSING_ACTIONS)
    assert POLICE_ACTION not in housing_plan and "PC Rao" not in housing_plan

    go(coordinator, axe, coordinator.locator("nav").get_by_role("link", name="Reports", exact=True))
    go(coordinator, axe, coordinator.get_by_role("link", name="the quarterly data return"))
    coordinator.get_by_label("Quarter").select_option(label=quarter.label)
    go(coordinator, axe, coordinator.get_by_role("button", name="Show this quarter"))
    expect(coordinator.get_by_text(f"2 meetings held in {quarter.label}.")).to_be_visible()
    csv_path = saved_download(
        coordinator, coordinator.get_by_role("link", name=f"Download as CSV for {quarter.label}"), tmp_path
    )
    xlsx_path = saved_download(
        coordinator,
        coordinator.get_by_role("link", name=f"Download as an Excel spreadsheet (XLSX) for {quarter.label}"),
        tmp_path,
    )

    second_day = quarter.at(42)
    expected = [
        # date, cases discussed, repeats, children, police referrals, partner referrals, partner %, male victims
        (meeting_day.strftime("%d/%m/%Y"), 2, 1, 2, 0, 2, 100.0, 0),
        (second_day.strftime("%d/%m/%Y"), 1, 0, 0, 1, 0, 0.0, 1),
        ("Total", 3, 1, 2, 1, 2, 66.7, 1),
    ]
    assert counts_in(csv_rows(csv_path)) == expected
    assert counts_in(xlsx_rows(xlsx_path)) == expected

    # After correcting a case, the quarter's approved meetings are counted again from their cases.
    go(coordinator, axe, coordinator.get_by_role("button", name=f"Count this quarter again for {quarter.label}"))
    expect(
        coordinator.get_by_text(f"2 meetings of {quarter.label} with approved minutes were counted again")
    ).to_be_visible()
    expect(coordinator.get_by_text(f"2 meetings held in {quarter.label}.")).to_be_visible()
    assert coordinator.console_errors == []


COUNTED = (
    "Meeting date",
    "Cases discussed (including repeats)",
    "Repeat cases",
    "Children in households",
    "Referrals from the police",
    "Referrals from partner (non-police) agencies",
    "Partner-agency referrals (% of all referrals)",
    "Male victims",
)


def counts_in(rows: list[list[str]]) -> list[tuple]:
    """The counted columns, found by the start of their headings as a person scanning the sheet would;
    the date as text, the counts as numbers (a spreadsheet shows 100.0 as 100)."""
    heading, *body = rows
    date_column, *count_columns = [
        next(index for index, text in enumerate(heading) if text.startswith(name)) for name in COUNTED
    ]
    return [(row[date_column], *(float(row[index]) for index in count_columns)) for row in body]


def csv_rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def xlsx_rows(path) -> list[list[str]]:
    sheet = load_workbook(path, read_only=True).active
    return [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def cell_text(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)
