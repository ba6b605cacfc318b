import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from access.models import AuditEvent, Role, User
from cases.models import ExcludedPerson, Referral, ReferralState
from extensions import db
from meetings import store
from meetings.models import Action, ActionStatus, Meeting, MeetingStatus, ResearchReturn
from tests.cases.test_journey import complete_ric, refer, ric_answers, start_assessment, start_case
from tests.conftest import give_session
from tests.meetings.factories import seed_meeting


def add_meeting(app, starts_at, venue):
    with app.app_context():
        store.create_meeting(area="Northshire", starts_at=starts_at, venue=venue)
        db.session.commit()


@time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False)
def test_home_shows_the_next_meeting_in_uk_time(app, client, sign_in_as):
    add_meeting(app, datetime(2026, 5, 20, 9, 0, tzinfo=UTC), "Past room")
    add_meeting(app, datetime(2026, 6, 10, 9, 0, tzinfo=UTC), "Next room")
    add_meeting(app, datetime(2026, 6, 24, 9, 0, tzinfo=UTC), "Later room")
    sign_in_as(Role.CHAIR)

    page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert "Next room" in page
    assert "Past room" not in page and "Later room" not in page
    assert "Wednesday 10 June 2026, 10:00am" in page


def test_home_says_who_plans_meetings_when_there_are_none(client, sign_in_as):
    sign_in_as(Role.PRACTITIONER)

    page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert "No meeting is planned yet" in page


def test_navigation_depends_on_role(client, sign_in_as):
    sign_in_as(Role.PRACTITIONER)
    practitioner_page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert client.url("access.list_users") not in practitioner_page


def test_administrators_see_user_and_agency_links(client, sign_in_as):
    sign_in_as(Role.ADMIN)
    page = client.get(client.url("meetings.home")).get_data(as_text=True)

    assert f'href="{client.url("access.list_users")}"' in page
    assert f'href="{client.url("access.list_agencies")}"' in page


# The home page as a to-do list for each role.

TODAY = date.today()
NOW = datetime.now(UTC)


def home_of(client) -> str:
    return client.get(client.url("meetings.home")).get_data(as_text=True)


def to_do_of(client) -> str:
    """The to-do part of the home page, less its markup."""
    page = home_of(client)
    part = page[page.index('id="to-do"') : page.index("Next MARAC meeting")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


def link(client, endpoint, **values) -> str:
    return f'href="{client.url(endpoint, **values)}"'


def signed_in(app, make_user, role, agency, email, name="Sam Worker"):
    client = app.test_client()
    user_id, _ = make_user(email=email, role=role, agency=agency, name=name)
    give_session(app, client, user_id)
    client.user_id = user_id
    return client


def change(app, model, row_id, **values):
    with app.app_context():
        row = db.session.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def add_research(app, item_id, agency_id, due_at) -> int:
    with app.app_context():
        row = ResearchReturn(agenda_item_id=item_id, agency_id=agency_id, due_at=due_at)
        db.session.add(row)
        db.session.commit()
        return row.id


def add_action(app, seeded, case_index, agency_id, due_on) -> int:
    with app.app_context():
        action = Action(
            case_id=seeded.case_ids[case_index],
            agenda_item_id=seeded.item_ids[case_index],
            description="Check the address history",
            owner_agency_id=agency_id,
            owner_name="Pat Owner",
            due_on=due_on,
        )
        db.session.add(action)
        db.session.commit()
        return action.id


def exclude(app, case_id, name):
    with app.app_context():
        recorder = db.session.scalar(select(User).order_by(User.id).limit(1))
        db.session.add(ExcludedPerson(case_id=case_id, name=name, recorded_by_id=recorder.id))
        db.session.commit()


# Practitioner: drafts to carry on, referrals waiting, recent cases.


@pytest.fixture
def practitioner(app, make_user):
    return signed_in(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "idva@example.org")


def test_a_practitioner_with_nothing_waiting_is_told_to_start_a_case(practitioner):
    to_do = to_do_of(practitioner)

    assert "Nothing is waiting for you" in to_do
    assert link(practitioner, "cases.find_victim") in home_of(practitioner)


def test_a_practitioners_draft_is_listed_to_carry_on_until_it_is_completed(app, practitioner):
    case_id = start_case(practitioner, "Grace", "Liu")
    assessment_id = start_assessment(practitioner, case_id)

    page, to_do = home_of(practitioner), to_do_of(practitioner)

    assert "Assessments to carry on (1)" in to_do and "Carry on the SafeLives DASH" in to_do and "Grace Liu" in to_do
    assert link(practitioner, "cases.edit_assessment", case_id=case_id, assessment_id=assessment_id) in page

    practitioner.post(
        practitioner.url("cases.edit_assessment", case_id=case_id, assessment_id=assessment_id),
        data=ric_answers(16) | {"action": "complete"},
    )

    assert "Assessments to carry on" not in to_do_of(practitioner)
    assert "Nothing is waiting for you" in to_do_of(practitioner)


def test_someone_elses_draft_is_not_on_a_practitioners_list(app, make_user, practitioner):
    colleague = signed_in(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "colleague@example.org")
    start_assessment(colleague, start_case(colleague, "Grace", "Liu"))

    assert "Assessments to carry on" not in to_do_of(practitioner)


def test_a_practitioners_referral_waits_on_the_list_until_the_coordinator_accepts_it(app, practitioner):
    case_id = start_case(practitioner, "Grace", "Liu")
    complete_ric(practitioner, case_id, 16)
    assert refer(practitioner, case_id).status_code == 302

    to_do = to_do_of(practitioner)

    assert "Your referrals waiting for the MARAC coordinator (1)" in to_do and "Grace Liu" in to_do
    assert link(practitioner, "cases.view_case", case_id=case_id) in home_of(practitioner)

    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id).where(Referral.case_id == case_id))
    change(app, Referral, referral_id, state=ReferralState.ACCEPTED)

    assert "Your referrals waiting" not in to_do_of(practitioner)


