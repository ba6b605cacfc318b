"""Journey 3: an agency representative returns research for a case on an issued MARAC list and,
after the meeting, reports an action owned by their agency as done."""

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from access.models import Role
from extensions import db
from meetings.models import Action, ActionStatus, Meeting, MeetingStatus, ResearchReturn
from tests.browser.journeys import go, in_database, next_week, signed_in_page
from tests.meetings.factories import seed_meeting

INVOLVEMENT = "Two call-outs in March; the perpetrator was arrested for criminal damage on 14 March."
COMPLETION_NOTE = "Address flagged for an urgent response on 3 December; the victim was told by phone."


def seed_issued_list(app):
    seeded = seed_meeting(app, cases=1, starts_at=next_week(), invited=("Riverside Police", "Riverside Housing"))
    with app.app_context():
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.status = MeetingStatus.LIST_ISSUED
        for agency in ("Riverside Police", "Riverside Housing"):
            db.session.add(
                ResearchReturn(
                    agenda_item_id=seeded.item_ids[0],
                    agency_id=seeded.agency_ids[agency],
                    due_at=meeting.research_due_at,
                )
            )
        db.session.commit()
    return seeded


def hold_the_meeting_with_a_police_action(app, seeded) -> int:
    """What the chair does after the research is in: the meeting happens and gives the police an action."""
    with app.app_context():
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.DISTRIBUTED
        action = Action(
            case_id=seeded.case_ids[0],
            agenda_item_id=seeded.item_ids[0],
            description="Flag the address for an urgent response",
            owner_agency_id=seeded.agency_ids["Riverside Police"],
            owner_name="PC Hale",
            due_on=date.today() + timedelta(days=14),
        )
        db.session.add(action)
        db.session.commit()
        return action.id


def test_an_agency_returns_research_and_later_completes_its_action(app, live_server, new_page, axe, make_user):
    seeded = seed_issued_list(app)
    police_id = seeded.agency_ids["Riverside Police"]
    _, secret = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Police")
    page = signed_in_page(new_page, axe, live_server, "rep@example.org", secret)

    go(page, axe, page.locator("nav").get_by_role("link", name="Research", exact=True))
    expect(page.get_by_role("heading", name="Case 1: Victim1 CASE")).to_be_visible()
    go(page, axe, page.get_by_role("link", name="Complete the research return for case 1"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Research return: Victim1 CASE")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Summary of your agency's involvement").fill(INVOLVEMENT)
    go(page, axe, page.get_by_role("button", name="Save research return"))
    expect(page.get_by_text("Research return saved.")).to_be_visible()
    returns = in_database(
        app,
        select(
            ResearchReturn.agency_id,
            ResearchReturn.known,
            ResearchReturn.involvement,
            ResearchReturn.returned_at.is_not(None),
        ).order_by(ResearchReturn.agency_id),
    )
    assert returns == sorted(
        [(police_id, True, INVOLVEMENT, True), (seeded.agency_ids["Riverside Housing"], None, None, False)]
    )

    action_id = hold_the_meeting_with_a_police_action(app, seeded)
    go(page, axe, page.locator("nav").get_by_role("link", name="Actions", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions for Riverside Police")
    go(page, axe, page.get_by_role("link", name=f"Update action {action_id}"))
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Completion note").fill(COMPLETION_NOTE)
    go(page, axe, page.get_by_role("button", name="Save update"))
    expect(page.get_by_text(f"Action {action_id} saved as done.")).to_be_visible()
    assert page.console_errors == []

    stored = in_database(
        app, select(Action.status, Action.completion_note, Action.completed_on).where(Action.id == action_id)
    )
    assert stored == [(ActionStatus.DONE, COMPLETION_NOTE, date.today())]
