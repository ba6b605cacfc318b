"""A practitioner refers a case and the coordinator accepts it, in a real browser."""

from datetime import UTC, datetime

import pyotp
from playwright.sync_api import expect

from access.models import AgencyKind, Role
from tests.conftest import TEST_PASSWORD


def sign_in(page, base, email, secret):
    page.goto(f"{base}/sign-in")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.click("button:has-text('Continue')")
    page.fill("#code", pyotp.TOTP(secret).at(datetime.now(UTC)))
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")


def fill_date(page, name, day, month, year):
    page.fill(f"#{name}-day", day)
    page.fill(f"#{name}-month", month)
    page.fill(f"#{name}-year", year)


def fill_what_every_referral_says(page, *, perpetrator: tuple[str, str, str] | None = None):
    """The risk summary, what she wants, a phone number, and the person causing harm (given name, family
    name, relationship) or, without one, the box saying no one can be named."""
    if perpetrator:
        page.check("input[name=person-role][value=perpetrator]")
        page.fill("#person-given_name", perpetrator[0])
        page.fill("#person-family_name", perpetrator[1])
        page.fill("#person-relationship_to_victim", perpetrator[2])
    else:
        page.check("input[name=perpetrator_not_known]")
    page.fill("#risk_summary", "Threats to kill since she left him; he waits outside her work.")
    page.fill("#victim_wants", "To get to work safely.")
    page.fill("#referrer_phone", "01632 960 222")


def test_a_practitioner_refers_and_the_coordinator_accepts(live_server, new_page, make_agency, make_user):
    make_agency("Riverside IDVA Service", AgencyKind.IDVA)
    _, practitioner_secret = make_user(
        email="idva@example.org", role=Role.PRACTITIONER, agency="Riverside IDVA Service"
    )
    _, coordinator_secret = make_user(
        email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside Council"
    )
    page = new_page()
    sign_in(page, live_server, "idva@example.org", practitioner_secret)

    page.click("text=Start a case")
    page.fill("#given_name", "Grace")
    page.fill("#family_name", "Adeyemi")
    fill_date(page, "date_of_birth", "12", "2", "1989")
    page.click("button[value=search]")
    expect(page.get_by_text("No one like this is known to the MARAC")).to_be_visible()
    page.click("button[value=add]")

    page.click("text=Start a risk assessment")
    expect(page.locator("input[name=tool][value=dash-ric]")).to_be_checked()
    today = datetime.now(UTC)
    fill_date(page, "assessed_on", str(today.day), str(today.month), str(today.year))
    page.click("button:has-text('Continue')")
    for number in range(1, 25):
        page.check(f"input[name=q{number}][value={'yes' if number <= 14 else 'no'}]")
    page.click("button[value=complete]")
    expect(page.get_by_text("14 of 24")).to_be_visible()
    expect(page.get_by_text("Yes: Visible high risk (checklist score)")).to_be_visible()

    page.click("text=Refer to MARAC")
    fill_what_every_referral_says(page)
    page.wait_for_selector("text=Saved at")  # kept as a draft as she types: a reload loses nothing
    page.reload()
    assert page.input_value("#risk_summary") == "Threats to kill since she left him; he waits outside her work."
    expect(page.get_by_text("Carrying on from your draft")).to_be_visible()
    page.check("input[name=victim_informed][value=yes]")
    page.check("input[name=consent_given][value=yes]")
    page.click("button:has-text('Send referral')")
    expect(page.get_by_text("Referral sent")).to_be_visible()
    assert page.console_errors == []

    coordinator = new_page()
    sign_in(coordinator, live_server, "coordinator@example.org", coordinator_secret)
    coordinator.click("nav >> text=Referrals")
    coordinator.click("text=GA")
    expect(coordinator.get_by_text("Visible high risk (checklist score)").first).to_be_visible()
    coordinator.click("button:has-text('Accept for MARAC')")
    expect(coordinator.get_by_text("Referral accepted")).to_be_visible()
    assert coordinator.console_errors == []
