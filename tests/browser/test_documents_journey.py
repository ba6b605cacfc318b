"""Documents in a real browser: a near match on a case's exclusion list holds a meeting's documents
back until the coordinator decides it, then each person downloads a copy made for them."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from access.models import Role
from cases.models import ExcludedPerson
from extensions import db
from meetings.models import Meeting, MeetingStatus
from tests.browser.test_referral_journey import sign_in
from tests.meetings.factories import seed_meeting


def seed_issued_meeting_with_an_exclusion(app) -> None:
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)
    seeded = seed_meeting(app, cases=1, starts_at=starts_at, invited=("Riverside Police",))
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.LIST_ISSUED
        db.session.add(
            ExcludedPerson(
                case_id=seeded.case_ids[0],
                name="John Smith",
                note="the perpetrator's brother",
                recorded_by_id=seeded.referrer_id,
            )
        )
        db.session.commit()


def download(page, link_name: str, tmp_path) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(rf"^Download\s*: {link_name},")).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return "\n".join(page_.extract_text() for page_ in PdfReader(path).pages)


def test_a_near_match_holds_documents_back_until_the_coordinator_releases_them(
    app, live_server, new_page, make_user, tmp_path
):
    seed_issued_meeting_with_an_exclusion(app)
    _, rep_secret = make_user(
        email="jon.smith@example.org", role=Role.AGENCY_REP, agency="Riverside Police", name="Jon Smith"
    )
    _, coordinator_secret = make_user(
        email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside Council", name="Cora Ordinator"
    )

    rep = new_page()
    sign_in(rep, live_server, "jon.smith@example.org", rep_secret)
    rep.locator("nav").get_by_role("link", name="Documents", exact=True).click()
    expect(
        rep.get_by_text("These documents are held back while the MARAC coordinator checks who receives them")
    ).to_be_visible()
    expect(rep.get_by_role("link", name="Download")).to_have_count(0)

    coordinator = new_page()
    sign_in(coordinator, live_server, "coordinator@example.org", coordinator_secret)
    coordinator.locator("nav").get_by_role("link", name="Documents", exact=True).click()
    coordinator.get_by_role("link", name="Check who receives the documents").click()
    expect(coordinator.get_by_role("cell", name="John Smith the perpetrator's brother")).to_be_visible()
    coordinator.get_by_role("button", name="Different person: release").click()
    expect(coordinator.get_by_text("Every match is decided")).to_be_visible()
    coordinator.locator("nav").get_by_role("link", name="Documents", exact=True).click()
    agenda_text = download(coordinator, "Agenda", tmp_path)

    rep.reload()
    research_text = download(rep, "MARAC list and research pack", tmp_path)

    assert "Prepared for Cora Ordinator, Riverside Council" in agenda_text and "OFFICIAL-SENSITIVE" in agenda_text
    assert "Victim1" not in agenda_text
    assert "Prepared for Jon Smith, Riverside Police" in research_text and "VICTIM1 CASE" in research_text.upper()
    assert rep.console_errors == [] and coordinator.console_errors == []
