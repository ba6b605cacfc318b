"""Issue 17, done when: one woman followed from her first risk checklist to a repeat referral eleven
months after she was heard, in a real browser. At each step her case page, her person page, /cases and
the referrer's home page are read as the referrer, the coordinator, an agency worker, and an agency
worker named on the case's exclusion list, who must find no trace of her anywhere."""

from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from access.models import AgencyKind, Role
from cases.models import Case, Referral, ReferralState
from extensions import db
from meetings import schedule
from meetings import store as meetings_store
from meetings.models import AgendaItem, AgendaSection, CaseMinutes, MeetingStatus
from meetings.vocabulary import CaseOutcome
from risk.models import Assessment
from tests.browser.journeys import go, signed_in_page, start_case_for_a_new_victim
from tests.browser.test_referral_journey import fill_date

VICTIM = ("Beth", "Harlow", date(1990, 4, 17))
EXCLUDED_NAME = "Karen Jones"
HEARD_DAYS_AGO = 320  # she was heard eleven months ago: a new incident now falls within the repeat window
UK_DAY = "%-d %B %Y"


def text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


def open_url(page, axe, url: str) -> int:
    response = page.goto(url)
    axe.check(page)
    return response.status


def find_cases(page, axe, base, **fields) -> str:
    open_url(page, axe, f"{base}/cases")
    for name, value in fields.items():
        page.fill(f"#{name}", value)
    go(page, axe, page.get_by_role("button", name="Search"))
    return text(page)


class Story:
    """Where each reader looks, and what they find."""

    def __init__(self, app, base, axe, pages):
        self.app, self.base, self.axe, self.pages = app, base, axe, pages
        self.case_id = self.person_id = self.reference = None

    def load_ids(self):
        with self.app.app_context():
            case = db.session.scalars(select(Case)).one()
            self.case_id, self.person_id, self.reference = case.id, case.victim_id, case.reference

    def case_page(self, reader) -> tuple[int, str]:
        page = self.pages[reader]
        status = open_url(page, self.axe, f"{self.base}/cases/{self.case_id}")
        return status, text(page)

    def person_page(self, reader) -> tuple[int, str]:
        page = self.pages[reader]
        status = open_url(page, self.axe, f"{self.base}/people/{self.person_id}")
        return status, text(page)

    def search_by_name(self, reader) -> str:
        return find_cases(self.pages[reader], self.axe, self.base, name="Beth Harlow")

    def home(self, reader) -> str:
        page = self.pages[reader]
        open_url(page, self.axe, f"{self.base}/")
        return text(page)

    def nothing_of_her_for(self, reader):
        """Knowing her name gives nothing away: the same 404 as a case that does not exist, and no row."""
        status, page = self.case_page(reader)
        assert status == 404 and "Harlow" not in page
        status, page = self.person_page(reader)
        assert status == 404 and "Harlow" not in page
        found = self.search_by_name(reader)
        assert "0 cases" in found and "Harlow" not in found and self.reference not in found
        assert "Harlow" not in self.home(reader)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def refer_her(page, axe):
    go(page, axe, page.get_by_role("link", name="Start a risk assessment"))
    today = date.today()
    fill_date(page, "assessed_on", str(today.day), str(today.month), str(today.year))
    go(page, axe, page.get_by_role("button", name="Continue"))
    for number in range(1, 25):
        page.check(f"input[name=q{number}][value={'yes' if number <= 15 else 'no'}]")
    go(page, axe, page.locator("button[value=complete]"))
    go(page, axe, page.get_by_role("link", name="Refer to MARAC"))
    page.check("input[name=person-role][value=perpetrator]")
    page.fill("#person-given_name", "Daniel")
    page.fill("#person-family_name", "Reeve")
    page.fill("#person-relationship_to_victim", "ex-partner")
    page.fill("#risk_summary", "Strangled her last week; says he will kill her if she leaves.")
    page.fill("#victim_wants", "To stay in her flat and keep her job.")
    page.fill("#referrer_phone", "01632 960 333")
    page.check("input[name=victim_informed][value=yes]")
    page.check("input[name=consent_given][value=yes]")
    page.fill("#excluded_people", f"{EXCLUDED_NAME}, Riverside Police, his cousin")
    assert fits_the_screen(page)
    go(page, axe, page.get_by_role("button", name="Send referral"))
    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()


