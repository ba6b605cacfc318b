"""A practitioner reads a completed DASH RIC's answers, finds one recorded wrongly and changes it: the page warns
that the change lowers the risk tier before anything is saved, and the earlier version stays in the history."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from access.models import AgencyKind, Role
from risk.models import Assessment
from tests.browser.journeys import go, in_database, open_assessment, signed_in_page, start_case_for_a_new_victim
from tests.browser.test_journey_practitioner import summary_value

REASON = "Q14 was ticked for the wrong person: the threats were made by her brother, who is not on this case."


def test_a_practitioner_changes_an_answer_that_lowers_the_tier(app, live_server, new_page, axe, make_agency, make_user):
    make_agency("Riverside IDVA Service", AgencyKind.IDVA)
    _, secret = make_user(email="idva@example.org", role=Role.PRACTITIONER, agency="Riverside IDVA Service")
    page = signed_in_page(new_page, axe, live_server, "idva@example.org", secret)
    start_case_for_a_new_victim(page, axe, "Grace", "Adeyemi", date(1989, 2, 12))
    open_assessment(page, axe, date.today())
    for number in range(1, 25):
        page.check(f"input[name=q{number}][value={'yes' if number <= 14 else 'no'}]")
    go(page, axe, page.get_by_role("button", name="Save and see the result"))
    expect(summary_value(page, "Common risk tier").first).to_have_text("High")
    expect(summary_value(page, "Q14.")).to_have_text("Yes")

    go(page, axe, page.get_by_role("link", name="Change answers"))
    expect(page.locator("input[name=q14][value=yes]")).to_be_checked()
    page.check("input[name=q14][value=no]")
    page.get_by_label("Why are you changing the answers?").fill(REASON)
    go(page, axe, page.get_by_role("button", name="Save changed answers"))
    expect(page.get_by_text("These answers lower the common risk tier from High to Medium")).to_be_visible()
    assert len(in_database(app, select(Assessment.id))) == 1

    go(page, axe, page.get_by_role("button", name="Save the lower result"))
    expect(summary_value(page, "Common risk tier").first).to_have_text("Medium")
    expect(summary_value(page, "Answers changed")).to_contain_text(REASON)
    go(page, axe, page.get_by_role("link", name="See the earlier version"))
    expect(summary_value(page, "Common risk tier").first).to_have_text("High")
    expect(page.get_by_text("These answers were replaced by a later version")).to_be_visible()
    assert len(in_database(app, select(Assessment.id))) == 2
