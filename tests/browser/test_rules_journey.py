"""Issue 14 in Chromium, at desktop width and at 375 px: a police officer's DARA graded high is
visible high risk on another tool, names its unchecked rules on the result and the case, and the
incident form asks who caused harm; the coordinator reads the rules in force on a phone."""

from datetime import date

import pytest
from playwright.sync_api import expect

from access.models import AgencyKind, Role
from tests.browser.journeys import go, signed_in_page, start_case_for_a_new_victim
from tests.browser.test_referral_journey import fill_date

DARA_RULE = "Grade standard / medium / high to common tiers 1 / 2 / 3 is our proposal"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1100, 375])
def test_a_dara_graded_high_names_its_unchecked_rules_and_the_incident_form_asks_who_caused_harm(
    live_server,
    new_page,
    axe,
    make_agency,
    make_user,
    width,
):
    make_agency("Riverside Police", AgencyKind.POLICE)
    _, secret = make_user(email="officer@example.org", role=Role.PRACTITIONER, agency="Riverside Police")
    page = signed_in_page(new_page, axe, live_server, "officer@example.org", secret)
    start_case_for_a_new_victim(page, axe, "Hana", "Ito", date(1990, 4, 2))
    page.set_viewport_size({"width": width, "height": 900})
    go(page, axe, page.get_by_role("link", name="Add a person causing harm, child or household member"))
    page.fill("#given_name", "Kai")
    page.fill("#family_name", "Ito")
    page.get_by_label("Perpetrator").check()
    go(page, axe, page.get_by_role("button", name="Add"))

    go(page, axe, page.get_by_role("link", name="Start a risk assessment"))
    page.get_by_label("Domestic Abuse Risk Assessment (DARA), College of Policing").check()
    today = date.today()
    fill_date(page, "assessed_on", str(today.day), str(today.month), str(today.year))
    go(page, axe, page.get_by_role("button", name="Continue"))
    page.check("input[name=grade][value=high]")
    go(page, axe, page.get_by_role("button", name="Save and see the result"))

    expect(page.get_by_text(DARA_RULE).first).to_be_visible()
    expect(page.get_by_text("needs the coordinator's confirmation")).to_be_visible()
    assert fits_the_screen(page)
    go(page, axe, page.get_by_role("link", name="Back to the case"))
    expect(page.get_by_text(DARA_RULE).first).to_be_visible()
    assert fits_the_screen(page)

    go(page, axe, page.get_by_role("link", name="Add an incident"))
    expect(page.get_by_role("group", name="Who caused harm")).to_be_visible()
    expect(page.get_by_label("Kai Ito")).to_be_checked()
    expect(page.get_by_label("Not known")).not_to_be_checked()
    assert fits_the_screen(page)
    assert page.console_errors == []


@pytest.mark.parametrize("width", [1100, 375])
def test_the_coordinator_reads_the_rules_in_force(live_server, new_page, axe, make_agency, make_user, width):
    make_agency("Riverside IDVA Service", AgencyKind.IDVA)
    _, secret = make_user(email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside IDVA Service")
    page = signed_in_page(new_page, axe, live_server, "coordinator@example.org", secret)
    page.set_viewport_size({"width": width, "height": 900})

    if width < 600:
        page.get_by_role("button", name="Menu").click()
    go(page, axe, page.locator("nav").get_by_role("link", name="Rules"))

    expect(page.get_by_role("heading", name="Rule set safelives-2026.1")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Not checked")).to_have_count(4)
    assert fits_the_screen(page)
    assert page.console_errors == []
