"""The coordinator answers a perpetrator's subject access request in a real browser (SECURITY D6): records it,
says who it is about, finds the victim's safe contact withheld, discloses his own record, and sees the clock.
axe checks every page loaded."""

from datetime import date, timedelta

from playwright.sync_api import expect

from access.models import Role
from access.retention_rules import months_after
from tests.browser.journeys import go, signed_in_page
from tests.browser.test_referral_journey import fill_date
from tests.reports.test_subject_access import seed_two_cases


def test_D6_the_coordinator_records_a_perpetrators_request_and_decides_an_item(
    app, live_server, new_page, make_user, axe
):
    seed_two_cases(app)
    _, secret = make_user(email="sar-browser@example.org", role=Role.COORDINATOR, agency="Riverside IDVA Service")
    received = date.today() - timedelta(days=12)
    due = months_after(received, 1)

    page = signed_in_page(new_page, axe, live_server, "sar-browser@example.org", secret)
    go(page, axe, page.locator("nav").get_by_role("link", name="Subject access"))
    go(page, axe, page.get_by_role("link", name="Record a request"))
    page.get_by_label("The person themselves, as a person causing harm").check()
    page.fill("#requester_name", "Perpetrator1 Case")
    page.get_by_label("Letter").check()
    fill_date(page, "received_on", str(received.day), str(received.month), str(received.year))
    page.fill("#names", "Jay Smithers")
    go(page, axe, page.get_by_role("button", name="Record and search"))

    expect(page.get_by_text("Matched on other name (alias)")).to_be_visible()
    page.get_by_label("Perpetrator1 Case").check()
    go(page, axe, page.get_by_role("button", name="Gather everything held about them"))

    expect(page.get_by_text(f"Due on {due:%-d %B %Y}")).to_be_visible()
    safe_contact = page.get_by_role("row").filter(has=page.get_by_role("link", name="Safe-contact details"))
    expect(safe_contact).to_contain_text("Withhold")
    expect(safe_contact).to_contain_text("Someone else")

    his_record = page.get_by_role("row").filter(has_text="The person asking")
    go(page, axe, his_record.get_by_role("link", name="Person record", exact=True).first)
    expect(page.get_by_text("RV9 9ZZ")).to_be_visible()
    page.get_by_label("Disclose", exact=True).check()
    go(page, axe, page.get_by_role("button", name="Save the decision"))
    expect(page.get_by_text("Decision saved: disclose.")).to_be_visible()

    go(page, axe, page.get_by_role("link", name="Extend the time to answer"))
    expect(page.get_by_role("heading", name="Extend the time to answer")).to_be_visible()
