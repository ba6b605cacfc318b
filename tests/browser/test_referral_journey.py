"""A practitioner refers a case and the coordinator accepts it, in a real browser."""

from datetime import UTC, datetime

import pyotp

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
    assert page.is_visible("text=No one like this is known to the MARAC")
    page.click("button[value=add]")

    page.click("text=Start a risk assessment")
    assert page.is_checked("input[name=tool][value=dash-ric]")
    today = datetime.now(UTC)
    fill_date(page, "assessed_on", str(today.day), str(today.month), str(today.year))
    page.click("button:has-text('Continue')")
    for number in range(1, 25):
        page.check(f"input[name=q{number}][value={'yes' if number <= 14 else 'no'}]")
    page.click("button[value=complete]")
    assert page.is_visible("text=14 of 24")
    assert page.is_visible("text=Yes: Visible high risk (checklist score)")

    page.click("text=Refer to MARAC")
    page.check("input[name=victim_informed][value=yes]")
    page.check("input[name=consent_given][value=yes]")
    page.click("button:has-text('Send referral')")
    assert page.is_visible("text=Referral sent")
    assert page.console_errors == []

    coordinator = new_page()
    sign_in(coordinator, live_server, "coordinator@example.org", coordinator_secret)
    coordinator.click("nav >> text=Referrals")
    coordinator.click("text=GA")
    assert coordinator.get_by_text("Visible high risk (checklist score)").first.is_visible()
    coordinator.click("button:has-text('Accept for MARAC')")
    assert coordinator.is_visible("text=Referral accepted")
    assert coordinator.console_errors == []
