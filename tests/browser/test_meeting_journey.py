"""The meeting cycle in a real browser: issuing the list, research, running the meeting and its minutes."""

import re
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from access.models import Role
from app import format_local_datetime
from extensions import db
from meetings.models import Action, CaseMinutes, Meeting, MeetingStatus, ResearchReturn
from tests.browser.journeys import chair_the_meeting
from tests.browser.test_referral_journey import sign_in
from tests.meetings.factories import seed_meeting

AUTOSAVE_WAIT_MS = 10_000
CONFLICT_MESSAGE = "Someone else has changed these minutes"


def seed(app, status=None, days_ahead=7):
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=days_ahead)
    seeded = seed_meeting(app, cases=1, starts_at=starts_at)
    if status is not None:
        with app.app_context():
            db.session.get(Meeting, seeded.meeting_id).status = status
            db.session.commit()
    return seeded, starts_at


def in_database(app, query):
    with app.app_context():
        return db.session.execute(query).all()


def saved_decisions(app, item_id) -> str:
    (row,) = in_database(app, select(CaseMinutes.decisions).where(CaseMinutes.agenda_item_id == item_id))
    return row.decisions


def open_meeting(page, starts_at):
    page.locator("nav").get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name=format_local_datetime(starts_at), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("MARAC meeting")


def status_row(page):
    return page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="Status"))


def open_case_from_agenda(page):
    """The case's link on the agenda reads "VC" (its initials), with ": minutes" for screen readers."""
    page.get_by_role("table", name="Running order").get_by_role("link", name=re.compile(r"^VC\b")).click()
    # Until the page has loaded, its script (the autosave) may not be listening yet: typing sooner is lost to it.
    page.wait_for_load_state()


def open_minutes(page, starts_at):
    open_meeting(page, starts_at)
    open_case_from_agenda(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Victim1 CASE")


def agency_row(page, name):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name, exact=True))


def test_the_coordinator_issues_the_list_and_an_agency_returns_research(app, live_server, new_page, make_user):
    seeded, starts_at = seed(app)
    _, coordinator_secret = make_user(
        email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside Council"
    )
    _, rep_secret = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Hospitals NHS Trust")

    coordinator = new_page()
    sign_in(coordinator, live_server, "coordinator@example.org", coordinator_secret)
    open_meeting(coordinator, starts_at)
    expect(status_row(coordinator)).to_contain_text("Planned")
    coordinator.get_by_role("button", name="Issue the MARAC list").click()
    expect(coordinator.get_by_text("Riverside Hospitals NHS Trust")).to_be_visible()  # who is asked for research
    coordinator.get_by_role("button", name="Issue the MARAC list").click()
    expect(coordinator.get_by_text("Done: issue the MARAC list.")).to_be_visible()
    expect(status_row(coordinator)).to_contain_text("List issued")

    rep = new_page()
    sign_in(rep, live_server, "rep@example.org", rep_secret)
    open_meeting(rep, starts_at)
    expect(rep.get_by_text("Your agency is invited.")).to_be_visible()
    expect(rep.get_by_role("link", name="Research returned by each agency")).to_have_count(0)
    rep.locator("nav").get_by_role("link", name="Research", exact=True).click()
    expect(rep.get_by_role("heading", name="Case 1: Victim1 CASE")).to_be_visible()
    rep.get_by_role("link", name="Complete the research return for case 1").click()
    expect(rep.get_by_role("heading", level=1)).to_have_text("Research return: Victim1 CASE")
    rep.get_by_label("Yes", exact=True).check()
    rep.get_by_label("Summary of your agency's involvement").fill("Seen at A&E twice in March with injuries.")
    rep.get_by_role("button", name="Save research return").click()
    expect(rep.get_by_text("Research return saved.")).to_be_visible()
    expect(rep.locator(".govuk-summary-list__row", has_text="Your agency's return")).to_contain_text("Returned")
    returns = in_database(
        app,
        select(ResearchReturn.known, ResearchReturn.involvement).where(
            ResearchReturn.agency_id == seeded.agency_ids["Riverside Hospitals NHS Trust"]
        ),
    )
    assert [tuple(row) for row in returns] == [(True, "Seen at A&E twice in March with injuries.")]

    coordinator.get_by_role("link", name="Research returned by each agency").click()
    expect(coordinator.get_by_text("1 of 2 returns received.")).to_be_visible()
    hospital = agency_row(coordinator, "Riverside Hospitals NHS Trust")
    expect(hospital).to_contain_text("1 of 1")
    expect(hospital).to_contain_text("All returned")
    expect(agency_row(coordinator, "Riverside Police")).to_contain_text("Waiting")
    assert coordinator.console_errors == []
    assert rep.console_errors == []