def heard_eleven_months_ago(app, case_id: str, chair_id: int) -> date:
    """What the months between did, straight in the database: everything so far moved back in time, and
    the meeting that heard her held, minuted and distributed. Returns the day she was heard."""
    heard = datetime.now(UTC).replace(microsecond=0) - timedelta(days=HEARD_DAYS_AGO)
    earlier = timedelta(days=HEARD_DAYS_AGO + 12)
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.created_at -= earlier
        for assessment in db.session.scalars(select(Assessment).where(Assessment.case_id == case_id)):
            assessment.assessed_on -= earlier
            assessment.created_at -= earlier
        referral = db.session.scalars(select(Referral).where(Referral.case_id == case_id)).one()
        referral.received_at -= earlier
        referral.triaged_at -= earlier
        case.repeat_watch_ends = (referral.received_at + timedelta(days=365)).date()
        meeting = meetings_store.create_meeting(
            area="Riverside",
            starts_at=heard,
            venue="Riverside Police Station",
            chair_id=chair_id,
            capacity=16,
            minutes_per_case=15,
            research_due_at=heard - timedelta(days=3),
        )
        schedule.invite_every_agency(meeting)
        item = AgendaItem(
            meeting_id=meeting.id,
            referral_id=referral.id,
            position=1,
            starts_at=heard,
            ends_at=heard + timedelta(minutes=15),
            section=AgendaSection.ADULT_ONLY,
            flags=[],
            placed_at=referral.triaged_at + timedelta(days=1),
        )
        db.session.add(item)
        db.session.flush()
        db.session.add(CaseMinutes(agenda_item_id=item.id, decisions="Safety plan agreed.", outcome=CaseOutcome.NEW))
        referral.state = ReferralState.HEARD
        referral.state_changed_at = heard
        meeting.status = MeetingStatus.DISTRIBUTED
        meeting.list_issued_at = heard - timedelta(days=4)
        meeting.distributed_at = heard + timedelta(days=2)
        db.session.commit()
    return heard.date()


def report_a_new_incident(page, axe, base, case_id):
    open_url(page, axe, f"{base}/cases/{case_id}")
    go(page, axe, page.get_by_role("link", name="Add an incident"))
    today = date.today()
    fill_date(page, "occurred_on", str(today.day), str(today.month), str(today.year))
    page.get_by_label("Threats", exact=True).check()
    page.get_by_label("Riverside Police", exact=True).check()
    page.get_by_label("Daniel Reeve").check()
    go(page, axe, page.get_by_role("button", name="Add incident"))


