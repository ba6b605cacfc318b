"""The policy (access/policy.py): one named rule per object question, listed in access/permissions.py,
and the object-level matrix of role × own or other agency × exclusion list × a person shared by two cases."""

import inspect

import pytest
from sqlalchemy import select

from access import policy
from access.models import AgencyKind, Role, User
from access.permissions import OBJECT_RULES
from access.policy import ActionScope, CaseScope, MeetingScope, MinutesScope, PersonScope, SafeContactScope
from cases.models import Case
from extensions import db
from tests.cases.test_journey import start_case

OWN, OTHER, IDVA = 1, 2, 3
NAMED_BY_THE_ISSUE = {
    "case",
    "person",
    "assessment",
    "safe contact",
    "referral",
    "research return",
    "action",
    "minutes",
    "document",
    "import batch",
    "meeting step",
}


def user(role: Role, agency_id: int = OWN, user_id: int = 10) -> User:
    return User(id=user_id, role=role, agency_id=agency_id, name="Sam Worker")


def case(*, excluded=False, involved=(OWN,), idva=()) -> CaseScope:
    return CaseScope(involved_agency_ids=frozenset(involved), idva_agency_ids=frozenset(idva), excluded=excluded)


def test_Z2_every_object_the_issue_names_has_its_rules_listed_in_one_place():
    assert {kind for kind, _ in OBJECT_RULES} >= NAMED_BY_THE_ISSUE
    assert all(rule.__module__ == "access.policy" for rule in OBJECT_RULES.values())


def test_Z2_every_rule_in_the_policy_is_listed():
    rules = {name for name, function in inspect.getmembers(policy, inspect.isfunction) if name.startswith("may_")}

    assert rules == {rule.__name__ for rule in OBJECT_RULES.values()}


CASE_VIEW = [
    # role, agency, excluded -> may view
    (Role.PRACTITIONER, OWN, False, True),
    (Role.PRACTITIONER, OTHER, False, False),
    (Role.PRACTITIONER, OWN, True, False),
    (Role.AGENCY_REP, OWN, False, True),
    (Role.AGENCY_REP, OWN, True, False),
    (Role.AGENCY_REP, OTHER, False, False),
    (Role.CHAIR, OTHER, False, True),
    (Role.CHAIR, OTHER, True, False),
    (Role.COORDINATOR, OTHER, False, True),
    (Role.COORDINATOR, OTHER, True, True),  # the coordinator decides the matches
    (Role.ADMIN, OWN, False, False),
]


@pytest.mark.parametrize(("role", "agency", "excluded", "expected"), CASE_VIEW)
def test_Z2_who_sees_a_case(role, agency, excluded, expected):
    assert policy.may_view_case(user(role, agency), case(excluded=excluded)) is expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.PRACTITIONER, True), (Role.AGENCY_REP, True), (Role.COORDINATOR, True), (Role.CHAIR, False)],
)
def test_Z2_chairs_read_cases_but_do_not_change_them(role, expected):
    assert policy.may_change_case(user(role), case()) is expected


@pytest.mark.parametrize(("role", "expected"), [(Role.PRACTITIONER, False), (Role.COORDINATOR, True)])
def test_Z2_an_exclusion_list_holds_against_changes_too_but_never_the_coordinator_who_decides_it(role, expected):
    assert policy.may_change_case(user(role), case(excluded=True)) is expected


@pytest.mark.parametrize(
    ("role", "agency", "recorded_by", "expected"),
    [
        (Role.PRACTITIONER, OWN, OWN, True),
        (Role.PRACTITIONER, OWN, OTHER, False),  # another agency on the case recorded it
        (Role.PRACTITIONER, IDVA, OTHER, True),  # the IDVA service on the case
        (Role.AGENCY_REP, OWN, OWN, False),
        (Role.CHAIR, OTHER, OWN, False),
        (Role.COORDINATOR, OTHER, OWN, True),
    ],
)
def test_Z3_who_sees_safe_contact_details(role, agency, recorded_by, expected):
    scope = SafeContactScope(case(involved=(OWN, OTHER, IDVA), idva=(IDVA,)), recorded_by_agency_id=recorded_by)

    assert policy.may_view_safe_contact(user(role, agency), scope) is expected


def test_Z3_an_excluded_practitioner_never_sees_the_safe_contact_their_own_agency_recorded():
    scope = SafeContactScope(case(excluded=True), recorded_by_agency_id=OWN)

    assert policy.may_view_safe_contact(user(Role.PRACTITIONER), scope) is False


