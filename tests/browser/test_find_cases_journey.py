"""The coordinator finds a case in a real browser: search, a second page of results and the case itself,
every page checked with axe, and no name or postcode ever in the address bar."""

from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect

from access import store as access_store
from access.models import AgencyKind, Role
from cases import store as cases_store
from demo.cases import add_person
from extensions import db
from tests.browser.journeys import go, signed_in_page
from tests.browser.test_keyboard_checklist import FOCUS_YELLOW, assert_focus_visible, tab_to


def seed_cases(app, count: int) -> list[str]:
    """`count` women called Smith in Riverside, the first opened most recently; returns their references."""
    with app.app_context():
        agency = access_store.get_agency_by_name("Riverside IDVA Service")
        references = []
        for number in range(count):
            case = cases_store.create_case(
                victim=add_person(agency.id, f"Case{number}", "Smith", date(1980, 1, 1 + number % 28), "RV1 2AB"),
                marac_area="Riverside",
                agency_id=agency.id,
            )
            case.created_at = datetime.now(UTC) - timedelta(days=number)
            references.append(case.reference)
        db.session.commit()
        return references


def test_the_coordinator_finds_a_case_over_two_pages_without_any_of_it_in_the_address(
    app, live_server, new_page, axe, make_agency, make_user
):
    make_agency("Riverside IDVA Service", AgencyKind.IDVA)
    _, secret = make_user(email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside IDVA Service")
    references = seed_cases(app, 30)
    page = signed_in_page(new_page, axe, live_server, "coordinator@example.org", secret)

    go(page, axe, page.locator("nav").get_by_role("link", name="Find a case"))
    page.fill("#name", "smith")
    page.fill("#postcode", "rv1")
    go(page, axe, page.get_by_role("button", name="Search"))
    expect(page.get_by_role("heading", name="30 cases, page 1 of 2")).to_be_visible()

    tab_to(page, "button[rel=next]", limit=100)
    assert_focus_visible(page)
    assert page.evaluate("getComputedStyle(document.activeElement).backgroundColor") == FOCUS_YELLOW
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe.check(page)
    expect(page.get_by_role("heading", name="30 cases, page 2 of 2")).to_be_visible()
    expect(page.get_by_role("button", name="Page 2")).to_have_attribute("aria-current", "page")
    expect(page.locator("#name")).to_have_value("smith")

    go(page, axe, page.get_by_role("link", name=f"{references[29]} : open the case of Case29 Smith"))
    expect(page.locator(".govuk-caption-l")).to_contain_text(f"Case {references[29]}: Case29 Smith")
    assert "?" not in page.url and "smith" not in page.url.lower()
    assert page.console_errors == []