def test_a_practitioners_recent_cases_are_their_agencys(app, make_user, practitioner):
    own = start_case(practitioner, "Grace", "Liu")
    police = signed_in(app, make_user, Role.PRACTITIONER, "Riverside Police", "police@example.org")
    other = start_case(police, "Maya", "Stone")

    page = home_of(practitioner)

    assert "Your agency&#39;s recent cases" in page or "Your agency's recent cases" in page
    assert link(practitioner, "cases.view_case", case_id=own) in page
    assert link(practitioner, "cases.view_case", case_id=other) not in page


def test_an_excluded_practitioner_finds_no_trace_of_the_case_on_home(app, make_user):
    named = signed_in(
        app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "pat.jones@example.org", name="Pat Jones"
    )
    case_id = start_case(named, "Grace", "Liu")
    start_assessment(named, case_id)
    assert "Grace Liu" in home_of(named)
    exclude(app, case_id, "JONES, Pat")

    page = home_of(named)

    assert "Grace Liu" not in page and case_id not in page
    assert "Nothing is waiting for you" in to_do_of(named)


# Coordinator: referrals to accept or decline, overdue research and actions, minutes to distribute, near matches.


@pytest.fixture
def coordinator(app, make_user):
    return signed_in(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")


def test_a_coordinator_with_nothing_waiting_is_told_so_and_what_to_do_next(coordinator):
    to_do = to_do_of(coordinator)

    assert "Nothing is waiting for you" in to_do
    assert link(coordinator, "meetings.list_meetings") in home_of(coordinator)


def test_a_coordinator_sees_how_many_referrals_wait_to_be_accepted_or_declined(app, coordinator):
    seeded = seed_meeting(app, cases=3)
    for referral_id in seeded.referral_ids[:2]:
        change(app, Referral, referral_id, state=ReferralState.RECEIVED)

    assert "2 referrals are waiting for you to accept or decline" in to_do_of(coordinator)
    assert link(coordinator, "meetings.list_referrals") in home_of(coordinator)

    change(app, Referral, seeded.referral_ids[0], state=ReferralState.ACCEPTED)
    assert "1 referral is waiting for you to accept or decline" in to_do_of(coordinator)

    change(app, Referral, seeded.referral_ids[1], state=ReferralState.DECLINED)
    assert "waiting for you to accept or decline" not in to_do_of(coordinator)


def test_a_coordinator_sees_overdue_research_by_meeting_until_it_is_returned(app, coordinator):
    seeded = seed_meeting(app, cases=2, starts_at=NOW + timedelta(days=2))
    change(app, Meeting, seeded.meeting_id, status=MeetingStatus.LIST_ISSUED)
    police, health = seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]
    late = [add_research(app, seeded.item_ids[0], agency, NOW - timedelta(days=1)) for agency in (police, health)]
    add_research(app, seeded.item_ids[1], police, NOW + timedelta(days=1))  # not due yet

    assert "2 research returns are overdue" in to_do_of(coordinator)
    assert link(coordinator, "meetings.view_research_progress", meeting_id=seeded.meeting_id) in home_of(coordinator)

    for return_id in late:
        change(app, ResearchReturn, return_id, returned_at=NOW)
    assert "Nothing is waiting for you" in to_do_of(coordinator)