@pytest.mark.parametrize(
    ("role", "agency", "cases", "expected"),
    [
        (Role.PRACTITIONER, OTHER, 1, True),
        (Role.PRACTITIONER, OTHER, 2, False),  # shared by two cases: not through a case of one's own
        (Role.PRACTITIONER, OWN, 2, True),  # the agency that first recorded her
        (Role.COORDINATOR, OTHER, 2, True),
    ],
)
def test_Z2_a_person_shared_by_two_cases_is_changed_only_by_her_recorder_or_the_coordinator(
    role, agency, cases, expected
):
    scope = case(involved=(OWN, OTHER))

    assert (
        policy.may_edit_person(user(role, agency), scope, PersonScope(created_by_agency_id=OWN, case_count=cases))
        is expected
    )


@pytest.mark.parametrize(
    ("role", "cases", "expected"),
    [
        (Role.PRACTITIONER, [case(involved=(OTHER,)), case(involved=(OWN,))], True),  # one of hers is enough
        (Role.PRACTITIONER, [case(involved=(OTHER,))], False),
        (Role.PRACTITIONER, [case(excluded=True)], False),  # kept from them by the exclusion list
        (Role.CHAIR, [case(excluded=True), case(involved=(OTHER,))], True),
        (Role.CHAIR, [case(excluded=True)], False),
        (Role.COORDINATOR, [case(excluded=True)], True),
        (Role.ADMIN, [case()], False),
        (Role.COORDINATOR, [], False),  # a person on no case is found by no one
    ],
)
def test_Z2_a_person_is_seen_by_whoever_may_see_one_of_her_cases(role, cases, expected):
    assert policy.may_view_person(user(role), cases) is expected


@pytest.mark.parametrize(
    ("role", "agency", "excluded", "sees", "updates"),
    [
        (Role.AGENCY_REP, OWN, False, True, True),
        (Role.AGENCY_REP, OWN, True, False, False),
        (Role.PRACTITIONER, OTHER, False, False, False),
        (Role.CHAIR, OTHER, False, True, False),
        (Role.COORDINATOR, OTHER, True, True, True),
    ],
)
def test_Z2_who_sees_and_updates_an_action(role, agency, excluded, sees, updates):
    scope = ActionScope(owner_agency_id=OWN, excluded=excluded)

    assert (policy.may_view_action(user(role, agency), scope), policy.may_update_action(user(role, agency), scope)) == (
        sees,
        updates,
    )


@pytest.mark.parametrize(
    ("role", "user_id", "expected"),
    [(Role.CHAIR, 10, True), (Role.CHAIR, 11, False), (Role.COORDINATOR, 12, True), (Role.AGENCY_REP, 10, False)],
)
def test_Z2_only_the_meetings_own_chair_or_the_coordinator_runs_it(role, user_id, expected):
    meeting = MeetingScope(chair_id=10, agency_invited=True)

    assert policy.may_run_meeting(user(role, user_id=user_id), meeting) is expected


@pytest.mark.parametrize(
    ("role", "invited", "approved", "distributed", "expected"),
    [
        (Role.CHAIR, False, False, False, False),  # a draft stays with those running the meeting
        (Role.CHAIR, False, True, False, True),
        (Role.COORDINATOR, False, True, False, True),
        (Role.AGENCY_REP, True, True, False, False),  # approved, not yet distributed
        (Role.AGENCY_REP, True, True, True, True),
        (Role.AGENCY_REP, False, True, True, False),  # not invited to that meeting
        (Role.PRACTITIONER, True, True, True, False),
        (Role.ADMIN, True, True, True, False),
    ],
)
def test_Z2_who_reads_what_a_meeting_minuted_about_a_case(role, invited, approved, distributed, expected):
    minutes = MinutesScope(
        MeetingScope(chair_id=99, agency_invited=invited), approved=approved, distributed=distributed
    )

    assert policy.may_read_minutes(user(role), minutes) is expected


# Z6: fail closed.

CANARY_GIVEN, CANARY_FAMILY = "Canaryfirst", "Canarylast"


@pytest.fixture
def victims_case(app, client, sign_in_as) -> str:
    sign_in_as(Role.PRACTITIONER, agency="Riverside IDVA Service")
    return start_case(client, CANARY_GIVEN, CANARY_FAMILY)


def test_Z6_a_permission_check_that_fails_gives_a_server_error_and_no_data(app, client, victims_case, monkeypatch):
    def broken(*args):
        raise RuntimeError("the policy could not be read")

    monkeypatch.setattr(policy, "may_view_case", broken)
    response = client.get(client.url("cases.view_case", case_id=victims_case))

    assert response.status_code == 500
    assert CANARY_GIVEN not in response.get_data(as_text=True) and CANARY_FAMILY not in response.get_data(as_text=True)


