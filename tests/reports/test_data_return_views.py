"""The data return pages: who may see and download them, what they show, and what is audited."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from access.models import AuditEvent, Role
from extensions import db, utcnow
from meetings.models import Meeting, MeetingStatus
from meetings.schedule import UK_TIME
from reports import data_return
from reports.data_return import COLUMN_LABELS, COLUMNS
from reports.quarters import Quarter, quarter_containing
from tests.reports.fixtures_data_return import CaseSpec, add_meeting, uk, victims_heard_at

CANARY = "CANARY-SAFE-ADDRESS 9 Quiet Close"
DOWNLOADS = ["reports.download_data_return_csv", "reports.download_data_return_xlsx"]
ENDPOINTS = ["reports.view_data_return", *DOWNLOADS]


@pytest.fixture
def held_meeting(app):
    """One meeting on 7 October 2026: a police referral (a 17-year-old victim with two children) and an IDVA repeat."""
    return add_meeting(
        app,
        uk(2026, 10, 7),
        MeetingStatus.DISTRIBUTED,
        [
            CaseSpec(
                "Quarter Police", date(2009, 10, 7), ethnicity="Asian or Asian British", children=2, safe_address=CANARY
            ),
            CaseSpec("Quarter IDVA Service", date(1990, 1, 1), gender="Male", ethnicity="White", criteria=("repeat",)),
        ],
    )


def audit_rows(app, action="data-return-downloaded") -> list[tuple]:
    with app.app_context():
        query = select(AuditEvent.user_id, AuditEvent.object_type, AuditEvent.object_id).where(
            AuditEvent.action == action
        )
        return [tuple(row) for row in db.session.execute(query)]


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CHAIR])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_coordinators_and_chairs_may_see_and_download_the_return(client, sign_in_as, held_meeting, role, endpoint):
    sign_in_as(role)

    response = client.get(client.url(endpoint, quarter="2026-Q4"))

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("role", [Role.AGENCY_REP, Role.PRACTITIONER, Role.ADMIN])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_roles_are_refused_and_nothing_is_downloaded(app, client, sign_in_as, held_meeting, role, endpoint):
    sign_in_as(role)

    response = client.get(client.url(endpoint, quarter="2026-Q4"))

    assert response.status_code == 403
    assert "Content-Disposition" not in response.headers
    assert audit_rows(app) == []


def test_the_page_shows_each_meeting_and_the_total(client, sign_in_as, held_meeting):
    sign_in_as(Role.COORDINATOR)

    page = client.get(client.url("reports.view_data_return", quarter="2026-Q4")).get_data(as_text=True)

    assert "Quarterly data return: October to December 2026" in page
    assert "1 meeting held in October to December 2026." in page
    assert client.url("meetings.view_meeting", meeting_id=held_meeting) in page
    assert "7 Oct 2026" in page and ">Total<" in page
    assert "Partner-agency referrals (% of all referrals)" in page and "50.0%" in page
    assert "Gypsy or Irish Traveller" in page
    assert "When a meeting's minutes are approved, its figures are kept as its cases stood that day" in page
    assert client.url("reports.download_data_return_csv", quarter="2026-Q4").replace("&", "&amp;") in page
    assert client.url("reports.download_data_return_xlsx", quarter="2026-Q4") in page


def test_the_page_compares_the_quarter_with_the_national_figures_and_flags_the_unchecked_range(
    client, sign_in_as, held_meeting
):
    sign_in_as(Role.CHAIR)

    page = client.get(client.url("reports.view_data_return", quarter="2026-Q4")).get_data(as_text=True)

    assert "All MARACs, the 12 months to 30 September 2024" in page
    assert "36.1%" in page and "14.1%" in page and "1 (50.0%)" in page
    assert "28% to 40% is often quoted as expected, but that range is not yet checked" in page


def test_the_page_shows_the_last_complete_quarter_unless_asked(client, sign_in_as):
    sign_in_as(Role.COORDINATOR)
    expected = quarter_containing(utcnow().astimezone(UK_TIME).date()).previous()

    page = client.get(client.url("reports.view_data_return")).get_data(as_text=True)

    assert f"Quarterly data return: {expected.label}</h1>" in page
    assert f'<option value="{expected.code}" selected>' in page


def test_a_quarter_with_no_meeting_says_so(client, sign_in_as, held_meeting):
    sign_in_as(Role.COORDINATOR)

    response = client.get(client.url("reports.view_data_return", quarter="2026-Q3"))

    assert response.status_code == 200
    assert "No MARAC meeting was held in July to September 2026." in response.get_data(as_text=True)


def test_a_quarter_outside_the_list_can_still_be_chosen(client, sign_in_as):
    sign_in_as(Role.COORDINATOR)

    page = client.get(client.url("reports.view_data_return", quarter="2019-Q2")).get_data(as_text=True)

    assert '<option value="2019-Q2" selected>April to June 2019</option>' in page


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("value", ["2026-Q5", "Q4", "", "2026-Q4' OR 1=1"])
def test_a_bad_quarter_says_what_to_enter_and_downloads_nothing(app, client, sign_in_as, held_meeting, endpoint, value):
    sign_in_as(Role.COORDINATOR)

    response = client.get(client.url(endpoint, quarter=value))

    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    assert "like 2026-Q4 for October to December 2026" in response.get_data(as_text=True)
    assert audit_rows(app) == []


def test_the_csv_download_is_the_labelled_return_and_is_audited(app, client, sign_in_as, held_meeting):
    user_id = sign_in_as(Role.COORDINATOR)

    response = client.get(client.url("reports.download_data_return_csv", quarter="2026-Q4"))

    assert response.headers["Content-Disposition"] == 'attachment; filename="marac-data-return-2026-Q4.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response.data)
    assert rows[0] == [COLUMN_LABELS[column] for column in COLUMNS]
    by_column = [dict(zip(COLUMNS, row)) for row in rows[1:]]
    assert [row["meeting_date"] for row in by_column] == ["07/10/2026", "Total"]
    assert by_column[0]["meeting_id"] == str(held_meeting) and by_column[1]["meeting_id"] == ""
    assert {
        key: by_column[1][key]
        for key in (
            "cases_discussed",
            "repeat_cases",
            "children_in_households",
            "referrals_police",
            "referrals_partner",
            "partner_referral_percent",
            "victims_racially_minoritised",
            "victims_male",
            "victims_aged_16_17",
            "referrals_idva",
        )
    } == {
        "cases_discussed": "2",
        "repeat_cases": "1",
        "children_in_households": "2",
        "referrals_police": "1",
        "referrals_partner": "1",
        "partner_referral_percent": "50.0",
        "victims_racially_minoritised": "1",
        "victims_male": "1",
        "victims_aged_16_17": "1",
        "referrals_idva": "1",
    }
    assert audit_rows(app) == [(user_id, "data-return", "2026-Q4")]


def test_the_xlsx_download_holds_numbers_and_is_audited(app, client, sign_in_as, held_meeting):
    user_id = sign_in_as(Role.CHAIR)

    response = client.get(client.url("reports.download_data_return_xlsx", quarter="2026-Q4"))

    assert response.headers["Content-Disposition"] == 'attachment; filename="marac-data-return-2026-Q4.xlsx"'
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data))["Data return 2026-Q4"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [COLUMN_LABELS[column] for column in COLUMNS]
    total = dict(zip(COLUMNS, rows[2]))
    assert (
        total["meeting_date"],
        total["cases_discussed"],
        total["children_in_households"],
        total["partner_referral_percent"],
    ) == ("Total", 2, 2, 50.0)
    assert rows[1][0] == held_meeting
    assert audit_rows(app) == [(user_id, "data-return", "2026-Q4")]


def test_no_safe_contact_detail_reaches_the_page_or_the_files(client, sign_in_as, held_meeting):
    sign_in_as(Role.COORDINATOR)

    page = client.get(client.url("reports.view_data_return", quarter="2026-Q4")).get_data(as_text=True)
    csv_body = client.get(client.url("reports.download_data_return_csv", quarter="2026-Q4")).data.decode("utf-8-sig")
    workbook = load_workbook(
        io.BytesIO(client.get(client.url("reports.download_data_return_xlsx", quarter="2026-Q4")).data)
    )
    cells = " ".join(str(cell.value) for row in workbook.active.iter_rows() for cell in row)

    assert all("CANARY" not in text for text in (page, csv_body, cells))


def male_victims_in_the_quarter(app) -> int:
    with app.app_context():
        return int(data_return.quarter_return(Quarter(2026, 4)).iloc[-1]["victims_male"])


@pytest.fixture
def approved_then_corrected(app, held_meeting):
    """The meeting's figures kept as at its approval (one male victim of two); then both victims corrected to male."""
    with app.app_context():
        data_return.keep_figures([db.session.get(Meeting, held_meeting)])
        db.session.commit()
        for victim in victims_heard_at(held_meeting):
            victim.gender = "Male"
        db.session.commit()
    assert male_victims_in_the_quarter(app) == 1
    return held_meeting