def test_one_womans_story_from_first_checklist_to_a_repeat_referral(
    app, live_server, new_page, axe, make_agency, make_user
):
    make_agency("Riverside IDVA Service", AgencyKind.IDVA)
    make_agency("Riverside Police", AgencyKind.POLICE)
    users = {
        "referrer": make_user(email="idva@example.org", role=Role.PRACTITIONER, agency="Riverside IDVA Service"),
        "coordinator": make_user(
            email="coordinator@example.org", role=Role.COORDINATOR, agency="Riverside IDVA Service", name="Cory Ord"
        ),
        "agency worker": make_user(
            email="officer@example.org", role=Role.AGENCY_REP, agency="Riverside Police", name="Alex Officer"
        ),
        "excluded": make_user(
            email="karen@example.org", role=Role.AGENCY_REP, agency="Riverside Police", name=EXCLUDED_NAME
        ),
    }
    chair_id, _ = make_user(email="chair@example.org", role=Role.CHAIR, agency="Riverside Police", name="Chris Chair")
    pages = {
        reader: signed_in_page(new_page, axe, live_server, f"{email}", secret)
        for reader, (email, (_, secret)) in {
            "referrer": ("idva@example.org", users["referrer"]),
            "coordinator": ("coordinator@example.org", users["coordinator"]),
            "agency worker": ("officer@example.org", users["agency worker"]),
            "excluded": ("karen@example.org", users["excluded"]),
        }.items()
    }
    pages["referrer"].set_viewport_size({"width": 375, "height": 800})  # the IDVA works from her phone
    story = Story(app, live_server, axe, pages)
    today = date.today().strftime(UK_DAY)

    # 1. The IDVA completes her first checklist and refers her, naming the person causing harm.
    pages["referrer"].get_by_role("button", name="Menu").click()  # at 375 px the navigation is behind it
    start_case_for_a_new_victim(pages["referrer"], axe, *VICTIM)
    refer_her(pages["referrer"], axe)
    story.load_ids()

    status, case_page = story.case_page("referrer")
    assert status == 200 and story.reference in case_page
    assert f"Referral sent on {today} by Riverside IDVA Service: waiting for the MARAC coordinator" in case_page
    assert "Person causing harm: Daniel Reeve (ex-partner)" in case_page
    assert fits_the_screen(pages["referrer"])
    assert "Referred to the MARAC" in case_page  # the history
    assert "Not heard at a MARAC yet." in story.person_page("referrer")[1]
    assert story.reference in story.search_by_name("referrer")
    assert "Your referrals waiting for the MARAC coordinator (1)" in story.home("referrer")
    assert "1 referral is waiting for you to accept or decline" in story.home("coordinator")
    assert "1 case" in find_cases(pages["coordinator"], axe, live_server, reference=story.reference.lower())
    story.nothing_of_her_for("agency worker")  # the police are not involved yet
    story.nothing_of_her_for("excluded")

    # 2. The coordinator accepts the referral.
    coordinator = pages["coordinator"]
    open_url(coordinator, axe, f"{live_server}/referrals")
    go(coordinator, axe, coordinator.get_by_role("link", name="BH"))
    go(coordinator, axe, coordinator.get_by_role("button", name="Accept for MARAC"))
    expect(coordinator.get_by_text("Referral accepted")).to_be_visible()

    assert f"accepted for the MARAC on {today}" in story.case_page("referrer")[1]
    assert "Referral accepted by the MARAC coordinator" in story.case_page("referrer")[1]
    assert "Your referrals waiting" not in story.home("referrer")
    assert "waiting for you to accept or decline" not in story.home("coordinator")
    story.nothing_of_her_for("excluded")

    # 3. Eleven months ago she was heard at a MARAC.
    heard_on = heard_eleven_months_ago(app, story.case_id, chair_id).strftime(UK_DAY)

    status, case_page = story.case_page("coordinator")
    assert f"Heard at the MARAC meeting on {heard_on}" in case_page
    assert f"Minutes of the MARAC meeting on {heard_on}" in case_page
    assert "heard at the MARAC" in story.case_page("referrer")[1]
    person = story.person_page("referrer")[1]
    assert "Heard at a MARAC once." in person and f"Heard at the MARAC on {heard_on}" in person
    assert "Heard at the MARAC" in story.search_by_name("coordinator")
    story.nothing_of_her_for("agency worker")
    story.nothing_of_her_for("excluded")

    # 4. Now: he threatens her again, reported to the police. The case goes back to the MARAC as a repeat.
    report_a_new_incident(pages["referrer"], axe, live_server, story.case_id)
    expect(pages["referrer"].get_by_text("gone back to the MARAC queue as a repeat")).to_be_visible()

    status, case_page = story.case_page("referrer")
    assert f"Referral sent on {today}" in case_page and "waiting for the MARAC coordinator" in case_page
    assert case_page.count("Referred to the MARAC") == 2
    assert f"Heard at the MARAC meeting on {heard_on}" in case_page
    assert "Incident: threats" in case_page
    assert "Your referrals waiting for the MARAC coordinator (1)" in story.home("referrer")
    assert "1 referral is waiting for you to accept or decline" in story.home("coordinator")
    person = story.person_page("coordinator")[1]
    assert "Repeat" in person and f"Heard at the MARAC on {heard_on}" in person
    coordinator_finds = find_cases(coordinator, axe, live_server, name="Beth Harlow")
    assert story.reference in coordinator_finds and "Repeat" in coordinator_finds

    # The police are now involved (the incident was reported to them): their worker sees her case ...
    status, case_page = story.case_page("agency worker")
    assert status == 200 and story.reference in case_page and "Incident: threats" in case_page
    assert story.person_page("agency worker")[0] == 200
    assert story.reference in story.search_by_name("agency worker")
    # ... but not the colleague the victim named: knowing her name still gives nothing away.
    story.nothing_of_her_for("excluded")

    for page in pages.values():  # the only errors: the 404s asked for on purpose above
        assert [error for error in page.console_errors if "status of 404" not in error] == []
