"""Issue 15's findings, each as the attack that was tried: knowing a victim's name gave her away.

Each test failed before the policy layer (`access/policy.py`) was built.
"""

from datetime import date

import pytest
from sqlalchemy import select

from access.models import AuditEvent, Role
from cases.models import Case, ExcludedPerson, Person
from extensions import db
from meetings.models import Action, ActionStatus, Meeting, MeetingStatus
from tests.cases.test_journey import complete_ric
from tests.conftest import give_session
from tests.meetings.factories import seed_meeting

GRACE = {"given_name": "Grace", "family_name": "Liu", "date_of_birth": ["14", "7", "1987"]}
SAFE_ADDRESS, SAFE_PHONE = "Flat 3, Refuge Canary House", "07700 900456"


def signed_in(app, make_user, role, agency, email, name="Sam Worker"):
    client = app.test_client()
    user_id, _ = make_user(email=email, role=role, agency=agency, name=name)
    give_session(app, client, user_id)
    client.user_id = user_id
    return client


def case_id_from(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return response.location.rsplit("/", 1)[-1]


@pytest.fixture
def graces_case(app, make_user):
    """Grace Liu's real case: opened by the IDVA service, her safe address recorded by the coordinator."""
    idva = signed_in(app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "idva@example.org")
    case_id = case_id_from(idva.post(idva.url("cases.find_victim"), data=GRACE | {"action": "add"}))
    complete_ric(idva, case_id, 16)
    coordinator = signed_in(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")
    saved = coordinator.post(
        coordinator.url("cases.edit_safe_contact", case_id=case_id),
        data={"phone": SAFE_PHONE, "safe_to_call": "yes", "safe_address": SAFE_ADDRESS},
    )
    assert saved.status_code == 302
    with app.app_context():
        victim_id = db.session.get(Case, case_id).victim_id
    return case_id, victim_id, coordinator


def audit_rows(app, case_id):
    with app.app_context():
        return [
            (row.user_id, row.action)
            for row in db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == case_id))
        ]


# Finding 1: person takeover


def test_Z2_choosing_a_known_person_for_a_new_case_does_not_reach_her_safe_contact(app, make_user, graces_case):
    case_id, victim_id, _ = graces_case
    housing = signed_in(app, make_user, Role.PRACTITIONER, "Riverside Housing", "housing@example.org")

    new_case = case_id_from(housing.post(housing.url("cases.find_victim"), data=GRACE | {"action": f"use:{victim_id}"}))
    page = housing.get(housing.url("cases.edit_safe_contact", case_id=new_case))
    changed = housing.post(
        housing.url("cases.edit_safe_contact", case_id=new_case),
        data={"phone": "01234 000000", "safe_to_call": "no", "safe_address": "Changed"},
    )
    coordinator_view = (
        graces_case[2].get(graces_case[2].url("cases.edit_safe_contact", case_id=case_id)).get_data(as_text=True)
    )

    assert SAFE_ADDRESS not in page.get_data(as_text=True) and SAFE_PHONE not in page.get_data(as_text=True)
    assert changed.status_code in (302, 404)
    assert SAFE_ADDRESS in coordinator_view and "Changed" not in coordinator_view.split("Recorded by")[1]


def test_Z2_choosing_a_known_person_does_not_open_her_record_for_editing(app, make_user, graces_case):
    case_id, victim_id, _ = graces_case
    rep = signed_in(app, make_user, Role.AGENCY_REP, "Riverside Housing", "rep@example.org")

    new_case = case_id_from(rep.post(rep.url("cases.find_victim"), data=GRACE | {"action": f"use:{victim_id}"}))
    rep.post(
        rep.url("cases.edit_person", case_id=new_case, person_id=victim_id),
        data={"aliases": "Takeover Alias", "date_of_birth_variants": "", "interpreter_needed": "no"},
    )

    with app.app_context():
        assert db.session.get(Person, victim_id).aliases == []
        assert db.session.get(Case, new_case).victim_id != victim_id
    assert rep.get(rep.url("cases.view_case", case_id=case_id)).status_code == 404