def test_the_chair_minutes_a_case_and_a_second_editor_loses_nothing(app, live_server, new_page, make_user):
    seeded, starts_at = seed(app, status=MeetingStatus.LIST_ISSUED, days_ahead=0)  # a meeting starts on its day
    item_id = seeded.item_ids[0]
    chair_id, chair_secret = make_user(email="chair@example.org", role=Role.CHAIR, agency="Riverside Council")
    chair_the_meeting(app, seeded.meeting_id, chair_id)
    _, coordinator_secret = make_user(
        email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside Council"
    )

    chair = new_page()
    sign_in(chair, live_server, "chair@example.org", chair_secret)
    open_meeting(chair, starts_at)
    chair.get_by_role("button", name="Start the meeting").click()
    chair.get_by_role("button", name="Start the meeting").click()
    expect(status_row(chair)).to_contain_text("In progress")
    open_case_from_agenda(chair)
    chair_decisions = chair.get_by_label("Decisions", exact=True)
    autosave_status = chair.locator("[data-autosave-status]")
    chair_decisions.press_sequentially("Housing to fit a lock.")
    expect(autosave_status).to_contain_text("Saved at", timeout=AUTOSAVE_WAIT_MS)
    assert saved_decisions(app, item_id) == "Housing to fit a lock."

    coordinator = new_page()
    sign_in(coordinator, live_server, "coordinator@example.org", coordinator_secret)
    open_minutes(coordinator, starts_at)
    coordinator_decisions = coordinator.get_by_label("Decisions", exact=True)
    expect(coordinator_decisions).to_have_value("Housing to fit a lock.")
    coordinator_text = "Housing to fit a lock. Police to flag the address."
    coordinator_decisions.fill(coordinator_text)
    coordinator.get_by_role("button", name="Save minutes").click()
    expect(coordinator.get_by_text("Minutes saved.")).to_be_visible()
    assert saved_decisions(app, item_id) == coordinator_text

    chair_text = "Housing to fit a lock. IDVA to call weekly."
    chair_decisions.press_sequentially(" IDVA to call weekly.")
    expect(chair_decisions).to_have_value(chair_text)
    expect(autosave_status).to_contain_text(CONFLICT_MESSAGE, timeout=AUTOSAVE_WAIT_MS)
    expect(autosave_status).not_to_contain_text("Saved at")
    assert saved_decisions(app, item_id) == coordinator_text

    chair.get_by_role("button", name="Save minutes").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text(
        "Someone else changed these minutes while you were editing"
    )
    differences = chair.get_by_role("row", name="Decisions")
    expect(differences).to_contain_text(coordinator_text)
    expect(differences).to_contain_text(chair_text)
    assert saved_decisions(app, item_id) == coordinator_text

    chair.get_by_role("button", name="Save this version").click()
    expect(chair.get_by_text("Minutes saved.")).to_be_visible()
    expect(chair.get_by_label("Decisions", exact=True)).to_have_value(chair_text)
    assert saved_decisions(app, item_id) == chair_text
    assert coordinator.console_errors == []
    assert_only_conflict_errors(chair.console_errors)


def assert_only_conflict_errors(errors):
    """Chromium logs the refused autosave (a 409 to fetch) and the conflict page (served as a 409) as
    failed resource loads. Those two are expected; anything else is a real error."""
    assert errors == ["Failed to load resource: the server responded with a status of 409 (CONFLICT)"] * 2


def test_an_action_is_added_from_the_minutes(app, live_server, new_page, make_user):
    seeded, starts_at = seed(app, status=MeetingStatus.IN_PROGRESS)
    chair_id, chair_secret = make_user(email="chair@example.org", role=Role.CHAIR, agency="Riverside Council")
    chair_the_meeting(app, seeded.meeting_id, chair_id)
    due = date.today() + timedelta(days=14)

    chair = new_page()
    sign_in(chair, live_server, "chair@example.org", chair_secret)
    open_minutes(chair, starts_at)
    expect(chair.get_by_text("No actions yet.")).to_be_visible()
    chair.get_by_label("What needs doing").fill("Fit a door lock and a camera")
    chair.get_by_label("Agency that owns it").select_option(label="Riverside Housing")
    chair.get_by_label("Named person").fill("Jo Banks")
    due_date = chair.get_by_role("group", name="Due date")
    due_date.get_by_label("Day").fill(str(due.day))
    due_date.get_by_label("Month").fill(str(due.month))
    due_date.get_by_label("Year").fill(str(due.year))
    chair.get_by_role("button", name="Add action").click()

    expect(chair.get_by_text("Action added.")).to_be_visible()
    row = (
        chair.get_by_role("list", name="Actions agreed for this case")
        .get_by_role("listitem")
        .filter(has_text="Fit a door lock and a camera")
    )
    expect(row).to_contain_text("Riverside Housing, Jo Banks")
    expect(row).to_contain_text(due.strftime("%-d %b %Y"))
    expect(row).to_contain_text("open")
    actions = in_database(app, select(Action.description, Action.owner_agency_id, Action.owner_name, Action.due_on))
    assert [tuple(action) for action in actions] == [
        ("Fit a door lock and a camera", seeded.agency_ids["Riverside Housing"], "Jo Banks", due)
    ]
    assert chair.console_errors == []
