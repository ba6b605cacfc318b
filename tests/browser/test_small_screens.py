"""Issues 18 and 19, small screens: every page of the journeys at 375 px, as each role, never scrolls sideways, and
passes axe there.
A table wider than the screen scrolls inside its own labelled container, which the keyboard can reach
(axe's scrollable-region-focusable, checked on every page)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from access.models import Role
from cases.models import Case, Referral, ReferralState
from demo.cases import add_assessment, add_person, refer_now, yes_to
from extensions import db
from meetings.agenda import request_research
from meetings.models import (
    Action,
    Attendance,
    AttendanceStatus,
    CaseMinutes,
    Meeting,
    MeetingStatus,
    ResearchReturn,
)
from meetings.vocabulary import CaseOutcome
from tests.browser.journeys import signed_in_page
from tests.meetings.factories import seed_meeting
from tests.world import seed_subject_access_request

PHONE = {"width": 375, "height": 800}
LONG_AGENCY_TEXT = "Seen at the Riverside Hospitals NHS Trust emergency department twice in March with injuries."


@dataclass(frozen=True)
class World:
    issued_meeting: int
    running_meeting: int
    running_item: int
    case_id: str
    person_id: str
    waiting_referral: str
    research_return: int
    action_id: int
    chair_id: int
    case_reference: str
    subject_access_request: int
    subject_access_item: int


def seed_world(app, chair_id: int, coordinator_id: int) -> World:
    """A meeting whose list is out (research asked), one in progress (attendance, minutes, actions), and a
    referral waiting in the queue: enough rows that every table has something to show."""
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)
    issued = seed_meeting(app, cases=2, starts_at=soon)
    running = seed_meeting(app, cases=2, starts_at=datetime.now(UTC).replace(second=0, microsecond=0))
    with app.app_context():
        issued_meeting = db.session.get(Meeting, issued.meeting_id)
        issued_meeting.status = MeetingStatus.LIST_ISSUED
        issued_meeting.list_issued_at = datetime.now(UTC)
        request_research(issued_meeting)
        running_meeting = db.session.get(Meeting, running.meeting_id)
        running_meeting.status, running_meeting.chair_id = MeetingStatus.IN_PROGRESS, chair_id
        for name, agency, status in [
            ("Pat Officer", "Riverside Police", AttendanceStatus.PRESENT),
            ("Sam Nurse", "Riverside Hospitals NHS Trust", AttendanceStatus.APOLOGIES),
        ]:
            db.session.add(
                Attendance(
                    meeting_id=running.meeting_id,
                    agency_id=running.agency_ids[agency],
                    attendee_name=name,
                    status=status,
                )
            )
        db.session.add(
            CaseMinutes(agenda_item_id=running.item_ids[0], decisions="Housing to fit a lock.", outcome=CaseOutcome.NEW)
        )
        action = Action(
            case_id=running.case_ids[0],
            agenda_item_id=running.item_ids[0],
            description="Fit a door lock and a camera at the front and back doors of the flat",
            owner_agency_id=running.agency_ids["Riverside Police"],
            owner_name="Jo Banks",
            due_on=date.today() + timedelta(days=14),
        )
        db.session.add(action)
        db.session.flush()
        research = db.session.scalars(
            select(ResearchReturn).where(ResearchReturn.agency_id == issued.agency_ids["Riverside Police"])
        ).first()
        research.known, research.involvement, research.returned_at = True, LONG_AGENCY_TEXT, datetime.now(UTC)
        waiting = waiting_referral(issued.referrer_id, issued.agency_ids["Riverside IDVA Service"])
        case = db.session.get(Case, issued.case_ids[0])
        request_id, item_id = seed_subject_access_request(case.victim_id, coordinator_id)
        db.session.commit()
        return World(
            issued.meeting_id,
            running.meeting_id,
            running.item_ids[0],
            case.id,
            case.victim_id,
            waiting.id,
            research.id,
            action.id,
            chair_id,
            case.reference,
            request_id,
            item_id,
        )


def waiting_referral(referrer_id: int, agency_id: int) -> Referral:
    from access.models import User
    from cases import store as cases_store

    referrer = db.session.get(User, referrer_id)
    case = cases_store.create_case(
        victim=add_person(agency_id, "Waiting", "Case", date(1991, 2, 3), "RV2 3CD"),
        marac_area="Riverside",
        agency_id=agency_id,
    )
    add_assessment(case, referrer, "dash-ric", yes_to(15), date.today())
    return refer_now(case, referrer, date.today(), "Riverside", ReferralState.RECEIVED)


def journey_pages(world: World) -> dict[Role, dict[str, str]]:
    """The pages of each role's journeys, by name, so that a failure names the page."""
    meeting, running = f"/meetings/{world.issued_meeting}", f"/meetings/{world.running_meeting}"
    case = f"/cases/{world.case_id}"
    common = {"home": "/", "find a case": "/cases", "glossary": "/glossary"}
    return {
        Role.PRACTITIONER: common
        | {"the case page": case, "person page": f"/people/{world.person_id}", "start a case": "/cases/new"},
        Role.COORDINATOR: common
        | {
            "referral queue": "/referrals",
            "a referral": f"/referrals/{world.waiting_referral}",
            "the case page": case,
            "person page": f"/people/{world.person_id}",
            "meetings": "/meetings",
            "meeting page and agenda": meeting,
            "plan agendas": "/meetings/plan",
            "invitations": f"{meeting}/invitations",
            "research progress": f"{meeting}/research",
            "meeting in progress": running,
            "attendance": f"{running}/attendance",
            "minutes": f"{running}/cases/{world.running_item}/minutes",
            "action review": f"{running}/action-review",
            "actions": "/actions",
            "an action": f"/actions/{world.action_id}",
            "change an action": f"/actions/{world.action_id}/edit",
            "documents": "/documents",
            "repeat watch": "/repeat-watch",
            "notifications": "/notifications",
            "withdraw a referral": f"/referrals/{world.waiting_referral}/withdraw",
            "confirm the next step": f"{meeting}/next-step",
            "change a meeting": f"{meeting}/edit",
            "reschedule a meeting": f"{meeting}/reschedule",
            "cancel a meeting": f"{meeting}/cancel",
            "who receives the documents": f"/reports/meetings/{world.issued_meeting}/distribution",
            "data inventory": "/reports/data-inventory",
            "retention review": "/retention",
            "set a legal hold": f"{case}/legal-hold",
            "subject access requests": "/subject-access",
            "record a subject access request": "/subject-access/new",
            "a subject access request": f"/subject-access/{world.subject_access_request}",
            "an item found for it": f"/subject-access/{world.subject_access_request}/items/{world.subject_access_item}",
            "your sessions": "/account/sessions",
            "confirm it is you": "/account/confirm-it-is-you",
        },
        Role.AGENCY_REP: common
        | {
            "meetings": "/meetings",
            "meeting page and agenda": meeting,
            "research requests": "/research",
            "a research return": f"/research/{world.research_return}",
            "actions": "/actions",
            "an action": f"/actions/{world.action_id}",
            "documents": "/documents",
            "notifications": "/notifications",
        },
        Role.CHAIR: common
        | {
            "meetings": "/meetings",
            "meeting in progress": running,
            "attendance": f"{running}/attendance",
            "minutes": f"{running}/cases/{world.running_item}/minutes",
            "action review": f"{running}/action-review",
            "end the meeting": f"{running}/next-step",
            "documents": "/documents",
            "notifications": "/notifications",
        },
        Role.AUDITOR: {
            "home": "/",
            "who saw what": "/audit",
            "who viewed a case": f"/audit/case?case={world.case_reference}",
            "what a user viewed": "/audit/user?user=coordinator@example.org",
            "data inventory": "/reports/data-inventory",
            "your sessions": "/account/sessions",
        },
    }