def test_the_coordinator_counts_the_approved_meetings_again_after_a_correction_and_it_is_audited(
    app, client, sign_in_as, approved_then_corrected
):
    user_id = sign_in_as(Role.COORDINATOR)

    response = client.post(client.url("reports.count_data_return_again"), data={"quarter": "2026-Q4"})

    assert response.status_code == 302
    assert response.headers["Location"] == client.url("reports.view_data_return", quarter="2026-Q4")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 meeting of October to December 2026 with approved minutes was counted again" in page
    assert male_victims_in_the_quarter(app) == 2
    assert audit_rows(app, "data-return-counted-again") == [(user_id, "data-return", "2026-Q4")]


def test_only_the_coordinator_is_offered_counting_again(client, sign_in_as, held_meeting):
    sign_in_as(Role.COORDINATOR)
    coordinators = client.get(client.url("reports.view_data_return", quarter="2026-Q4")).get_data(as_text=True)
    sign_in_as(Role.CHAIR, email="chair-2@example.org")
    chairs = client.get(client.url("reports.view_data_return", quarter="2026-Q4")).get_data(as_text=True)

    assert client.url("reports.count_data_return_again") in coordinators
    assert "Count this quarter again" in coordinators
    assert client.url("reports.count_data_return_again") not in chairs
    assert "the coordinator can count this quarter's approved meetings again" in chairs