def test_Z6_an_audit_write_that_fails_gives_a_server_error_and_no_data(app, client, victims_case, monkeypatch):
    import access.audit

    def broken(*args, **kwargs):
        raise RuntimeError("the audit trail could not be written")

    monkeypatch.setattr(access.audit, "record_event", broken)
    monkeypatch.setattr("cases.journey.record_event", broken)
    response = client.get(client.url("cases.view_case", case_id=victims_case))

    assert response.status_code == 500
    assert CANARY_GIVEN not in response.get_data(as_text=True) and CANARY_FAMILY not in response.get_data(as_text=True)


def test_Z5_a_practitioner_moved_to_another_agency_loses_the_case_on_the_next_request(
    app, client, victims_case, make_agency
):
    assert client.get(client.url("cases.view_case", case_id=victims_case)).status_code == 200
    other = make_agency("Northshire Housing", AgencyKind.HOUSING)
    with app.app_context():
        creator = db.session.scalar(
            select(User).where(User.agency_id == db.session.get(Case, victims_case).created_by_agency_id)
        )
        creator.agency_id = other
        db.session.commit()

    assert client.get(client.url("cases.view_case", case_id=victims_case)).status_code == 404


def scopes_most_open_to(auditor: User) -> dict:
    """For each rule, arguments that would open it to anyone: her own agency everywhere, break-glass in force."""
    open_case = CaseScope(
        involved_agency_ids=frozenset({OWN}),
        idva_agency_ids=frozenset({OWN}),
        excluded=False,
        referred_by_user=True,
        break_glass=True,
    )
    meeting = MeetingScope(chair_id=auditor.id, agency_invited=True)
    action = ActionScope(owner_agency_id=OWN, excluded=False, meeting_chair_id=auditor.id)
    research = policy.ResearchReturnScope(agency_id=OWN, list_issued=True, open_for_research=True, excluded=False)
    referral = policy.ReferralScope(case=open_case, made_by_user=True, awaiting_triage=True)
    return {
        "case": (open_case,),
        "person": (open_case, PersonScope(created_by_agency_id=OWN, case_count=1)),
        "cases": ([open_case],),
        "safe contact": (SafeContactScope(case=open_case, recorded_by_agency_id=OWN),),
        "referral": (referral,),
        "research": (research,),
        "action": (action,),
        "meeting": (meeting,),
        "minutes": (MinutesScope(meeting=meeting, approved=True, distributed=True),),
        "agency": (OWN,),
        "batch": (policy.ImportBatchScope(uploaded_by_id=auditor.id + 1),),
        "step": (meeting, frozenset(Role) - {Role.AUDITOR}),
        "session": (policy.SessionScope(owner_id=auditor.id),),
        "none": (),
    }


def arguments_for(rule, scopes: dict) -> tuple:
    names = list(inspect.signature(rule).parameters)[1:]
    annotation = str(inspect.signature(rule).parameters[names[0]].annotation) if names else ""
    if rule is policy.may_edit_person:
        return scopes["person"]
    if rule is policy.may_take_meeting_step:
        return scopes["step"]
    for key, words in [
        ("cases", "Iterable"),
        ("safe contact", "SafeContactScope"),
        ("referral", "ReferralScope"),
        ("research", "ResearchReturnScope"),
        ("action", "ActionScope"),
        ("minutes", "MinutesScope"),
        ("meeting", "MeetingScope"),
        ("batch", "ImportBatchScope"),
        ("session", "SessionScope"),
        ("case", "CaseScope"),
        ("agency", "int"),
    ]:
        if words in annotation:
            return scopes[key]
    return scopes["none"]


def test_L8_the_auditor_is_refused_by_every_rule_but_the_audit_reports_and_inventory_even_where_all_else_is_open():
    """Beyond the reports, the auditor may read the data inventory (which names no record) and end their own
    sessions; nothing that opens a case, a meeting or a document."""
    auditor = user(Role.AUDITOR)
    scopes = scopes_most_open_to(auditor)

    allowed = {rule.__name__ for rule in OBJECT_RULES.values() if rule(auditor, *arguments_for(rule, scopes))}

    assert allowed == {"may_run_audit_reports", "may_view_data_inventory", "may_end_session"}


@pytest.mark.parametrize("role", list(Role))
def test_L8_only_the_auditor_and_administrators_run_the_audit_reports(role):
    assert policy.may_run_audit_reports(user(role)) is (role in (Role.AUDITOR, Role.ADMIN))


@pytest.mark.parametrize("role", list(Role))
def test_D5_only_the_coordinator_reviews_retention_and_holds_a_case_they_may_see(role):
    coordinator = role is Role.COORDINATOR
    assert policy.may_review_retention(user(role)) is coordinator
    assert policy.may_hold_case(user(role), case()) is coordinator
    assert policy.may_hold_case(user(role, OTHER), case(excluded=True)) is coordinator
