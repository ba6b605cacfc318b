"""Steps shared by the journeys of practitioners, coordinators and agency representatives."""

from datetime import UTC, date, datetime, timedelta

import pyotp

from extensions import db
from tests.browser.test_referral_journey import fill_date
from tests.conftest import TEST_PASSWORD


def in_database(app, query):
    with app.app_context():
        return [tuple(row) for row in db.session.execute(query).all()]


def next_week() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)


def signed_in_page(new_page, axe, base, email, secret):
    """Sign-in with the password, then the code from the authenticator app, each page checked."""
    page = new_page()
    page.goto(f"{base}/sign-in")
    axe.check(page)
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    go(page, axe, page.get_by_role("button", name="Continue"))
    page.fill("#code", pyotp.TOTP(secret).at(datetime.now(UTC)))
    go(page, axe, page.get_by_role("button", name="Sign in"))
    assert page.url == f"{base}/"
    return page


def go(page, axe, locator):
    """Follow a link or press a button, then check the page it leads to."""
    locator.click()
    page.wait_for_load_state()
    axe.check(page)


def start_case_for_a_new_victim(page, axe, given, family, born: date):
    go(page, axe, page.locator("nav").get_by_role("link", name="Start a case"))
    page.fill("#given_name", given)
    page.fill("#family_name", family)
    fill_date(page, "date_of_birth", str(born.day), str(born.month), str(born.year))
    go(page, axe, page.locator("button[value=search]"))
    go(page, axe, page.locator("button[value=add]"))


def open_assessment(page, axe, today: date):
    """From the case page to the DASH RIC's questions, dated today."""
    go(page, axe, page.get_by_role("link", name="Start a risk assessment"))
    fill_date(page, "assessed_on", str(today.day), str(today.month), str(today.year))
    go(page, axe, page.get_by_role("button", name="Continue"))


def chair_the_meeting(app, meeting_id: int, chair_id: int) -> None:
    """Only a meeting's own chair (or the coordinator) runs it, so a journey's chair is made its chair."""
    from meetings.models import Meeting

    with app.app_context():
        db.session.get(Meeting, meeting_id).chair_id = chair_id
        db.session.commit()