@pytest.mark.parametrize("role", [Role.CHAIR, Role.AGENCY_REP, Role.PRACTITIONER, Role.ADMIN])
def test_no_one_else_may_count_again_and_nothing_changes(app, client, sign_in_as, approved_then_corrected, role):
    sign_in_as(role)

    response = client.post(client.url("reports.count_data_return_again"), data={"quarter": "2026-Q4"})

    assert response.status_code == 403
    assert male_victims_in_the_quarter(app) == 1
    assert audit_rows(app, "data-return-counted-again") == []


@pytest.mark.parametrize("value", ["2026-Q5", "", None])
def test_counting_again_a_bad_quarter_says_what_to_enter_and_changes_nothing(
    app, client, sign_in_as, approved_then_corrected, value
):
    sign_in_as(Role.COORDINATOR)

    response = client.post(
        client.url("reports.count_data_return_again"), data={} if value is None else {"quarter": value}
    )

    assert response.status_code == 400
    assert "like 2026-Q4 for October to December 2026" in response.get_data(as_text=True)
    assert male_victims_in_the_quarter(app) == 1
    assert audit_rows(app, "data-return-counted-again") == []


def test_counting_again_a_quarter_with_no_approved_meeting_says_so(app, client, sign_in_as, held_meeting):
    sign_in_as(Role.COORDINATOR)

    response = client.post(
        client.url("reports.count_data_return_again"), data={"quarter": "2026-Q3"}, follow_redirects=True
    )

    assert "No meeting of July to September 2026 has approved minutes, so nothing was counted again." in (
        response.get_data(as_text=True)
    )
