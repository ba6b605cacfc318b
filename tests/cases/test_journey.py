"""The practitioner journey through the pages, as a person would take it."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role
from cases.models import Case, Person, Referral
from extensions import db
from risk.models import Assessment, AssessmentStatus, Decision, ProfessionalJudgement

TODAY = date.today()
DOB = ["1", "5", "1990"]


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def start_case(client, given="Jane", family="Doe", dob=DOB) -> str:
    response = client.post(
        client.url("cases.find_victim"),
        data={"given_name": given, "family_name": family, "date_of_birth": dob, "action": "add"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.location.rsplit("/", 1)[-1]


def start_assessment(client, case_id, tool="dash-ric") -> str:
    response = client.post(
        client.url("cases.start_assessment", case_id=case_id),
        data={"tool": tool, "assessed_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.location.rsplit("/", 1)[-1]


def ric_answers(yes: int) -> dict:
    return {f"q{number}": ("yes" if number <= yes else "no") for number in range(1, 25)}


def complete_ric(client, case_id, yes: int):
    assessment_id = start_assessment(client, case_id)
    return client.post(
        client.url("cases.edit_assessment", case_id=case_id, assessment_id=assessment_id),
        data=ric_answers(yes) | {"action": "complete"},
    )


@pytest.fixture
def practitioner(sign_in_as):
    return sign_in_as(Role.PRACTITIONER, agency="Riverside IDVA Service")


def test_search_then_add_a_new_victim_starts_a_case_and_views_are_audited(app, client, practitioner):
    search = client.post(
        client.url("cases.find_victim"),
        data={"given_name": "Jane", "family_name": "Doe", "date_of_birth": DOB, "action": "search"},
    )
    assert "No one like this is known to the MARAC" in search.get_data(as_text=True)
    assert count(app, Person) == 0

    case_id = start_case(client)
    page = client.get(client.url("cases.view_case", case_id=case_id))

    assert page.status_code == 200
    assert "Start a risk assessment" in page.get_data(as_text=True)
    assert count(app, AuditEvent, AuditEvent.action == "case-viewed", AuditEvent.object_id == case_id) == 1


def test_a_known_person_is_suggested_by_the_name_typed_and_her_year_of_birth_only(client, practitioner):
    start_case(client, "Jane", "Smith")

    search = client.post(
        client.url("cases.find_victim"),
        data={"given_name": "Jane", "family_name": "Smyth", "date_of_birth": DOB, "action": "search"},
    )

    page = search.get_data(as_text=True)
    assert "Possible matches" in page
    assert "Jane Smyth" in page and "born in 1990" in page
    assert "Jane Smith" not in page and "surname spelt differently" not in page
    assert "This is the same person" in page


def test_a_draft_keeps_answers_exactly_as_entered_and_comes_back(app, client, practitioner):
    case_id = start_case(client)
    assessment_id = start_assessment(client, case_id)
    url = client.url("cases.edit_assessment", case_id=case_id, assessment_id=assessment_id)

    saved = client.post(
        url, data={"q1": "yes", "q2": "unknown", "q2_comment": "Did not want to say", "action": "draft"}
    )

    assert saved.status_code == 302
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.status is AssessmentStatus.DRAFT
        assert assessment.answers == {"q1": "yes", "q2": "unknown"}
        assert assessment.comments == {"q2": "Did not want to say"}
    again = client.get(url).get_data(as_text=True)
    assert "Draft saved" in again
    assert re.search(r'value="yes"\s+checked|checked[^>]*value="yes"', again)


def test_completing_shows_the_result_and_the_criteria(client, practitioner):
    case_id = start_case(client)

    response = complete_ric(client, case_id, 15)
    result = client.get(response.location).get_data(as_text=True)

    assert "15 of 24" in result
    assert "High" in result
    assert "Yes: Visible high risk (checklist score)" in result
    assert "Refer to MARAC" in result


def test_police_officers_see_the_police_dash_first(client, sign_in_as):
    sign_in_as(Role.PRACTITIONER, agency="Northshire Police")
    case_id = start_case(client)

    page = client.get(client.url("cases.start_assessment", case_id=case_id)).get_data(as_text=True)

    assert page.index("Police DASH") < page.index("SafeLives DASH")


# What every referral must say, beside the consent questions a test may vary.
REFERRAL_TEXT = {
    "risk_summary": "Threats to kill after she left; he has been to her work twice.",
    "victim_wants": "To be safe at work and for the children to keep seeing their grandmother.",
    "referrer_phone": "01632 960 111",
    "referrer_email": "referrer@example.org",
    "perpetrator_not_known": "y",
}


def refer(client, case_id, key="11111111-1111-4111-8111-111111111111", **fields):
    data = {"idempotency_key": key, "victim_informed": "yes", "consent_given": "yes"} | REFERRAL_TEXT | fields
    return client.post(client.url("cases.refer_case", case_id=case_id), data=data)


def test_a_referral_is_made_once_however_often_the_form_is_sent(app, client, practitioner):
    case_id = start_case(client)
    complete_ric(client, case_id, 14)

    first = refer(client, case_id)
    second = refer(client, case_id)

    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert count(app, Referral) == 1
    assert count(app, Decision) == 2  # one when the assessment was completed, one for the referral
    with app.app_context():
        referral = db.session.scalars(select(Referral)).one()
        assert referral.criteria == ["visible-high-risk"]
        assert db.session.get(Case, case_id).repeat_watch_ends is not None


def test_referring_without_consent_needs_a_reason_and_saves_nothing_until_given(app, client, practitioner):
    case_id = start_case(client)
    complete_ric(client, case_id, 14)

    refused = refer(client, case_id, consent_given="no")

    assert refused.status_code == 200
    assert "Enter why you are referring without the victim" in refused.get_data(as_text=True)
    assert count(app, Referral) == 0
    assert (
        refer(
            client, case_id, consent_given="no", no_consent_reason="Risk of serious harm; perpetrator monitors phone"
        ).status_code
        == 302
    )
    assert count(app, Referral) == 1


def test_a_case_that_is_not_eligible_cannot_be_referred(app, client, practitioner):
    case_id = start_case(client)
    complete_ric(client, case_id, 5)

    page = refer(client, case_id)

    assert page.status_code == 200
    assert "cannot be referred yet" in page.get_data(as_text=True)
    assert count(app, Referral) == 0


def test_professional_judgement_with_reasons_makes_a_case_eligible(app, client, practitioner):
    case_id = start_case(client)
    complete_ric(client, case_id, 9)

    missing = client.post(client.url("cases.record_judgement", case_id=case_id), data={"tier": "3", "rationale": "  "})
    assert "Enter the reasons for your judgement" in missing.get_data(as_text=True)
    assert count(app, ProfessionalJudgement) == 0

    client.post(
        client.url("cases.record_judgement", case_id=case_id),
        data={"tier": "3", "rationale": "Threats to kill since she left"},
    )

    assert "professional-judgement" in client.get(client.url("cases.view_case", case_id=case_id)).get_data(as_text=True)
    assert refer(client, case_id).status_code == 302


@pytest.mark.parametrize(
    ("endpoint", "data", "message"),
    [
        (
            "cases.find_victim",
            {"given_name": "", "family_name": "Doe", "action": "add"},
            "Enter the person&#39;s given name",
        ),
        (
            "cases.find_victim",
            {"given_name": "Jane", "family_name": "Doe", "postcode": "not a postcode", "action": "add"},
            "Enter a real postcode",
        ),
        (
            "cases.find_victim",
            {"given_name": "Jane", "family_name": "Doe", "date_of_birth": ["31", "2", "1990"], "action": "add"},
            "Not a valid date value",
        ),
        (
            "cases.find_victim",
            {"given_name": "Jane", "family_name": "Doe", "date_of_birth": ["1", "5"], "action": "add"},
            "Enter the date as a day, month and year",
        ),
    ],
)
def test_bad_input_on_the_victim_form_says_what_to_fix_and_saves_nothing(
    app, client, practitioner, endpoint, data, message
):
    response = client.post(client.url(endpoint), data=data)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, Person) == 0


def test_an_incident_needs_a_date_and_a_type(app, client, practitioner):
    case_id = start_case(client)

    response = client.post(client.url("cases.add_incident", case_id=case_id), data={})

    page = response.get_data(as_text=True)
    assert "Enter the date of the incident" in page
    assert "Choose what kind of incident it was" in page


def test_every_change_to_the_facts_keeps_the_decision_it_led_to(app, client, practitioner):
    case_id = start_case(client)
    complete_ric(client, case_id, 9)
    client.post(
        client.url("cases.record_judgement", case_id=case_id), data={"tier": "3", "rationale": "Threats to kill"}
    )
    client.post(
        client.url("cases.add_incident", case_id=case_id),
        data={"occurred_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)], "type": "threats", "agency_id": "1"},
    )

    with app.app_context():
        decisions = db.session.scalars(select(Decision).where(Decision.case_id == case_id).order_by(Decision.id)).all()
        assert [decision.eligible for decision in decisions] == [False, True, True]
        assert [decision.criteria for decision in decisions] == [
            [],
            ["professional-judgement"],
            ["professional-judgement"],
        ]
        assert all(decision.ruleset == "safelives-2026.1" for decision in decisions)


def test_a_persons_other_names_dates_and_diversity_details_are_recorded(app, client, practitioner):
    case_id = start_case(client)
    with app.app_context():
        victim_id = db.session.get(Case, case_id).victim_id
    url = client.url("cases.edit_person", case_id=case_id, person_id=victim_id)

    bad = client.post(url, data={"date_of_birth_variants": "5th May"})
    assert "Enter dates like 1990-05-01" in bad.get_data(as_text=True)

    saved = client.post(
        url,
        data={
            "aliases": "Janey Doe,  J Smith ",
            "date_of_birth_variants": "1990-01-05, 1990",
            "ethnicity": "Asian or Asian British",
            "interpreter_needed": "yes",
            "language": "Bengali",
        },
    )

    assert saved.status_code == 302
    with app.app_context():
        victim = db.session.get(Person, victim_id)
        assert victim.aliases == ["Janey Doe", "J Smith"]
        assert victim.date_of_birth_variants == ["1990-01-05", "1990"]
        assert (victim.ethnicity, victim.language, victim.interpreter_needed, victim.gender) == (
            "Asian or Asian British",
            "Bengali",
            True,
            None,
        )


def test_only_people_in_the_case_can_be_edited_through_it(app, client, practitioner):
    case_id = start_case(client)
    other_case = start_case(client, "Someone", "Else")
    with app.app_context():
        other_victim = db.session.get(Case, other_case).victim_id

    assert client.get(client.url("cases.edit_person", case_id=case_id, person_id=other_victim)).status_code == 404


def test_choosing_a_suggested_person_proposes_the_link_but_no_one_else_can_be_chosen(app, client, practitioner):
    first_case = start_case(client, "Jane", "Smith")
    other_case = start_case(client, "Zed", "Unrelated", ["9", "9", "1999"])
    with app.app_context():
        known = db.session.get(Case, first_case).victim_id
        stranger = db.session.get(Case, other_case).victim_id
    search = {"given_name": "Jane", "family_name": "Smyth", "date_of_birth": DOB}

    refused = client.post(client.url("cases.find_victim"), data=search | {"action": f"use:{stranger}"})
    chosen = client.post(client.url("cases.find_victim"), data=search | {"action": f"use:{known}"})

    assert refused.status_code == 400
    assert chosen.status_code == 302
    with app.app_context():
        new_case = db.session.get(Case, chosen.location.rsplit("/", 1)[-1])
        assert (new_case.proposed_victim_id, new_case.victim.family_name) == (known, "Smyth")
    assert count(app, Case) == 3