USERS = {
    Role.PRACTITIONER: ("idva@example.org", "Riverside IDVA Service"),
    Role.COORDINATOR: ("coordinator@example.org", "Riverside IDVA Service"),
    Role.AGENCY_REP: ("officer@example.org", "Riverside Police"),
    Role.CHAIR: ("chair@example.org", "Riverside Council"),
    Role.AUDITOR: ("auditor@example.org", "Riverside Council"),
}


# The first element outside the table containers that runs past the window's right edge, to say what to fix.
FIRST_TOO_WIDE = """() => {
  const tooWide = [...document.querySelectorAll("main *")].find(
    (element) =>
      element.getBoundingClientRect().right > window.innerWidth + 1 && !element.closest(".app-table-container")
  );
  return tooWide ? `${tooWide.tagName.toLowerCase()}.${[...tooWide.classList].join(".")}` : "?";
}"""


def wider_than_the_screen(page) -> str | None:
    """What makes the page wider than the window, so that it would scroll sideways; None if nothing does."""
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return f"{width} px wide, starting at {page.evaluate(FIRST_TOO_WIDE)}" if width > window else None


def test_every_page_of_the_journeys_fits_a_375_px_screen(app, live_server, new_page, axe, make_user):
    secrets = {role: make_user(email=email, role=role, agency=agency) for role, (email, agency) in USERS.items()}
    world = seed_world(app, chair_id=secrets[Role.CHAIR][0], coordinator_id=secrets[Role.COORDINATOR][0])
    too_wide = []
    for role, pages in journey_pages(world).items():
        page = signed_in_page(new_page, axe, live_server, USERS[role][0], secrets[role][1])
        page.set_viewport_size(PHONE)
        for name, path in pages.items():
            response = page.goto(f"{live_server}{path}")
            assert response.status == 200, f"{role.value} could not open {name} ({path}): {response.status}"
            axe.check(page)
            if too_wide_by := wider_than_the_screen(page):
                too_wide.append(f"{role.value}: {name} ({path}) is {too_wide_by}")
        assert page.console_errors == []
    assert too_wide == [], "pages wider than a 375 px screen:\n" + "\n".join(too_wide)
