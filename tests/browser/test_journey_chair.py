"""Journey 4: the chair runs a meeting in a real browser, from sign-in to the end of the meeting:
attendance, minutes and actions for each case. The coordinator edits the same case's minutes in a
second browser, gets the conflict page, and both texts survive. axe checks every page loaded."""

from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from access.models import Role
from app import format_local_datetime
from extensions import db
from meetings.models import Action, ActionStatus, Attendance, AttendanceStatus, CaseMinutes, Meeting, MeetingStatus
from tests.browser.journeys import go, in_database, signed_in_page
from tests.browser.test_meeting_journey import (
    AUTOSAVE_WAIT_MS,
    CONFLICT_MESSAGE,
    assert_only_conflict_errors,
    status_row,
)
from tests.meetings.factories import seed_meeting

AUTOSAVE_URL_END = "/minutes/autosave"


def seed_issued_meeting(app):
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0)  # today: a meeting starts on its day
    seeded = seed_meeting(app, cases=2, starts_at=starts_at)
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.LIST_ISSUED
        db.session.commit()
    return seeded, starts_at


def open_case(page, axe, number):
    """Case links on the agenda all read "VC" (Victim<n> Case), so the case is picked by its row number."""
    running_order = page.get_by_role("table", name="Running order")
    row = running_order.get_by_role("row").filter(has=page.get_by_role("cell", name=str(number), exact=True))
    go(page, axe, row.get_by_role("link"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Victim{number} CASE")


def type_autosaved(page, texts: dict[str, str]) -> None:
    """Types each text into its box, then waits for the autosave that carries the last one (and so all)."""
    *first, (last_label, last_text) = texts.items()
    for label, text in first:
        page.get_by_label(label, exact=True).fill(text)
    with page.expect_response(
        lambda response: response.url.endswith(AUTOSAVE_URL_END) and last_text in (response.request.post_data or "")
    ) as saved:
        page.get_by_label(last_label, exact=True).fill(last_text)
    assert saved.value.status == 200
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at", timeout=AUTOSAVE_WAIT_MS)


def take_the_register(page, axe):
    """One submit: the invited agencies marked, names as typed, the statement confirmed once."""
    police_row = page.get_by_role("group", name="Riverside Police", exact=True)
    police_row.get_by_label("Name of who attends for Riverside Police").fill("Pat Officer")
    police_row.get_by_label("Present", exact=True).check()
    hospital_row = page.get_by_role("group", name="Riverside Hospitals NHS Trust", exact=True)
    hospital_row.get_by_label("Name of who attends for Riverside Hospitals NHS Trust").fill("Sam Nurse")
    hospital_row.get_by_label("Apologies", exact=True).check()
    hospital_row.get_by_label("Sent information before the meeting (with apologies)").check()
    page.get_by_label("The statement was read out, and everyone marked present or observer agreed to it").check()
    go(page, axe, page.get_by_role("button", name="Save the register"))
    expect(page.get_by_text("Register saved: 1 present.")).to_be_visible()


def add_action(page, axe, description, agency, person, due: date):
    page.get_by_label("What needs doing").fill(description)
    page.get_by_label("Agency that owns it").select_option(label=agency)
    page.get_by_label("Named person").fill(person)
    due_date = page.get_by_role("group", name="Due date")
    due_date.get_by_label("Day").fill(str(due.day))
    due_date.get_by_label("Month").fill(str(due.month))
    due_date.get_by_label("Year").fill(str(due.year))
    go(page, axe, page.get_by_role("button", name="Add action"))
    expect(page.get_by_text("Action added.")).to_be_visible()
    row = (
        page.get_by_role("list", name="Actions agreed for this case")
        .get_by_role("listitem")
        .filter(has_text=description)
    )
    expect(row).to_contain_text(f"{agency}, {person}")


CASE_1 = {
    "Shared by Riverside Police": "Two call-outs since March; bail conditions end on Friday.",
    "Other information shared": "Victim1 has moved in with her sister.",
    "Risks to the victim": "Perpetrator1 knows the sister's address.",
    "Risks to children": "Child1 witnessed the last assault.",
    "Decisions": "Housing to fit a door lock.",
}
CASE_1_CHAIR_DECISIONS = "Housing to fit a door lock. Police to flag the sister's address."
CASE_1_COORDINATOR_DECISIONS = "Housing to fit a door lock. IDVA to call weekly."
CASE_1_AGREED_DECISIONS = "Housing to fit a door lock. Police to flag the sister's address. IDVA to call weekly."
CASE_2 = {
    "Shared by Riverside Hospitals NHS Trust": "Seen at A&E in May with a head injury.",
    "Other information shared": "Victim2 has no IDVA yet.",
    "Risks to the victim": "Strangulation reported at the last incident.",
    "Risks to children": "None known beyond the household.",
    "Decisions": "Refer to the IDVA service today.",
}


def test_the_chair_runs_the_meeting_and_a_second_editor_loses_nothing(app, live_server, new_page, make_user, axe):
    seeded, starts_at = seed_issued_meeting(app)
    chair_id, chair_secret = make_user(
        email="chair@example.org", role=Role.CHAIR, agency="Riverside Council", name="Chris Chair"
    )
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).chair_id = chair_id  # only the meeting's own chair runs it
        db.session.commit()
    _, coordinator_secret = make_user(
        email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside Council", name="Cora Ordinator"
    )
    first_due, second_due = date.today() + timedelta(days=14), date.today() + timedelta(days=7)
    police, hospital, housing = (
        seeded.agency_ids[name] for name in ("Riverside Police", "Riverside Hospitals NHS Trust", "Riverside Housing")
    )

    chair = signed_in_page(new_page, axe, live_server, "chair@example.org", chair_secret)
    open_meeting_checked(chair, axe, starts_at)
    go(chair, axe, chair.get_by_role("button", name="Start the meeting"))
    go(chair, axe, chair.get_by_role("button", name="Start the meeting"))
    expect(status_row(chair)).to_contain_text("In progress")

    go(chair, axe, chair.get_by_role("link", name="Attendance and confidentiality"))
    take_the_register(chair, axe)
    go(chair, axe, chair.get_by_role("link", name="Back to the meeting"))

    # Case 1: the chair types and autosave keeps it; the coordinator opens the same minutes meanwhile.
    open_case(chair, axe, 1)
    chair.get_by_label("New case", exact=True).check()
    type_autosaved(chair, CASE_1)
    coordinator = signed_in_page(new_page, axe, live_server, "coordinator@example.org", coordinator_secret)
    open_meeting_checked(coordinator, axe, starts_at)
    open_case(coordinator, axe, 1)
    expect(coordinator.get_by_label("Decisions", exact=True)).to_have_value(CASE_1["Decisions"])

    type_autosaved(chair, {"Decisions": CASE_1_CHAIR_DECISIONS})
    coordinator.get_by_label("Decisions", exact=True).fill(CASE_1_COORDINATOR_DECISIONS)
    expect(coordinator.locator("[data-autosave-status]")).to_contain_text(CONFLICT_MESSAGE, timeout=AUTOSAVE_WAIT_MS)
    go(coordinator, axe, coordinator.get_by_role("button", name="Save minutes"))
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        "Someone else changed these minutes while you were editing"
    )
    differences = coordinator.get_by_role("table", name="Where the two versions differ")
    expect(differences.get_by_role("row")).to_have_count(2)
    expect(differences.get_by_role("row", name="Decisions")).to_contain_text(CASE_1_CHAIR_DECISIONS)
    expect(differences.get_by_role("row", name="Decisions")).to_contain_text(CASE_1_COORDINATOR_DECISIONS)
    expect(coordinator.get_by_label("Decisions", exact=True)).to_have_value(CASE_1_COORDINATOR_DECISIONS)
    assert saved_minutes(app, seeded.item_ids[0])["decisions"] == CASE_1_CHAIR_DECISIONS

    coordinator.get_by_label("Decisions", exact=True).fill(CASE_1_AGREED_DECISIONS)
    go(coordinator, axe, coordinator.get_by_role("button", name="Save this version"))
    expect(coordinator.get_by_text("Minutes saved.")).to_be_visible()
    expect(coordinator.get_by_label("Risks to the victim", exact=True)).to_have_value(CASE_1["Risks to the victim"])

    chair.reload()
    axe.check(chair)
    expect(chair.get_by_label("Decisions", exact=True)).to_have_value(CASE_1_AGREED_DECISIONS)
    add_action(chair, axe, "Fit a door lock and a camera", "Riverside Housing", "Jo Banks", first_due)
    go(chair, axe, chair.get_by_role("link", name="Back to the agenda"))

    # Case 2: typed, then saved with the button as well.
    open_case(chair, axe, 2)
    chair.get_by_label("Repeat", exact=True).check()
    type_autosaved(chair, CASE_2)
    go(chair, axe, chair.get_by_role("button", name="Save minutes"))
    expect(chair.get_by_text("Minutes saved.")).to_be_visible()
    add_action(chair, axe, "Flag the address for an urgent response", "Riverside Police", "PC Rao", second_due)
    add_action(chair, axe, "Book a follow-up appointment", "Riverside Hospitals NHS Trust", "Dr Okafor", first_due)
    go(chair, axe, chair.get_by_role("link", name="Back to the agenda"))

    go(chair, axe, chair.get_by_role("button", name="End the meeting: minutes become a draft"))
    go(chair, axe, chair.get_by_role("button", name="End the meeting: minutes become a draft"))
    expect(status_row(chair)).to_contain_text("Minutes draft")

    meeting_id, (first_item, second_item) = seeded.meeting_id, seeded.item_ids
    assert in_database(app, select(Meeting.status).where(Meeting.id == meeting_id)) == [(MeetingStatus.MINUTES_DRAFT,)]
    attendance_rows = in_database(
        app,
        select(
            Attendance.agency_id,
            Attendance.attendee_name,
            Attendance.status,
            Attendance.information_sent,
            Attendance.confidentiality_confirmed_at.is_not(None),
        )
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Attendance.id),
    )
    assert attendance_rows == [  # in the register's order: the invited agencies by name
        (hospital, "Sam Nurse", AttendanceStatus.APOLOGIES, True, False),
        (police, "Pat Officer", AttendanceStatus.PRESENT, False, True),
    ]
    assert saved_minutes(app, first_item) == {
        "agency_information": {f"agency-{police}": CASE_1["Shared by Riverside Police"]},
        "information_shared": CASE_1["Other information shared"],
        "risks_to_victim": CASE_1["Risks to the victim"],
        "risks_to_children": CASE_1["Risks to children"],
        "decisions": CASE_1_AGREED_DECISIONS,
        "outcome": "new",
    }
    assert saved_minutes(app, second_item) == {
        "agency_information": {f"agency-{hospital}": CASE_2["Shared by Riverside Hospitals NHS Trust"]},
        "information_shared": CASE_2["Other information shared"],
        "risks_to_victim": CASE_2["Risks to the victim"],
        "risks_to_children": CASE_2["Risks to children"],
        "decisions": CASE_2["Decisions"],
        "outcome": "repeat",
    }
    actions = in_database(
        app,
        select(
            Action.agenda_item_id,
            Action.description,
            Action.owner_agency_id,
            Action.owner_name,
            Action.due_on,
            Action.status,
        ).order_by(Action.id),
    )
    assert actions == [
        (first_item, "Fit a door lock and a camera", housing, "Jo Banks", first_due, ActionStatus.OPEN),
        (second_item, "Flag the address for an urgent response", police, "PC Rao", second_due, ActionStatus.OPEN),
        (second_item, "Book a follow-up appointment", hospital, "Dr Okafor", first_due, ActionStatus.OPEN),
    ]
    assert chair.console_errors == []
    assert_only_conflict_errors(coordinator.console_errors)


def open_meeting_checked(page, axe, starts_at):
    go(page, axe, page.locator("nav").get_by_role("link", name="Meetings", exact=True))
    go(page, axe, page.get_by_role("link", name=format_local_datetime(starts_at), exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text("MARAC meeting")


def saved_minutes(app, item_id) -> dict:
    with app.app_context():
        minutes = db.session.scalars(select(CaseMinutes).where(CaseMinutes.agenda_item_id == item_id)).one()
        return {
            "agency_information": minutes.agency_information,
            "information_shared": minutes.information_shared,
            "risks_to_victim": minutes.risks_to_victim,
            "risks_to_children": minutes.risks_to_children,
            "decisions": minutes.decisions,
            "outcome": minutes.outcome.value if minutes.outcome else None,
        }
