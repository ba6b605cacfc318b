"""The chair's meeting mode in a real browser (issue 18): from the meeting page, "Run the meeting"
opens the register, taken in one submit; each case is one screen with its referral, research and
earlier actions beside the minutes; actions are added there; "Save and go to the next case" moves
on; after the last case the end of the meeting is confirmed. Every page is checked with axe, at
desktop width and at 375 px, where nothing may run off the side of the page."""

import re
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from access.models import Role
from extensions import db
from meetings.models import Action, ActionStatus, Attendance, CaseMinutes, Meeting, MeetingStatus
from tests.browser.journeys import chair_the_meeting, go, in_database, signed_in_page
from tests.browser.test_journey_chair import open_meeting_checked
from tests.browser.test_meeting_journey import status_row
from tests.meetings.factories import seed_meeting

SMALL_SCREEN = {"width": 375, "height": 800}


def seed_running_meeting(app):
    """Two cases, the meeting started today; case 1 has an action from a meeting three months ago, still open."""
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0)
    earlier = seed_meeting(app, cases=1, starts_at=starts_at - timedelta(days=90))
    seeded = seed_meeting(app, cases=2, starts_at=starts_at)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.IN_PROGRESS
        db.session.add(
            Action(
                case_id=seeded.case_ids[0],
                agenda_item_id=earlier.item_ids[0],
                description="Refer to the perpetrator programme",
                owner_agency_id=seeded.agency_ids["Riverside Police"],
                owner_name="PC Dale",
                due_on=date.today() - timedelta(days=3),
                status=ActionStatus.OPEN,
            )
        )
        db.session.commit()
    return seeded, starts_at


WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll("body *")]
    .filter(element => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map(element => element.tagName + "." + element.className + "#" + element.id)
    .slice(0, 10)"""


def fits_the_screen(page) -> None:
    """Nothing runs off the side: the page is no wider than the window."""
    fits = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert fits, f"{page.url}: {page.evaluate(WIDER_THAN_THE_WINDOW)}"


def checked_at_both_widths(page, axe) -> None:
    axe.check(page)
    page.set_viewport_size(SMALL_SCREEN)
    fits_the_screen(page)
    axe.check(page)
    page.set_viewport_size({"width": 1100, "height": 900})


def test_the_chair_runs_the_meeting_case_by_case_from_one_screen(app, live_server, new_page, make_user, axe):
    seeded, starts_at = seed_running_meeting(app)
    chair_id, secret = make_user(email="chair@example.org", role=Role.CHAIR, agency="Riverside Council")
    chair_the_meeting(app, seeded.meeting_id, chair_id)
    make_user(email="pat@example.org", role=Role.AGENCY_REP, agency="Riverside Police", name="Pat Officer")
    due = date.today() + timedelta(days=14)
    chair = signed_in_page(new_page, axe, live_server, "chair@example.org", secret)
    open_meeting_checked(chair, axe, starts_at)

    go(chair, axe, chair.get_by_role("button", name="Run the meeting"))
    expect(chair.get_by_role("heading", level=1)).to_have_text("Register and confidentiality")
    checked_at_both_widths(chair, axe)
    police = chair.get_by_role("group", name="Riverside Police", exact=True)
    expect(police.get_by_label("Name of who attends for Riverside Police")).to_have_value("Pat Officer")
    police.get_by_label("Present", exact=True).check()
    chair.get_by_role("group", name="Riverside Hospitals NHS Trust", exact=True).get_by_label(
        "Not attending", exact=True
    ).check()
    chair.get_by_label("The statement was read out, and everyone marked present or observer agreed to it").check()
    go(chair, axe, chair.get_by_role("button", name="Save and open the first case"))

    expect(chair.get_by_role("heading", level=1)).to_have_text("Victim1 CASE")
    checked_at_both_widths(chair, axe)
    expect(chair.get_by_text("Refer to the perpetrator programme")).to_be_visible()
    expect(chair.get_by_text("Perpetrator1 CASE")).to_be_visible()
    chair.get_by_label("What needs doing").fill("Fit a door lock")
    chair.get_by_label("Agency that owns it").select_option(label="Riverside Housing")
    chair.get_by_label("Named person").fill("Jo Banks")
    due_date = chair.get_by_role("group", name="Due date")
    due_date.get_by_label("Day").fill(str(due.day))
    due_date.get_by_label("Month").fill(str(due.month))
    due_date.get_by_label("Year").fill(str(due.year))
    go(chair, axe, chair.get_by_role("button", name="Add action"))
    expect(chair.get_by_role("heading", level=1)).to_have_text("Victim1 CASE")
    expect(chair.get_by_role("list", name="Actions agreed for this case")).to_contain_text("Fit a door lock")

    chair.get_by_label("Decisions", exact=True).fill("Housing to fit a lock.")
    chair.get_by_label("New case", exact=True).check()
    go(chair, axe, chair.get_by_role("button", name="Save and go to the next case"))
    expect(chair.get_by_role("heading", level=1)).to_have_text("Victim2 CASE")
    expect(chair.get_by_role("link", name=re.compile(r"^Previous case.*Case 1, VC$"))).to_have_count(2)

    chair.get_by_label("Decisions", exact=True).fill("IDVA to call weekly.")
    chair.get_by_label("Repeat", exact=True).check()
    go(chair, axe, chair.get_by_role("button", name="Save and go to ending the meeting"))
    expect(chair.get_by_role("heading", level=1)).to_have_text("End the meeting: minutes become a draft?")
    checked_at_both_widths(chair, axe)
    go(chair, axe, chair.get_by_role("button", name="End the meeting: minutes become a draft"))
    expect(status_row(chair)).to_contain_text("Minutes draft")

    assert in_database(app, select(CaseMinutes.decisions).order_by(CaseMinutes.agenda_item_id)) == [
        ("Housing to fit a lock.",),
        ("IDVA to call weekly.",),
    ]
    assert in_database(app, select(Attendance.attendee_name, Attendance.confidentiality_confirmed_at.is_not(None))) == [
        ("Pat Officer", True)
    ]
    assert chair.console_errors == []
