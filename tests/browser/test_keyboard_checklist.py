"""The DASH RIC can be completed with the keyboard alone (Tab, Shift+Tab, Space, arrows, Enter),
and wherever the focus goes it can be seen."""

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from access import store as access_store
from access.models import AgencyKind, Role
from cases import store as cases_store
from demo.cases import add_person
from extensions import db
from risk.models import Assessment, AssessmentStatus
from tests.browser.journeys import in_database, signed_in_page

# Radios are laid out Yes, No, Don't know, …: Space picks the focused first one, each arrow press the next.
KEYS_FOR_ANSWER = {"yes": ["Space"], "no": ["ArrowRight"], "unknown": ["ArrowRight", "ArrowRight"]}
KEYED = {number: "yes" if number % 3 == 0 else "unknown" if number % 5 == 0 else "no" for number in range(1, 25)}
# Yes: 3, 6, 9, 12, 15, 18, 21, 24 → 8 of 24. Don't know: 5, 10, 20.
# GOV.UK's focus state: the yellow focus colour as an outline, a ring (box-shadow) or a fill, never a grey default.
FOCUS_YELLOW = "rgb(255, 221, 0)"
FOCUS_IS_VISIBLE = """yellow => {
    const element = document.activeElement;
    const style = element.type === "radio"
        ? getComputedStyle(element.labels[0], "::before")
        : getComputedStyle(element);
    const outlined = style.outlineStyle !== "none" && style.outlineColor === yellow;
    return outlined || style.boxShadow.includes(yellow) || style.backgroundColor === yellow;
}"""


def seed_case(app, agency_name: str) -> str:
    with app.app_context():
        agency = access_store.get_agency_by_name(agency_name)
        case = cases_store.create_case(
            victim=add_person(agency.id, "Grace", "Adeyemi", date(1989, 2, 12)),
            marac_area="Riverside",
            agency_id=agency.id,
        )
        db.session.commit()
        return case.id


def focused(page, selector: str) -> bool:
    return page.evaluate("selector => document.activeElement.matches(selector)", selector)


def tab_to(page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def assert_focus_visible(page) -> None:
    assert page.evaluate(FOCUS_IS_VISIBLE, FOCUS_YELLOW), page.evaluate("document.activeElement.outerHTML")


def press_and_wait(page, axe, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    axe.check(page)


def test_the_risk_checklist_can_be_completed_with_the_keyboard_alone(
    app, live_server, new_page, axe, make_agency, make_user
):
    make_agency("Riverside IDVA Service", AgencyKind.IDVA)
    _, secret = make_user(email="idva@example.org", role=Role.PRACTITIONER, agency="Riverside IDVA Service")
    case_id = seed_case(app, "Riverside IDVA Service")
    page = signed_in_page(new_page, axe, live_server, "idva@example.org", secret)
    page.goto(f"{live_server}/cases/{case_id}/assessments/new")
    axe.check(page)
    today = date.today()

    tab_to(page, "input[name=tool]:checked")
    assert page.evaluate("document.activeElement.value") == "dash-ric"
    assert_focus_visible(page)
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        tab_to(page, f"#assessed_on-{part}")
        page.keyboard.type(str(value))
    assert_focus_visible(page)
    tab_to(page, "button.govuk-button")
    assert_focus_visible(page)
    press_and_wait(page, axe, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("SafeLives DASH Risk Identification Checklist")

    for number, answer in KEYED.items():
        tab_to(page, f"input[name=q{number}]")
        for key in KEYS_FOR_ANSWER[answer]:
            page.keyboard.press(key)
        if number == 2:
            assert_focus_visible(page)
            page.keyboard.press("Tab")
            assert focused(page, "summary")
            assert_focus_visible(page)
            page.keyboard.press("Shift+Tab")
            assert focused(page, "input[name=q2]:checked")
    for number, answer in KEYED.items():
        expect(page.locator(f"input[name=q{number}][value={answer}]")).to_be_checked()
    tab_to(page, "button[value=complete]")
    assert_focus_visible(page)
    press_and_wait(page, axe, "Enter")
    expect(page.locator(".govuk-summary-list__row", has_text="Tool score").locator("dd")).to_have_text("8 of 24")
    assert page.console_errors == []

    ((status, answers, result),) = in_database(
        app, select(Assessment.status, Assessment.answers, Assessment.result).where(Assessment.case_id == case_id)
    )
    assert status is AssessmentStatus.COMPLETE
    assert answers == {f"q{number}": answer for number, answer in KEYED.items()}
    assert result.score == 8
