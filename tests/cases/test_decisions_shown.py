"""What the pages say about a decision (issue 14): what met each criterion, which assessments are no
longer current, what is missing from an assessment, and every unchecked rule a result or decision
relies on, on the result page, the case, the referral pages and the coordinator's view."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from access.models import Role
from cases import store as cases_store
from cases.models import Referral
from extensions import db
from risk.models import Assessment, AssessmentStatus
from tests.cases.test_journey import complete_ric, refer, ric_answers, start_case

TODAY = date.today()
DARA_RULE = "Grade standard / medium / high to common tiers 1 / 2 / 3 is our proposal"
SERIOUS_UNANSWERED = "Items about serious risk factors are unanswered"


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()).replace("&#39;", "'")


@pytest.fixture
def practitioner(sign_in_as):
    return sign_in_as(Role.PRACTITIONER, agency="Northshire Police")


def assess(client, case_id, tool, answers, on=TODAY):
    started = client.post(
        client.url("cases.start_assessment", case_id=case_id),
        data={"tool": tool, "assessed_on": [str(on.day), str(on.month), str(on.year)]},
    )
    assessment_id = started.location.rsplit("/", 1)[-1]
    completed = client.post(
        client.url("cases.edit_assessment", case_id=case_id, assessment_id=assessment_id),
        data=answers | {"action": "complete"},
    )
    assert completed.status_code == 302, completed.get_data(as_text=True)[:500]
    return assessment_id


def test_a_dara_result_names_its_unchecked_rules_on_every_page_that_shows_it(app, client, practitioner, sign_in_as):
    case_id = start_case(client)
    assessment_id = assess(client, case_id, "dara", {"grade": "high"})

    result = text_of(
        client.get(client.url("cases.view_assessment_result", case_id=case_id, assessment_id=assessment_id))
    )
    case = text_of(client.get(client.url("cases.view_case", case_id=case_id)))
    referral_form = text_of(client.get(client.url("cases.refer_case", case_id=case_id)))
    sent = text_of(client.get(refer(client, case_id).location))
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    sign_in_as(Role.COORDINATOR, agency="Riverside IDVA Service")
    coordinator_view = text_of(client.get(client.url("meetings.view_referral", referral_id=referral_id)))

    for page in (result, case, referral_form, sent, coordinator_view):
        assert DARA_RULE in page
        assert "High risk on any other tool, or on the police grade, counts as visible high risk" in page
    assert "needs the coordinator's confirmation" in coordinator_view
    assert "accepting the referral confirms it" in coordinator_view


def test_serious_items_left_unanswered_are_named_on_the_result_the_referral_and_the_decision(app, client, practitioner):
    case_id = start_case(client)
    answers = ric_answers(14) | {f"q{number}": "unknown" for number in range(15, 25)}
    assessment_id = assess(client, case_id, "dash-ric", answers)

    result = text_of(
        client.get(client.url("cases.view_assessment_result", case_id=case_id, assessment_id=assessment_id))
    )
    case = text_of(client.get(client.url("cases.view_case", case_id=case_id)))
    referral_form = text_of(client.get(client.url("cases.refer_case", case_id=case_id)))
    sent = text_of(client.get(refer(client, case_id).location))

    assert "Items about serious risk factors have no yes or no answer" in result
    for page in (case, referral_form, sent):
        assert SERIOUS_UNANSWERED in page
    with app.app_context():
        referral = db.session.scalars(select(Referral)).one()
        assert "incomplete-assessment" in {prompt["code"] for prompt in referral.decision.prompts}


def test_each_assessment_that_met_a_criterion_is_named_and_linked(client, practitioner):
    case_id = start_case(client)
    complete_ric(client, case_id, 16)
    complete_ric(client, case_id, 4)

    page = client.get(client.url("cases.view_case", case_id=case_id)).get_data(as_text=True)

    assert re.search(
        r'<a class="govuk-link" href="/cases/[^"]+/result">SafeLives DASH Risk Identification Checklist of [^<]+: 16 '
        r"yes answers</a>",
        page,
    )
    assert "4 yes answers" not in page


def test_an_assessment_older_than_the_window_stays_in_the_history_marked_no_longer_current(client, practitioner):
    case_id = start_case(client)
    assess(client, case_id, "dash-ric", ric_answers(18), on=TODAY - timedelta(days=40))

    page = text_of(client.get(client.url("cases.view_case", case_id=case_id)))

    assert "score 18 of 24, band high, tier high, no longer current" in page
    assert "Meets MARAC criteria No" in page
    assert "Reassess with the victim" in page


def test_the_form_refuses_not_applicable_on_an_item_that_may_not_be_and_saves_nothing(app, client, practitioner):
    case_id = start_case(client)
    started = client.post(
        client.url("cases.start_assessment", case_id=case_id),
        data={"tool": "dash-ric", "assessed_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)]},
    )
    assessment_id = started.location.rsplit("/", 1)[-1]

    response = client.post(
        client.url("cases.edit_assessment", case_id=case_id, assessment_id=assessment_id),
        data=ric_answers(14) | {"q1": "not-applicable", "action": "complete"},
    )

    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert (assessment.status, assessment.answers) == (AssessmentStatus.DRAFT, {})


def test_a_referral_records_the_perpetrators_of_its_case(app, client, practitioner):
    case_id = start_case(client)
    client.post(
        client.url("cases.add_party", case_id=case_id),
        data={"given_name": "Pat", "family_name": "Harm", "role": "perpetrator"},
    )
    complete_ric(client, case_id, 15)

    refer(client, case_id)

    with app.app_context():
        referral = db.session.scalars(select(Referral)).one()
        assert referral.perpetrator_ids == sorted(cases_store.perpetrator_ids(referral.case))
        assert len(referral.perpetrator_ids) == 1


def test_the_decision_speaks_in_words_not_codes(client, practitioner):
    case_id = start_case(client)
    complete_ric(client, case_id, 15)

    page = text_of(client.get(client.url("cases.view_case", case_id=case_id)))

    assert "High (from SafeLives DASH Risk Identification Checklist)" in page
    assert "Refer to the MARAC; Refer to an IDVA" in page
    for code in ("assessment:dash-ric", "marac-referral", "idva-referral", "visible-high-risk"):
        assert code not in page
