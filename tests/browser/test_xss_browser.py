"""XSS payloads typed into the main forms come back as literal text, in a real browser (SECURITY V2): names of a
new case, the referral's reason and exclusion list, a research return, minutes and an action. No dialog opens,
no Content-Security-Policy violation is logged, and each payload reads back exactly as typed."""

import re
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from access import store as access_store
from access.models import Role
from cases.models import Case, Person, Referral
from demo.cases import add_assessment, yes_to
from extensions import db
from meetings.models import Meeting, MeetingStatus, ResearchReturn
from tests.browser.test_meeting_journey import open_case_from_agenda, open_meeting
from tests.browser.test_referral_journey import fill_date, fill_what_every_referral_says, sign_in
from tests.meetings.factories import seed_meeting
from tests.xss_payloads import BOLD_CANARY, TEMPLATE_PRODUCT

GIVEN_NAME = "<img src=x onerror=alert('xss-8')>"
FAMILY_NAME = "\"><script>alert('xss-34')</script>"
NO_CONSENT_REASON = [
    "<svg><script>alert('xss-30')</script></svg>",
    "{{1337*1337}}",
    "</textarea><script>alert('xss-5')</script>",
]
EXCLUDED_NAME, EXCLUDED_NOTE = "<svg onload=alert('xss-29')>", "' onfocus='alert(37)' autofocus='"
INVOLVEMENT = [
    "<details open ontoggle=alert('xss-12')>",
    "<a href=\"javascript:alert('xss-17')\">click</a>",
    "${1337*1337}",
]
RISKS = BOLD_CANARY
DECISIONS = [
    "<iframe srcdoc=\"<script>alert('xss-16')</script>\"></iframe>",
    "\" autofocus onfocus=alert('xss-38') x=\"",
]
ACTION = "<input autofocus onfocus=alert('xss-11')>"
OWNER = "'><img src=x onerror=alert('xss-35')>"


def watched(page, dialogs):
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return page


def assert_shown_literally(page, *texts):
    for text in texts:
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
    assert TEMPLATE_PRODUCT not in page.content()


def refer_a_new_case(app, page, base):
    page.click("text=Start a case")
    page.fill("#given_name", GIVEN_NAME)
    page.fill("#family_name", FAMILY_NAME)
    fill_date(page, "date_of_birth", "12", "2", "1989")
    page.click("button[value=search]")
    page.click("button[value=add]")
    case_id = re.search(r"/cases/([0-9a-f-]{36})", page.url).group(1)
    with app.app_context():
        practitioner = access_store.get_user_by_email("idva@example.org")
        add_assessment(db.session.get(Case, case_id), practitioner, "dash-ric", yes_to(15), date.today())
        db.session.commit()
    page.goto(f"{base}/cases/{case_id}/referral")
    fill_what_every_referral_says(page)
    page.check("input[name=victim_informed][value=yes]")
    page.check("input[name=consent_given][value=no]")
    page.fill("#no_consent_reason", "\n".join(NO_CONSENT_REASON))
    page.fill("#excluded_people", f"{EXCLUDED_NAME}, {EXCLUDED_NOTE}")
    page.click("button:has-text('Send referral')")
    expect(page.get_by_text("Referral sent")).to_be_visible()
    page.goto(f"{base}/cases/{case_id}")
    assert_shown_literally(page, f"{GIVEN_NAME} {FAMILY_NAME}", EXCLUDED_NAME)
    return case_id


def return_research(rep, starts_at):
    open_meeting(rep, starts_at)
    rep.locator("nav").get_by_role("link", name="Research", exact=True).click()
    rep.get_by_role("link", name="Complete the research return for case 1").click()
    rep.get_by_label("Yes", exact=True).check()
    rep.get_by_label("Summary of your agency's involvement").fill("\n".join(INVOLVEMENT))
    rep.get_by_label("Risks your agency holds information on").fill(RISKS)
    rep.get_by_role("button", name="Save research return").click()
    expect(rep.get_by_text("Research return saved.")).to_be_visible()


def minute_the_case(coordinator, starts_at):
    open_meeting(coordinator, starts_at)
    open_case_from_agenda(coordinator)
    coordinator.get_by_label("Decisions", exact=True).fill("\n".join(DECISIONS))
    coordinator.get_by_role("button", name="Save minutes").click()
    expect(coordinator.get_by_text("Minutes saved.")).to_be_visible()
    due = date.today() + timedelta(days=14)
    coordinator.get_by_label("What needs doing").fill(ACTION)
    coordinator.get_by_label("Agency that owns it").select_option(label="Riverside Housing")
    coordinator.get_by_label("Named person").fill(OWNER)
    due_date = coordinator.get_by_role("group", name="Due date")
    due_date.get_by_label("Day").fill(str(due.day))
    due_date.get_by_label("Month").fill(str(due.month))
    due_date.get_by_label("Year").fill(str(due.year))
    coordinator.get_by_role("button", name="Add action").click()
    expect(coordinator.get_by_text("Action added.")).to_be_visible()


def test_payloads_typed_into_the_main_forms_read_back_as_text_and_run_nothing(app, live_server, new_page, make_user):
    starts_at = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=7)
    seeded = seed_meeting(app, cases=1, starts_at=starts_at)
    with app.app_context():
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.status = MeetingStatus.LIST_ISSUED
        hospital = seeded.agency_ids["Riverside Hospitals NHS Trust"]
        db.session.add(
            ResearchReturn(agenda_item_id=seeded.item_ids[0], agency_id=hospital, due_at=meeting.research_due_at)
        )
        db.session.commit()
    _, practitioner_secret = make_user(
        email="idva@example.org", role=Role.PRACTITIONER, agency="Riverside IDVA Service"
    )
    _, rep_secret = make_user(email="rep@example.org", role=Role.AGENCY_REP, agency="Riverside Hospitals NHS Trust")
    _, coordinator_secret = make_user(
        email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside Council"
    )
    dialogs = []

    practitioner = watched(new_page(), dialogs)
    sign_in(practitioner, live_server, "idva@example.org", practitioner_secret)
    case_id = refer_a_new_case(app, practitioner, live_server)

    rep = watched(new_page(), dialogs)
    sign_in(rep, live_server, "rep@example.org", rep_secret)
    return_research(rep, starts_at)

    coordinator = watched(new_page(), dialogs)
    sign_in(coordinator, live_server, "coordinator@example.org", coordinator_secret)
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id).where(Referral.case_id == case_id))
        db.session.get(Meeting, seeded.meeting_id).status = MeetingStatus.IN_PROGRESS
        db.session.commit()
    coordinator.goto(f"{live_server}/referrals/{referral_id}")
    assert_shown_literally(coordinator, *NO_CONSENT_REASON, EXCLUDED_NAME, EXCLUDED_NOTE)
    coordinator.goto(f"{live_server}/meetings/{seeded.meeting_id}/cases/{seeded.item_ids[0]}/research")
    assert_shown_literally(coordinator, *INVOLVEMENT, RISKS)
    minute_the_case(coordinator, starts_at)
    assert_shown_literally(coordinator, ACTION, OWNER)
    coordinator.reload()
    expect(coordinator.get_by_label("Decisions", exact=True)).to_have_value("\n".join(DECISIONS))

    with app.app_context():
        names = db.session.execute(
            select(Person.given_name, Person.family_name).where(Person.given_name == GIVEN_NAME)
        ).all()
    assert [tuple(row) for row in names] == [(GIVEN_NAME, FAMILY_NAME)]
    assert dialogs == []
    assert practitioner.console_errors == rep.console_errors == coordinator.console_errors == []