def test_a_coordinator_sees_overdue_actions_until_they_are_done(app, coordinator):
    seeded = seed_meeting(app, cases=2)
    police = seeded.agency_ids["Riverside Police"]
    overdue = add_action(app, seeded, 0, police, TODAY - timedelta(days=2))
    add_action(app, seeded, 1, police, TODAY + timedelta(days=1))

    assert "1 action is overdue" in to_do_of(coordinator)
    assert link(coordinator, "meetings.list_actions") in home_of(coordinator)

    change(app, Action, overdue, status=ActionStatus.DONE)
    assert "Nothing is waiting for you" in to_do_of(coordinator)


def test_a_coordinator_is_asked_to_distribute_approved_minutes_until_they_are(app, coordinator):
    seeded = seed_meeting(app, cases=1)
    change(app, Meeting, seeded.meeting_id, status=MeetingStatus.MINUTES_APPROVED)

    assert "Distribute the approved minutes of the meeting on 2 December 2026" in to_do_of(coordinator)
    assert link(coordinator, "meetings.confirm_next_step", meeting_id=seeded.meeting_id) in home_of(coordinator)

    change(app, Meeting, seeded.meeting_id, status=MeetingStatus.DISTRIBUTED)
    assert "Distribute" not in to_do_of(coordinator)


def test_a_coordinator_sees_near_matches_with_an_exclusion_list_to_decide(app, make_user, coordinator):
    seeded = seed_meeting(app, cases=1)
    signed_in(app, make_user, Role.AGENCY_REP, "Riverside Police", "robin@example.org", name="Robin Nearmatch")
    exclude(app, seeded.case_ids[0], "NEARMATCH, Robin")

    assert "1 near match with an exclusion list to decide" in to_do_of(coordinator)
    assert link(coordinator, "reports.view_distribution_check", meeting_id=seeded.meeting_id) in home_of(coordinator)


# Chair: the next meeting they chair, and minutes awaiting their approval.


@pytest.fixture
def chair(app, make_user):
    return signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "chair@example.org")


def test_a_chair_not_chairing_anything_is_told_who_chooses_chairs(chair):
    assert "The MARAC coordinator chooses the chair of each meeting" in to_do_of(chair)


def test_a_chair_sees_the_next_meeting_they_chair_and_not_another_chairs(app, make_user, chair):
    other_chair = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "other.chair@example.org")
    sooner = seed_meeting(app, cases=0, starts_at=NOW + timedelta(days=3))
    theirs = seed_meeting(app, cases=0, starts_at=NOW + timedelta(days=10))
    change(app, Meeting, sooner.meeting_id, chair_id=other_chair.user_id)
    change(app, Meeting, theirs.meeting_id, chair_id=chair.user_id)

    page = home_of(chair)

    assert "The next meeting you chair" in to_do_of(chair)
    assert link(chair, "meetings.view_meeting", meeting_id=theirs.meeting_id) in page
    assert link(chair, "meetings.view_meeting", meeting_id=sooner.meeting_id) not in page


def test_on_its_day_a_chair_is_offered_to_run_the_meeting_from_home_and_not_before(app, chair):
    today = seed_meeting(app, cases=1, starts_at=datetime.now(UTC).replace(microsecond=0))
    change(app, Meeting, today.meeting_id, chair_id=chair.user_id, status=MeetingStatus.LIST_ISSUED)

    assert "Run today's meeting" in to_do_of(chair)
    assert link(chair, "meetings.run_meeting", meeting_id=today.meeting_id) in home_of(chair)

    change(app, Meeting, today.meeting_id, starts_at=datetime.now(UTC) + timedelta(days=3))
    assert "Run today's meeting" not in to_do_of(chair) and "The next meeting you chair" in to_do_of(chair)


