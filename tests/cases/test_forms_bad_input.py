"""Every journey form: empty or arbitrary input gets a message, never an error page, and saves nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from access.models import Role
from cases.models import Case, CaseParty, Incident, Person, Referral, SafeContact
from extensions import db
from risk.models import Assessment, Decision, ProfessionalJudgement
from tests.cases.test_journey import complete_ric, start_assessment, start_case

ROWS = (Person, Case, CaseParty, Incident, Assessment, ProfessionalJudgement, Decision, Referral, SafeContact)
FORM_PAGES = [
    "cases.add_party",
    "cases.start_assessment",
    "cases.record_judgement",
    "cases.add_incident",
    "cases.refer_case",
    "cases.edit_safe_contact",
]
FIELD_NAMES = [
    "given_name",
    "family_name",
    "date_of_birth",
    "postcode",
    "role",
    "tool",
    "assessed_on",
    "tier",
    "rationale",
    "occurred_on",
    "type",
    "agency_id",
    "reference",
    "idempotency_key",
    "victim_informed",
    "consent_given",
    "no_consent_reason",
    "phone",
    "safe_to_call",
    "safe_address",
    "action",
    "q1",
    "q99",
]
VALUES = st.text(max_size=30) | st.sampled_from(
    ["", "yes", "no", "3", "99", "-1", "31", "2", "1990", "<script>x</script>", "dash-ric"]
)


def row_counts(app) -> dict:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in ROWS}


@pytest.fixture
def case_for_coordinator(app, client, sign_in_as):
    sign_in_as(Role.COORDINATOR)
    case_id = start_case(client)
    complete_ric(client, case_id, 14)
    return case_id


@pytest.mark.parametrize("endpoint", FORM_PAGES)
def test_an_empty_form_says_what_to_fix_and_saves_nothing(app, client, case_for_coordinator, endpoint):
    before = row_counts(app)

    response = client.post(client.url(endpoint, case_id=case_for_coordinator), data={})

    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert row_counts(app) == before


def test_an_empty_assessment_draft_is_allowed_but_a_bad_answer_is_refused(app, client, case_for_coordinator):
    assessment_id = start_assessment(client, case_for_coordinator)
    url = client.url("cases.edit_assessment", case_id=case_for_coordinator, assessment_id=assessment_id)

    refused = client.post(url, data={"q1": "perhaps", "action": "complete"})

    assert refused.status_code == 200
    assert "There is a problem" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Assessment, assessment_id).answers == {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    endpoint=st.sampled_from(FORM_PAGES + ["cases.find_victim"]),
    data=st.dictionaries(st.sampled_from(FIELD_NAMES), st.lists(VALUES, min_size=1, max_size=3), max_size=8),
)
def test_arbitrary_input_never_gives_an_error_page(app, client, case_for_coordinator, endpoint, data):
    values = {} if endpoint == "cases.find_victim" else {"case_id": case_for_coordinator}

    response = client.post(client.url(endpoint, **values), data=data)

    assert response.status_code in (200, 302, 400)
    body = response.get_data(as_text=True)
    assert "<script>x</script>" not in body
