"""Issue 17: what the referral form now asks reaches the people who research and hear the case: the
relationship of each person to her, other adults in the household, the referrer's risk summary and
contacts, and what she wants from the MARAC. Never her address."""

from datetime import date

from access.models import Role
from cases import store as cases_store
from cases.models import Case, PartyRole, Referral
from demo.cases import add_person
from extensions import db
from meetings.models import MeetingStatus
from tests.meetings.factories import seed_meeting
from tests.meetings.test_research import FUTURE, POLICE, issue_list
from tests.reports.pdf_helpers import pdf_text

RISK_SUMMARY = "He strangled her on 1 November and says he will find her new flat."
VICTIM_WANTS = "To keep her job and for the children to stay at their school."


def add_what_the_form_asks(app, seeded) -> None:
    with app.app_context():
        case = db.session.get(Case, seeded.case_ids[0])
        for party in case.parties:
            party.relationship_to_victim = "ex-partner" if party.role is PartyRole.PERPETRATOR else "daughter"
        lodger = add_person(case.created_by_agency_id, "Lee", "Lodger", date(1979, 3, 3))
        cases_store.add_party(case, lodger, PartyRole.HOUSEHOLD_MEMBER, "lodger")
        case.victim.address = "7 Hidden Lane, Riverside"
        referral = db.session.get(Referral, seeded.referral_ids[0])
        referral.risk_summary = RISK_SUMMARY
        referral.victim_wants = VICTIM_WANTS
        referral.referrer_phone = "07700 900777"
        db.session.commit()


def test_the_research_list_shows_relationships_the_household_and_the_risk_summary_but_no_address(
    app, client, sign_in_as, url
):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    add_what_the_form_asks(app, seeded)
    issue_list(app, seeded)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    page = client.get(url("meetings.list_research_requests")).get_data(as_text=True)

    assert "Perpetrator1 CASE (ex-partner), born 1 January 1985" in page
    assert "Child1 CASE (daughter)" in page
    assert "Other adults in the household" in page and "Lee LODGER (lodger)" in page
    assert RISK_SUMMARY in page and VICTIM_WANTS in page
    assert "Seed Referrer, Riverside IDVA Service, 07700 900777" in page
    assert "Hidden Lane" not in page


def test_the_research_pack_carries_them_too(app, client, sign_in_as, url):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    add_what_the_form_asks(app, seeded)
    issue_list(app, seeded)
    sign_in_as(Role.COORDINATOR)

    pdf = client.get(url("reports.download_meeting_document", meeting_id=seeded.meeting_id, kind="research-pack"))

    text = " ".join(pdf_text(pdf.data).split())
    assert "Perpetrator1 CASE (ex-partner)" in text
    assert "Lee LODGER (lodger)" in text
    assert RISK_SUMMARY in text and VICTIM_WANTS in text
    assert "Hidden Lane" not in text


def test_the_chair_minuting_the_case_sees_the_risk_summary_and_what_she_wants(app, client, sign_in_as, url):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    add_what_the_form_asks(app, seeded)
    issue_list(app, seeded, status=MeetingStatus.IN_PROGRESS)
    sign_in_as(Role.COORDINATOR)

    page = client.get(
        url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0])
    ).get_data(as_text=True)

    assert RISK_SUMMARY in page and VICTIM_WANTS in page
    assert "Other adult in the household" in page and "(lodger)" in page
    assert "Hidden Lane" not in page


def test_a_referral_that_could_name_no_one_says_so_rather_than_none_recorded(app, client, sign_in_as, url):
    seeded = seed_meeting(app, cases=1, starts_at=FUTURE)
    with app.app_context():
        case = db.session.get(Case, seeded.case_ids[0])
        for party in list(case.parties):
            db.session.delete(party)
        db.session.get(Referral, seeded.referral_ids[0]).perpetrator_not_known = True
        db.session.commit()
    issue_list(app, seeded)
    sign_in_as(Role.AGENCY_REP, agency=POLICE)

    page = client.get(url("meetings.list_research_requests")).get_data(as_text=True)

    assert "Not known: the referrer could not name anyone" in page