def test_Z2_a_possible_match_shows_only_the_typed_name_and_year_of_birth(app, make_user, graces_case):
    housing = signed_in(app, make_user, Role.PRACTITIONER, "Riverside Housing", "housing@example.org")

    page = housing.post(
        housing.url("cases.find_victim"),
        data={"given_name": "GRACE", "family_name": "liu", "date_of_birth": ["", "", ""], "action": "search"},
    ).get_data(as_text=True)

    assert "GRACE liu" in page and "Grace Liu" not in page
    assert "14 July 1987" not in page and "1987-07-14" not in page and "same name" not in page
    assert "born in 1987" in page


def test_L2_the_search_and_the_link_proposal_are_recorded_under_her_real_case(app, make_user, graces_case):
    case_id, victim_id, _ = graces_case
    housing = signed_in(app, make_user, Role.PRACTITIONER, "Riverside Housing", "housing@example.org")

    housing.post(housing.url("cases.find_victim"), data=GRACE | {"action": "search"})
    housing.post(housing.url("cases.find_victim"), data=GRACE | {"action": f"use:{victim_id}"})

    seen_by_housing = [action for user_id, action in audit_rows(app, case_id) if user_id == housing.user_id]
    assert "person-match-shown" in seen_by_housing
    assert "person-link-proposed" in seen_by_housing


def test_the_coordinator_confirms_the_link_and_only_then_her_history_counts(app, make_user, graces_case):
    case_id, victim_id, coordinator = graces_case
    housing = signed_in(app, make_user, Role.PRACTITIONER, "Riverside Housing", "housing@example.org")
    new_case = case_id_from(housing.post(housing.url("cases.find_victim"), data=GRACE | {"action": f"use:{victim_id}"}))

    assert "The MARAC coordinator will confirm it" in housing.get(
        housing.url("cases.view_case", case_id=new_case)
    ).get_data(as_text=True)
    assert (
        housing.post(
            housing.url("cases.confirm_victim_link", case_id=new_case), data={"decision": "confirm"}
        ).status_code
        == 403
    )
    coordinator.post(coordinator.url("cases.confirm_victim_link", case_id=new_case), data={"decision": "confirm"})

    with app.app_context():
        linked = db.session.get(Case, new_case)
        assert (linked.victim_id, linked.proposed_victim_id) == (victim_id, None)
    after = housing.get(housing.url("cases.edit_safe_contact", case_id=new_case)).get_data(as_text=True)
    assert SAFE_ADDRESS not in after
    assert housing.get(housing.url("cases.edit_person", case_id=new_case, person_id=victim_id)).status_code == 404


# Finding 2: exclusion lists


def add_exclusion(app, case_id, name, recorded_by_id):
    with app.app_context():
        db.session.add(ExcludedPerson(case_id=case_id, name=name, note=None, recorded_by_id=recorded_by_id))
        db.session.commit()


def test_Z2_an_excluded_representative_neither_sees_nor_updates_the_cases_action(app, make_user):
    seeded = seed_meeting(app, cases=1)
    with app.app_context():
        action = Action(
            case_id=seeded.case_ids[0],
            agenda_item_id=seeded.item_ids[0],
            description="Police to check the address history",
            owner_agency_id=seeded.agency_ids["Riverside Police"],
            owner_name="Pat Owner",
            due_on=date.today(),
        )
        db.session.add(action)
        db.session.commit()
        action_id = action.id
    add_exclusion(app, seeded.case_ids[0], "John Smith", seeded.referrer_id)
    rep = signed_in(app, make_user, Role.AGENCY_REP, "Riverside Police", "jon.smith@example.org", name="Jon Smith")

    tracker = rep.get(rep.url("meetings.list_actions")).get_data(as_text=True)
    opened = rep.get(rep.url("meetings.update_action", action_id=action_id))
    marked = rep.post(
        rep.url("meetings.update_action", action_id=action_id),
        data={"status": "done", "completion_note": "", "version": "1"},
    )

    assert "Police to check the address history" not in tracker
    assert opened.status_code == 404 and marked.status_code == 404
    with app.app_context():
        assert db.session.get(Action, action_id).status is ActionStatus.OPEN


