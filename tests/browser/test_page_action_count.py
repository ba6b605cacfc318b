"""Issue 18, the count: the whole MARAC cycle in Chromium, from a practitioner's checklist to the action
plan an agency opens, counting page actions per role (tests/browser/page_actions.py). Run with -s to see
the figures. The aim: at most 25 for a one-case meeting and at most 8 for each further case.

Each role's task is one small step function, so that the journey can follow the pages as they change."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from access.models import Role
from extensions import db
from meetings.models import Meeting
from tests.browser.journeys import chair_the_meeting, signed_in_page
from tests.browser.page_actions import PageActions
from tests.browser.test_referral_journey import fill_date
from tests.meetings.factories import seed_meeting

ONE_CASE_AIM = 25
FURTHER_CASE_AIM = 8
VICTIMS = [("Ann", "Able"), ("Bea", "Best"), ("Cat", "Cole"), ("Dee", "Dove")]
USERS = {
    "practitioner": ("idva@example.org", Role.PRACTITIONER, "Riverside IDVA Service"),
    "coordinator": ("coordinator@example.org", Role.COORDINATOR, "Riverside Council"),
    "agency representative": ("officer@example.org", Role.AGENCY_REP, "Riverside Police"),
    "chair": ("chair@example.org", Role.CHAIR, "Riverside Council"),
}


def initials(victim) -> str:
    return victim[0][0] + victim[1][0]


def nav(page, name: str):
    return page.page.locator("nav").get_by_role("link", name=name, exact=True)


# The practitioner


def practitioner_refers(p, victim) -> None:
    """A new case and a completed DASH RIC come first, and are not counted: the count starts at the
    referral, as the issue's did. Then the referral itself."""
    page = p.page
    before_the_referral(page, nav(p, "Start a case"))
    page.fill("#given_name", victim[0])
    page.fill("#family_name", victim[1])
    fill_date(page, "date_of_birth", "17", "4", "1990")
    before_the_referral(page, page.locator("button[value=search]"))
    before_the_referral(page, page.locator("button[value=add]"))
    before_the_referral(page, page.get_by_role("link", name="Start a risk assessment"))
    today = date.today()
    fill_date(page, "assessed_on", str(today.day), str(today.month), str(today.year))
    before_the_referral(page, page.get_by_role("button", name="Continue"))
    for number in range(1, 25):
        page.check(f"input[name=q{number}][value={'yes' if number <= 15 else 'no'}]")
    before_the_referral(page, page.locator("button[value=complete]"))
    p.click(page.get_by_role("link", name="Refer to MARAC"))
    page.check("input[name=person-role][value=perpetrator]")
    page.fill("#person-given_name", "Daniel")
    page.fill("#person-family_name", f"Reeve{victim[1]}")
    page.fill("#person-relationship_to_victim", "ex-partner")
    page.fill("#risk_summary", "Strangled her last week.")
    page.fill("#victim_wants", "To stay in her flat.")
    page.fill("#referrer_phone", "01632 960 333")
    page.check("input[name=victim_informed][value=yes]")
    page.check("input[name=consent_given][value=yes]")
    p.click(page.get_by_role("button", name="Send referral"))
    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()


def before_the_referral(page, locator) -> None:
    locator.click()
    page.wait_for_load_state()


# The coordinator


def coordinator_accepts(p, victims) -> None:
    """Every waiting referral ticked and accepted in one submit."""
    p.click(nav(p, "Referrals"))
    for victim in victims:
        p.page.get_by_role("row", name=re.compile(rf"\b{initials(victim)}\b")).get_by_role("checkbox").check()
    p.click(p.page.get_by_role("button", name="Accept the ticked referrals"))
    expect(p.page.get_by_text(f"{len(victims)} referral{'s' if len(victims) != 1 else ''} accepted")).to_be_visible()


def coordinator_plans_and_issues_the_list(p) -> None:
    p.click(p.page.get_by_role("link", name="Plan agendas: place accepted referrals on meetings"))
    p.click(p.page.get_by_role("button", name="Accept this plan"))
    p.click(p.page.get_by_role("button", name="Issue the MARAC list"))  # the link to its confirmation
    p.click(p.page.get_by_role("button", name="Issue the MARAC list"))
    expect(p.page.get_by_text("Done: issue the MARAC list.")).to_be_visible()


def coordinator_distributes(p) -> None:
    p.click(nav(p, "Home"))
    p.click(p.page.get_by_role("link", name="Distribute the approved minutes"))
    p.click(p.page.get_by_role("button", name="Mark the minutes as distributed"))
    expect(p.page.get_by_text("Done: mark the minutes as distributed.")).to_be_visible()


# The agency representative