def test_a_chair_is_asked_to_approve_their_minutes_until_they_do(app, make_user, chair):
    seeded = seed_meeting(app, cases=1)
    change(app, Meeting, seeded.meeting_id, chair_id=chair.user_id, status=MeetingStatus.MINUTES_DRAFT)

    assert "Approve the minutes of the meeting on 2 December 2026" in to_do_of(chair)
    assert link(chair, "meetings.confirm_next_step", meeting_id=seeded.meeting_id) in home_of(chair)

    change(app, Meeting, seeded.meeting_id, status=MeetingStatus.MINUTES_APPROVED)
    assert "Approve the minutes" not in to_do_of(chair)


# Agency representative: research due from the agency, the agency's actions overdue or due soon.


@pytest.fixture
def rep(app, make_user):
    return signed_in(app, make_user, Role.AGENCY_REP, "Riverside Police", "rep@example.org", name="Pat Jones")


def test_a_representative_with_nothing_due_is_told_when_requests_will_come(rep):
    assert "Nothing is due from your agency" in to_do_of(rep)


def test_a_representative_sees_their_agencys_research_due_and_overdue_until_returned(app, rep):
    seeded = seed_meeting(app, cases=2, starts_at=NOW + timedelta(days=2))
    change(app, Meeting, seeded.meeting_id, status=MeetingStatus.LIST_ISSUED)
    police, health = seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]
    late = add_research(app, seeded.item_ids[0], police, NOW - timedelta(hours=1))
    due = add_research(app, seeded.item_ids[1], police, NOW + timedelta(days=1))
    add_research(app, seeded.item_ids[1], health, NOW - timedelta(hours=1))  # another agency's

    assert "2 research requests due from your agency , 1 overdue" in to_do_of(rep)
    assert link(rep, "meetings.list_research_requests") in home_of(rep)

    change(app, ResearchReturn, late, returned_at=NOW)
    assert "1 research request due from your agency" in to_do_of(rep) and "overdue" not in to_do_of(rep)

    change(app, ResearchReturn, due, returned_at=NOW)
    assert "research request" not in to_do_of(rep)


def test_a_representative_sees_their_agencys_actions_overdue_and_due_soon(app, rep):
    seeded = seed_meeting(app, cases=2)
    police, health = seeded.agency_ids["Riverside Police"], seeded.agency_ids["Riverside Hospitals NHS Trust"]
    overdue = add_action(app, seeded, 0, police, TODAY - timedelta(days=1))
    add_action(app, seeded, 1, police, TODAY + timedelta(days=2))
    add_action(app, seeded, 1, police, TODAY + timedelta(days=30))  # not due soon
    add_action(app, seeded, 0, health, TODAY - timedelta(days=5))  # another agency's

    to_do = to_do_of(rep)

    assert "1 action of your agency overdue" in to_do
    assert "1 action of your agency due in the next 3 days" in to_do
    assert link(rep, "meetings.list_actions") in home_of(rep)

    change(app, Action, overdue, status=ActionStatus.DONE)
    assert "overdue" not in to_do_of(rep)


def test_an_excluded_representative_has_the_case_neither_listed_nor_counted(app, rep):
    seeded = seed_meeting(app, cases=1, starts_at=NOW + timedelta(days=2))
    change(app, Meeting, seeded.meeting_id, status=MeetingStatus.LIST_ISSUED)
    police = seeded.agency_ids["Riverside Police"]
    add_research(app, seeded.item_ids[0], police, NOW - timedelta(hours=1))
    add_action(app, seeded, 0, police, TODAY - timedelta(days=1))
    assert "1 research request" in to_do_of(rep) and "1 action" in to_do_of(rep)
    exclude(app, seeded.case_ids[0], "JONES, Pat")

    page = home_of(rep)

    assert "Nothing is due from your agency" in to_do_of(rep)
    assert "Victim1" not in page and seeded.case_ids[0] not in page


def test_the_cases_a_practitioners_list_names_are_recorded_as_listed(app, practitioner):
    case_id = start_case(practitioner, "Grace", "Liu")
    start_assessment(practitioner, case_id)

    home_of(practitioner)

    with app.app_context():
        listed = db.session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.user_id == practitioner.user_id, AuditEvent.action == "case-listed"
            )
        ).all()
    assert listed == [case_id]