def test_Z2_a_practitioner_named_on_the_exclusion_list_cannot_open_the_case_or_its_safe_contact(
    app, make_user, graces_case
):
    case_id, _, coordinator = graces_case
    colleague = signed_in(
        app, make_user, Role.PRACTITIONER, "Riverside IDVA Service", "pat.jones@example.org", name="Pat Jones"
    )
    assert colleague.get(colleague.url("cases.view_case", case_id=case_id)).status_code == 200
    add_exclusion(app, case_id, "JONES, Pat", colleague.user_id)

    assert colleague.get(colleague.url("cases.view_case", case_id=case_id)).status_code == 404
    assert colleague.get(colleague.url("cases.edit_safe_contact", case_id=case_id)).status_code == 404
    assert colleague.url("cases.view_case", case_id=case_id) not in colleague.get(
        colleague.url("meetings.home")
    ).get_data(as_text=True)


def test_Z2_a_search_by_someone_on_the_exclusion_list_does_not_find_her(app, make_user, graces_case):
    case_id, victim_id, _ = graces_case
    searcher = signed_in(
        app, make_user, Role.PRACTITIONER, "Riverside Housing", "tom.reed@example.org", name="Tom Reed"
    )
    found_before = searcher.post(searcher.url("cases.find_victim"), data=GRACE | {"action": "search"}).get_data(
        as_text=True
    )
    add_exclusion(app, case_id, "Tom Reed", searcher.user_id)

    page = searcher.post(searcher.url("cases.find_victim"), data=GRACE | {"action": "search"}).get_data(as_text=True)
    chosen = searcher.post(searcher.url("cases.find_victim"), data=GRACE | {"action": f"use:{victim_id}"})

    assert f"use:{victim_id}" in found_before
    assert f"use:{victim_id}" not in page and "No one like this is known to the MARAC" in page
    assert chosen.status_code == 400


# Finding 3: chairs act on their own meetings


def test_Z2_a_chair_cannot_start_or_approve_another_chairs_meeting(app, make_user):
    seeded = seed_meeting(app, cases=1)
    own_chair = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "own.chair@example.org")
    other_chair = signed_in(app, make_user, Role.CHAIR, "Riverside IDVA Service", "other.chair@example.org")
    with app.app_context():
        meeting = db.session.get(Meeting, seeded.meeting_id)
        meeting.chair_id, meeting.status = own_chair.user_id, MeetingStatus.MINUTES_DRAFT
        db.session.commit()
        version = meeting.version_id

    other_chair.post(
        other_chair.url("meetings.take_next_step", meeting_id=seeded.meeting_id),
        data={"version": str(version), "read_draft": "y"},
    )
    minutes = other_chair.get(
        other_chair.url("meetings.edit_case_minutes", meeting_id=seeded.meeting_id, item_id=seeded.item_ids[0])
    )
    with app.app_context():
        assert db.session.get(Meeting, seeded.meeting_id).status is MeetingStatus.MINUTES_DRAFT
    assert minutes.status_code == 404

    own_chair.post(
        own_chair.url("meetings.take_next_step", meeting_id=seeded.meeting_id),
        data={"version": str(version), "read_draft": "y"},
    )
    with app.app_context():
        assert db.session.get(Meeting, seeded.meeting_id).status is MeetingStatus.MINUTES_APPROVED


# Finding 6: the smaller ones


def test_an_integer_too_big_for_the_database_is_not_found(app, make_user):
    coordinator = signed_in(app, make_user, Role.COORDINATOR, "Riverside IDVA Service", "coordinator@example.org")

    assert coordinator.get("/meetings/99999999999999999999999").status_code == 404
    assert coordinator.get("/actions/99999999999999999999999").status_code == 404


def test_L2_the_home_page_list_is_recorded_under_each_case_it_shows(app, make_user, graces_case):
    case_id, _, coordinator = graces_case

    coordinator.get(coordinator.url("meetings.home"))

    assert (coordinator.user_id, "case-listed") in audit_rows(app, case_id)