def representative_returns_research(p, cases: int) -> None:
    """Saving a return goes back to the list, where the next one is waiting."""
    p.click(nav(p, "Research"))
    for number in range(1, cases + 1):
        p.click(p.page.get_by_role("link", name=f"Complete the research return for case {number}"))
        p.page.get_by_label("Yes", exact=True).check()
        p.page.get_by_label("Summary of your agency's involvement").fill("Two call-outs since March.")
        p.click(p.page.get_by_role("button", name="Save research return"))
        expect(p.page.get_by_text("Research return saved.")).to_be_visible()


def representative_opens_the_action_plan(p) -> None:
    p.click(nav(p, "Documents"))
    p.download(p.page.get_by_role("link", name=re.compile(r"action plan", re.IGNORECASE)).first)


# The chair


def chair_runs_the_meeting(p, victims) -> None:
    """From home: the register (which starts the meeting), each case's action and minutes, then the end."""
    page = p.page
    p.click(nav(p, "Home"))
    p.click(page.get_by_role("link", name="Run today's meeting"))
    page.get_by_role("radiogroup", name="Attendance of Riverside Police").get_by_label("Present", exact=True).check()
    page.get_by_label(re.compile("The statement was read out")).check()
    p.click(page.get_by_role("button", name="Save the register, start the meeting and open the first case"))
    for number, _ in enumerate(victims, start=1):
        add_an_action(p)
        page.get_by_label("New case", exact=True).check()
        page.get_by_label("Decisions", exact=True).fill("Housing to fit a door lock.")
        last = number == len(victims)
        p.click(
            page.get_by_role(
                "button", name="Save and go to ending the meeting" if last else "Save and go to the next case"
            )
        )
    p.click(page.get_by_role("button", name="End the meeting: minutes become a draft"))
    expect(page.get_by_text("Done: end the meeting")).to_be_visible()


def add_an_action(p) -> None:
    page, due = p.page, date.today() + timedelta(days=14)
    page.get_by_label("What needs doing").fill("Fit a door lock")
    page.get_by_label("Agency that owns it").select_option(label="Riverside Police")
    page.get_by_label("Named person").fill("PC Rao")
    due_date = page.get_by_role("group", name="Due date")
    due_date.get_by_label("Day").fill(str(due.day))
    due_date.get_by_label("Month").fill(str(due.month))
    due_date.get_by_label("Year").fill(str(due.year))
    p.click(page.get_by_role("button", name="Add action"))
    expect(page.get_by_text("Action added.")).to_be_visible()


def chair_approves(p) -> None:
    p.click(p.page.get_by_role("button", name="Approve the minutes"))  # the link to its confirmation
    p.page.get_by_label("I have read the draft minutes").check()
    p.click(p.page.get_by_role("button", name="Approve the minutes"))
    expect(p.page.get_by_text("Done: approve the minutes.")).to_be_visible()


# The cycle


def walk_the_cycle(app, live_server, new_page, make_user, cases: int) -> PageActions:
    """Sign-in is not counted: the cycle starts on each person's home page. The research is returned a
    week before the meeting; then its day comes (the clock is not counted either)."""
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)
    seeded = seed_meeting(app, cases=0, starts_at=starts_at, invited=("Riverside Police",))
    accounts = {role: make_user(email=email, role=kind, agency=agency) for role, (email, kind, agency) in USERS.items()}
    chair_the_meeting(app, seeded.meeting_id, accounts["chair"][0])
    tally = PageActions()
    pages = {
        role: tally.page(signed_in_page(new_page, NoAxe(), live_server, USERS[role][0], secret), role)
        for role, (_, secret) in accounts.items()
    }
    victims = VICTIMS[:cases]

    for victim in victims:
        practitioner_refers(pages["practitioner"], victim)
    coordinator_accepts(pages["coordinator"], victims)
    coordinator_plans_and_issues_the_list(pages["coordinator"])
    representative_returns_research(pages["agency representative"], cases)
    the_meeting_day_comes(app, seeded.meeting_id)
    chair_runs_the_meeting(pages["chair"], victims)
    chair_approves(pages["chair"])
    coordinator_distributes(pages["coordinator"])
    representative_opens_the_action_plan(pages["agency representative"])
    return tally


def the_meeting_day_comes(app, meeting_id: int) -> None:
    with app.app_context():
        db.session.get(Meeting, meeting_id).starts_at = datetime.now(UTC).replace(second=0, microsecond=0)
        db.session.commit()


class NoAxe:
    """The count is about clicks: accessibility is checked by the journeys that walk the same pages."""

    def check(self, page) -> None:
        page.wait_for_load_state()


@pytest.mark.parametrize("cases", [1, 4])
def test_page_actions_for_the_whole_cycle(app, live_server, new_page, make_user, cases):
    tally = walk_the_cycle(app, live_server, new_page, make_user, cases)

    print("\n" + tally.report(f"a {cases}-case meeting, from referral to the action plan opened"))
    assert set(tally.by_role) == set(USERS) and min(tally.by_role.values()) > 0, "every role's actions are counted"
    assert tally.total <= ONE_CASE_AIM + FURTHER_CASE_AIM * (cases - 1), tally.report(f"{cases} case(s)")
