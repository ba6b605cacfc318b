"""Issue 18, the count: the whole MARAC cycle in Chromium, from a practitioner's checklist to the action
plan an agency opens, counting page actions per role (tests/browser/page_actions.py). Run with -s to see
the figures. The aim: at most 25 for a one-case meeting and at most 8 for each further case.

Each role's task is one small step function, so that the journey can follow the pages as they change."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from access.models import Role
from app import format_local_datetime
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
    """A new case, a completed DASH RIC, and the referral."""
    page = p.page
    p.click(nav(p, "Start a case"))
    page.fill("#given_name", victim[0])
    page.fill("#family_name", victim[1])
    fill_date(page, "date_of_birth", "17", "4", "1990")
    p.click(page.locator("button[value=search]"))
    p.click(page.locator("button[value=add]"))
    p.click(page.get_by_role("link", name="Start a risk assessment"))
    today = date.today()
    fill_date(page, "assessed_on", str(today.day), str(today.month), str(today.year))
    p.click(page.get_by_role("button", name="Continue"))
    for number in range(1, 25):
        page.check(f"input[name=q{number}][value={'yes' if number <= 15 else 'no'}]")
    p.click(page.locator("button[value=complete]"))
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


# The coordinator


def coordinator_accepts(p, victim) -> None:
    p.click(nav(p, "Referrals"))
    p.click(p.page.get_by_role("link", name=initials(victim), exact=True))
    p.click(p.page.get_by_role("button", name="Accept for MARAC"))
    expect(p.page.get_by_text("Referral accepted")).to_be_visible()


def coordinator_plans_and_issues_the_list(p, meeting_name: str) -> None:
    p.click(nav(p, "Meetings"))
    p.click(p.page.get_by_role("link", name=meeting_name, exact=True))
    p.click(p.page.get_by_role("link", name="Plan agendas from the referral queue").first)
    p.click(p.page.get_by_role("button", name="Accept this plan"))
    p.click(p.page.get_by_role("link", name=meeting_name, exact=True))
    p.click(p.page.get_by_role("button", name="Issue the MARAC list"))
    expect(p.page.get_by_text("Done: issue the MARAC list.")).to_be_visible()


def coordinator_distributes(p, meeting_name: str) -> None:
    p.click(nav(p, "Meetings"))
    p.click(p.page.get_by_role("link", name=meeting_name, exact=True))
    p.click(p.page.get_by_role("button", name="Mark the minutes as distributed"))


# The agency representative


def representative_returns_research(p, cases: int) -> None:
    p.click(nav(p, "Research"))
    for number in range(1, cases + 1):
        p.click(p.page.get_by_role("link", name=f"Complete the research return for case {number}"))
        p.page.get_by_label("Yes", exact=True).check()
        p.page.get_by_label("Summary of your agency's involvement").fill("Two call-outs since March.")
        p.click(p.page.get_by_role("button", name="Save research return"))
        expect(p.page.get_by_text("Research return saved.")).to_be_visible()
        if number < cases:
            p.click(nav(p, "Research"))


def representative_opens_the_action_plan(p) -> None:
    p.click(nav(p, "Documents"))
    p.download(p.page.get_by_role("link", name=re.compile(r"action plan", re.IGNORECASE)).first)


# The chair


def chair_runs_the_meeting(p, meeting_name: str, victims) -> None:
    """Start, the register, each case's minutes with an outcome and an action, and the end."""
    page = p.page
    p.click(nav(p, "Meetings"))
    p.click(page.get_by_role("link", name=meeting_name, exact=True))
    p.click(page.get_by_role("button", name="Start the meeting"))
    p.click(page.get_by_role("link", name="Attendance and confidentiality"))
    page.get_by_label("Agency", exact=True).select_option(label="Riverside Police")
    page.get_by_label("Name", exact=True).fill("Pat Officer")
    page.get_by_label("Present", exact=True).check()
    page.get_by_label("Has confirmed the confidentiality statement").check()
    p.click(page.get_by_role("button", name="Add", exact=True))
    p.click(page.get_by_role("link", name="Back to the meeting"))
    for victim in victims:
        running_order = page.get_by_role("table", name="Running order")
        p.click(running_order.get_by_role("link", name=re.compile(rf"^{initials(victim)}\b")))
        page.get_by_label("New case", exact=True).check()
        page.get_by_label("Decisions", exact=True).fill("Housing to fit a door lock.")
        p.click(page.get_by_role("button", name="Save minutes"))
        add_an_action(p)
        p.click(page.get_by_role("link", name="Back to the agenda"))
    p.click(page.get_by_role("button", name="End the meeting: minutes become a draft"))


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
    p.click(p.page.get_by_role("button", name="Approve the minutes"))


# The cycle


def walk_the_cycle(app, live_server, new_page, make_user, cases: int) -> PageActions:
    """Sign-in is not counted: the cycle starts on each person's home page."""
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)
    seeded = seed_meeting(app, cases=0, starts_at=starts_at, invited=("Riverside Police",))
    accounts = {role: make_user(email=email, role=kind, agency=agency) for role, (email, kind, agency) in USERS.items()}
    chair_the_meeting(app, seeded.meeting_id, accounts["chair"][0])
    tally = PageActions()
    pages = {
        role: tally.page(signed_in_page(new_page, NoAxe(), live_server, USERS[role][0], secret), role)
        for role, (_, secret) in accounts.items()
    }
    meeting_name, victims = format_local_datetime(starts_at), VICTIMS[:cases]

    for victim in victims:
        practitioner_refers(pages["practitioner"], victim)
    for victim in victims:
        coordinator_accepts(pages["coordinator"], victim)
    coordinator_plans_and_issues_the_list(pages["coordinator"], meeting_name)
    representative_returns_research(pages["agency representative"], cases)
    chair_runs_the_meeting(pages["chair"], meeting_name, victims)
    chair_approves(pages["chair"])
    coordinator_distributes(pages["coordinator"], meeting_name)
    representative_opens_the_action_plan(pages["agency representative"])
    return tally


class NoAxe:
    """The count is about clicks: accessibility is checked by the journeys that walk the same pages."""

    def check(self, page) -> None:
        page.wait_for_load_state()


@pytest.mark.parametrize("cases", [1, 4])
def test_page_actions_for_the_whole_cycle(app, live_server, new_page, make_user, cases):
    tally = walk_the_cycle(app, live_server, new_page, make_user, cases)

    print("\n" + tally.report(f"a {cases}-case meeting, from referral to the action plan opened"))
    assert tally.total <= ONE_CASE_AIM + FURTHER_CASE_AIM * (cases - 1), tally.report(f"{cases} case(s)")
