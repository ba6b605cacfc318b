"""Journey 1: a practitioner completes a DASH RIC below the visible-high-risk threshold, records
professional judgement (which is what makes the case eligible) and refers it to the MARAC."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from access.models import AgencyKind, Role
from cases.models import Referral, ReferralState
from risk.models import Assessment, AssessmentStatus, ProfessionalJudgement
from tests.browser.journeys import go, in_database, open_assessment, signed_in_page, start_case_for_a_new_victim
from tests.browser.test_referral_journey import fill_what_every_referral_says

YES_ITEMS = {
    2,
    6,
    8,
    12,
    14,
    15,
    21,
}  # frightened, separation, stalking, control, threats to kill, strangulation, drugs: 7 of 24
DONT_KNOW_ITEMS = {16, 24}
RATIONALE = "Threats to kill and strangulation last week since she left; he is following her to work."


def answer(number: int) -> str:
    return "yes" if number in YES_ITEMS else "unknown" if number in DONT_KNOW_ITEMS else "no"


def summary_value(page, key):
    return page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text=key)).locator("dd")


def test_a_practitioner_refers_on_professional_judgement(app, live_server, new_page, axe, make_agency, make_user):
    make_agency("Riverside IDVA Service", AgencyKind.IDVA)
    _, secret = make_user(email="idva@example.org", role=Role.PRACTITIONER, agency="Riverside IDVA Service")
    page = signed_in_page(new_page, axe, live_server, "idva@example.org", secret)
    start_case_for_a_new_victim(page, axe, "Grace", "Adeyemi", date(1989, 2, 12))
    today = date.today()
    open_assessment(page, axe, today)

    for number in range(1, 25):
        page.check(f"input[name=q{number}][value={answer(number)}]")
    go(page, axe, page.get_by_role("button", name="Save and see the result"))
    expect(summary_value(page, "Tool score")).to_have_text("7 of 24")
    expect(summary_value(page, "Meets MARAC criteria")).to_have_text("No")
    expect(page.get_by_role("link", name="Refer to MARAC")).to_have_count(0)

    go(page, axe, page.get_by_role("link", name="Record professional judgement"))
    page.get_by_label("High", exact=True).check()
    page.get_by_label("Why: the concerns and what they are based on").fill(RATIONALE)
    go(page, axe, page.get_by_role("button", name="Save judgement"))
    expect(summary_value(page, "Meets MARAC criteria")).to_have_text("Yes: Professional judgement")

    go(page, axe, page.get_by_role("link", name="Refer to MARAC"))
    expect(summary_value(page, "Meets MARAC criteria")).to_have_text("Yes: Professional judgement")
    expect(summary_value(page, "Common risk tier")).to_have_text("High (from Professional judgement)")
    fill_what_every_referral_says(page, perpetrator=("Daniel", "Reeve", "ex-partner"))
    page.check("input[name=victim_informed][value=yes]")
    page.check("input[name=consent_given][value=yes]")
    go(page, axe, page.get_by_role("button", name="Send referral"))
    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()
    assert page.console_errors == []

    expected_answers = {f"q{number}": answer(number) for number in range(1, 25)}
    ((tool, status, answers, result, assessed_on),) = in_database(
        app,
        select(Assessment.tool_id, Assessment.status, Assessment.answers, Assessment.result, Assessment.assessed_on),
    )
    assert (tool, status, answers, result.score, assessed_on) == (
        "dash-ric",
        AssessmentStatus.COMPLETE,
        expected_answers,
        7,
        today,
    )
    assert in_database(app, select(ProfessionalJudgement.tier, ProfessionalJudgement.rationale)) == [(3, RATIONALE)]
    assert in_database(
        app, select(Referral.criteria, Referral.state, Referral.victim_informed, Referral.consent_given)
    ) == [(["professional-judgement"], ReferralState.RECEIVED, True, True)]
