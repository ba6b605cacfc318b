"""Assessments you can read and correct: the result lists every answer and comment beside the item's label, and
"Change answers" makes a new version (the old one kept), scored again, with the case's decision made again and
who changed it and why recorded."""

import re
import threading
from datetime import date

import pytest
from sqlalchemy import select

from access.models import AuditEvent, Role
from cases.models import Referral, ReferralState
from extensions import db
from risk import store as risk_store
from risk.models import Assessment, AssessmentStatus, Decision
from tests.cases.test_journey import count, refer, ric_answers, start_assessment, start_case
from tests.conftest import ON_POSTGRES, give_session
from tests.fuzzing import forms_on

REASON = "Q3 was recorded against Q4 by mistake"


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()).replace("&#39;", "'")


@pytest.fixture
def practitioner(sign_in_as):
    return sign_in_as(Role.PRACTITIONER, agency="Riverside IDVA Service")


def complete(client, case_id, answers: dict, tool="dash-ric") -> str:
    assessment_id = start_assessment(client, case_id, tool)
    response = client.post(
        client.url("cases.edit_assessment", case_id=case_id, assessment_id=assessment_id),
        data=answers | {"action": "complete"},
    )
    assert response.status_code == 302
    return assessment_id


def change_url(client, case_id, assessment_id) -> str:
    return client.url("cases.change_assessment_answers", case_id=case_id, assessment_id=assessment_id)


def result_url(client, case_id, assessment_id) -> str:
    return client.url("cases.view_assessment_result", case_id=case_id, assessment_id=assessment_id)


def change_form(client, case_id, assessment_id) -> dict[str, list[str]]:
    """What the change page would send as it stands: the current answers, comments and its one-time key."""
    url = change_url(client, case_id, assessment_id)
    page = client.get(url)
    assert page.status_code == 200
    (form,) = [form for form in forms_on(url, page.get_data(as_text=True)) if form.action == url]
    return dict(form.defaults)


def form_sent_back(response) -> tuple[str, dict[str, list[str]]]:
    """Where the change form on a page that came back posts to, and what it would send."""
    (form,) = [form for form in forms_on("/", response.get_data(as_text=True)) if "change_key" in form.defaults]
    return form.action, dict(form.defaults)


def send_change(client, case_id, assessment_id, form: dict, answers: dict, reason=REASON, **fields):
    data = form | answers | {"reason": reason} | fields
    return client.post(change_url(client, case_id, assessment_id), data=data)


def versions(app, case_id) -> list[Assessment]:
    with app.app_context():
        rows = db.session.scalars(select(Assessment).where(Assessment.case_id == case_id)).all()
        db.session.expunge_all()
        return sorted(rows, key=lambda row: row.supersedes_id is not None)


def new_version_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.location.split("/assessments/")[1].split("/")[0]


# Reading an assessment


def test_the_result_lists_every_item_with_its_number_label_answer_and_comment(app, client, practitioner):
    case_id = start_case(client)
    answers = ric_answers(15) | {"q2": "unknown", "q2_comment": "She would not say more today"}
    del answers["q24"]
    assessment_id = complete(client, case_id, answers)
    views_before = count(app, AuditEvent, AuditEvent.action == "case-viewed", AuditEvent.object_id == case_id)

    response = client.get(result_url(client, case_id, assessment_id))
    page = text_of(response)

    assert response.status_code == 200
    row = r'__key">(Q\d+[A-Z]?)\. ([^<]+)</dt>\s*<dd class="govuk-summary-list__value">([^<]+)'
    rows = re.findall(row, response.get_data(as_text=True))
    assert [number for number, _, _ in rows] == [f"Q{n}" for n in range(1, 25)]
    by_number = {number: (label, answer.strip()) for number, label, answer in rows}
    assert by_number["Q1"] == ("Injured in the current incident", "Yes")
    assert by_number["Q2"][1] == "Don&#39;t know"
    assert by_number["Q16"][1] == "No"
    assert by_number["Q24"][1] == "Not answered"
    assert "Comment: She would not say more today" in page
    assert not {answer.strip() for _, _, answer in rows} & {"yes", "no", "unknown"}
    views_after = count(app, AuditEvent, AuditEvent.action == "case-viewed", AuditEvent.object_id == case_id)
    assert views_after == views_before + 1


def test_a_choice_answer_is_shown_in_the_words_the_form_offered(app, client, sign_in_as):
    sign_in_as(Role.PRACTITIONER, agency="Northshire Police")
    case_id = start_case(client)
    assessment_id = complete(client, case_id, {"grade": "medium", "q1": "declined"}, tool="police-dash")

    page = text_of(client.get(result_url(client, case_id, assessment_id)))

    assert "Officer's risk grade Medium" in page
    assert "Q1. " in page and "Declined to answer" in page


def test_the_result_of_a_case_one_may_not_see_is_not_found_and_not_recorded_as_a_view(
    app, client, practitioner, make_user
):
    case_id = start_case(client)
    assessment_id = complete(client, case_id, ric_answers(15))
    outsider_id, _ = make_user(email="outsider@example.org", role=Role.PRACTITIONER, agency="Northshire Police")
    give_session(app, client, outsider_id)

    assert client.get(result_url(client, case_id, assessment_id)).status_code == 404
    assert count(app, AuditEvent, AuditEvent.action == "case-viewed", AuditEvent.user_id == outsider_id) == 0


# Changing the answers


def test_changing_answers_makes_a_scored_new_version_and_keeps_the_old_one_as_it_was(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15) | {"q3_comment": "Fears for the children"})
    with app.app_context():
        before = db.session.get(Assessment, old_id)
        old_answers, old_updated_at, old_version = dict(before.answers), before.updated_at, before.version_id
    decisions_before = count(app, Decision, Decision.case_id == case_id)

    form = change_form(client, case_id, old_id)
    assert form["q1"] == ["yes"] and form["q20"] == ["no"]
    assert form["q3_comment"] == ["Fears for the children"]
    assert re.fullmatch(r"[0-9a-f-]{36}", form["change_key"][0])
    new_id = new_version_id(send_change(client, case_id, old_id, form, {"q16": "yes", "q3_comment": "Corrected"}))

    old, new = versions(app, case_id)
    assert (old.id, new.id) == (old_id, new_id)
    assert old.answers == old_answers and old.result.score == 15
    assert (old.updated_at, old.version_id, old.supersedes_id, old.change_reason) == (
        old_updated_at,
        old_version,
        None,
        None,
    )
    assert new.supersedes_id == old_id and new.status is AssessmentStatus.COMPLETE
    assert new.result.score == 16 and new.answers["q16"] == "yes"
    assert new.comments == {"q3": "Corrected"}
    assert new.change_reason == REASON and new.changed_by_id == practitioner
    assert (new.assessed_on, new.agency_id, new.assessor_id) == (old.assessed_on, old.agency_id, old.assessor_id)
    assert count(app, Decision, Decision.case_id == case_id) == decisions_before + 1
    with app.app_context():
        changed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment-changed")).all()
        assert [(event.user_id, event.object_type, event.object_id) for event in changed] == [
            (practitioner, "assessment", new_id)
        ]
        for event in db.session.scalars(select(AuditEvent)):
            assert REASON not in repr([getattr(event, column) for column in AuditEvent.__table__.columns.keys()])


def test_the_case_and_both_results_show_which_version_replaced_which(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    new_id = new_version_id(send_change(client, case_id, old_id, change_form(client, case_id, old_id), {"q16": "yes"}))
    today = date.today().strftime("%-d %B %Y")

    case_page = client.get(client.url("cases.view_case", case_id=case_id)).get_data(as_text=True)
    old_page = text_of(client.get(result_url(client, case_id, old_id)))
    new_page = client.get(result_url(client, case_id, new_id))

    assert f"replaced by a later version on {today}" in case_page
    assert result_url(client, case_id, old_id) in case_page and result_url(client, case_id, new_id) in case_page
    assert f"replaced by a later version on {today}" in old_page and "See the latest version" in old_page
    assert "Change answers" not in old_page
    assert f"answers changed on {today}" in text_of_html(case_page)
    new_text = text_of(new_page)
    assert f"On {today} by Sam Worker, because: {REASON}" in new_text
    assert result_url(client, case_id, old_id) in new_page.get_data(as_text=True)
    assert "Change answers" in new_text


def test_the_case_history_keeps_both_versions_and_says_who_changed_the_answers_and_why(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    send_change(client, case_id, old_id, change_form(client, case_id, old_id), {"q16": "yes"})

    history = text_of(client.get(client.url("cases.view_case", case_id=case_id, kind="assessment")))

    assert history.count("Risk assessment: SafeLives DASH Risk Identification Checklist") == 2
    assert "Risk assessment: SafeLives DASH Risk Identification Checklist, answers changed" in history
    assert f"Why the answers were changed: {REASON}" in history
    assert "Its answers were later changed: see the later version." in history
    assert history.index("answers changed") < history.index("later changed")  # the change is newer


def text_of_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_decision_uses_only_the_latest_version_and_a_referral_made_on_the_old_one_stays(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    assert refer(client, case_id).status_code == 302
    with app.app_context():
        referral = db.session.scalars(select(Referral)).one()
        referral_before = (referral.id, referral.state, referral.criteria, referral.decision_id)

    form = change_form(client, case_id, old_id)
    lower = ric_answers(5)
    asked = send_change(client, case_id, old_id, form, lower)
    new_version_id(send_change(client, case_id, old_id, form_sent_back(asked)[1], lower))

    with app.app_context():
        latest = db.session.scalars(select(Decision).order_by(Decision.id.desc())).first()
        assert latest.eligible is False and latest.criteria == []
        referral = db.session.scalars(select(Referral)).one()
        assert (referral.id, referral.state, referral.criteria, referral.decision_id) == referral_before
        assert referral.state is ReferralState.RECEIVED
    case_page = text_of(client.get(client.url("cases.view_case", case_id=case_id)))
    assert "score 5 of 24" in case_page and "score 15 of 24" not in case_page


def test_a_change_that_lowers_the_tier_says_so_and_saves_nothing_until_confirmed(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    form = change_form(client, case_id, old_id)

    asked = send_change(client, case_id, old_id, form, ric_answers(10))
    page = text_of(asked)

    assert asked.status_code == 200
    assert "These answers lower the common risk tier from High to Medium" in page
    assert "Nothing is saved yet" in page and "Save the lower result" in page
    assert count(app, Assessment) == 1
    sent_back = form_sent_back(asked)[1]
    assert sent_back["reason"] == [REASON] and sent_back["q12"] == ["no"] and sent_back["q9"] == ["yes"]

    # Lowered further after the warning: asked again, with the new tier.
    again = send_change(client, case_id, old_id, sent_back, ric_answers(5))
    assert again.status_code == 200 and "from High to Standard" in text_of(again)
    assert count(app, Assessment) == 1

    new_id = new_version_id(send_change(client, case_id, old_id, form_sent_back(again)[1], ric_answers(5)))
    with app.app_context():
        assert db.session.get(Assessment, new_id).result.tier == 1


def test_a_change_that_keeps_or_raises_the_tier_is_saved_at_once(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(10))

    response = send_change(client, case_id, old_id, change_form(client, case_id, old_id), ric_answers(14))

    new_version_id(response)
    assert count(app, Assessment) == 2


def test_the_same_form_sent_twice_makes_one_version(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    form = change_form(client, case_id, old_id)

    first = send_change(client, case_id, old_id, form, {"q16": "yes"})
    second = send_change(client, case_id, old_id, form, {"q16": "yes"})

    assert new_version_id(first) == new_version_id(second)
    assert count(app, Assessment) == 2
    assert count(app, AuditEvent, AuditEvent.action == "assessment-changed") == 1


def test_a_missing_reason_is_asked_for_and_nothing_changes(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    decisions = count(app, Decision)

    response = send_change(
        client, case_id, old_id, change_form(client, case_id, old_id), {"q16": "yes", "q5_comment": "Typed"}, reason=" "
    )

    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page and "Enter why you are changing the answers" in page
    sent_back = form_sent_back(response)[1]
    assert sent_back["q16"] == ["yes"] and sent_back["q5_comment"] == ["Typed"]
    assert count(app, Assessment) == 1 and count(app, Decision) == decisions
    assert count(app, AuditEvent, AuditEvent.action == "assessment-changed") == 0


def test_a_stale_change_is_refused_plainly_and_keeps_what_was_typed(app, client, practitioner, make_user):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    colleague = app.test_client()
    colleague_id, _ = make_user(email="colleague@example.org", name="Alex Colleague", agency="Riverside IDVA Service")
    give_session(app, colleague, colleague_id)
    mine, theirs = change_form(client, case_id, old_id), change_form(colleague, case_id, old_id)

    their_version = new_version_id(send_change(colleague, case_id, old_id, theirs, {"q17": "yes"}, reason="Theirs"))
    refused = send_change(
        client, case_id, old_id, mine, {"q16": "yes", "q5_comment": "My typed comment"}, reason="My typed reason"
    )

    assert refused.status_code == 409
    page = text_of(refused)
    assert "Someone else changed these answers while you had this page open" in page
    assert "Alex Colleague saved a new version" in page and "Nothing you typed has been saved" in page
    assert count(app, Assessment) == 2
    action, typed = form_sent_back(refused)
    assert action == change_url(client, case_id, their_version)
    assert typed["reason"] == ["My typed reason"] and typed["q5_comment"] == ["My typed comment"]
    assert typed["q16"] == ["yes"] and typed["change_key"] != mine["change_key"]

    mine_now = new_version_id(client.post(action, data=typed))
    with app.app_context():
        assert db.session.get(Assessment, mine_now).supersedes_id == their_version


def test_an_older_version_opens_the_change_of_the_latest_and_a_draft_opens_its_own_form(app, client, practitioner):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    new_id = new_version_id(send_change(client, case_id, old_id, change_form(client, case_id, old_id), {"q16": "yes"}))
    draft_id = start_assessment(client, case_id)

    assert client.get(change_url(client, case_id, old_id)).location == change_url(client, case_id, new_id)
    assert client.get(change_url(client, case_id, draft_id)).location == client.url(
        "cases.edit_assessment", case_id=case_id, assessment_id=draft_id
    )


@pytest.mark.parametrize(
    ("role", "agency", "status"),
    [
        (Role.PRACTITIONER, "Northshire Police", 404),
        (Role.AGENCY_REP, "Northshire Police", 404),
        (Role.CHAIR, "Riverside IDVA Service", 403),
        (Role.ADMIN, "Riverside IDVA Service", 403),
    ],
)
def test_only_those_who_may_change_the_case_may_change_its_answers(
    app, client, practitioner, make_user, role, agency, status
):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    form = change_form(client, case_id, old_id)
    other_id, _ = make_user(email=f"other-{role.value}@example.org", role=role, agency=agency)
    other = app.test_client()
    give_session(app, other, other_id)

    assert other.get(change_url(other, case_id, old_id)).status_code == status
    assert send_change(other, case_id, old_id, form, {"q16": "yes"}).status_code == status
    assert count(app, Assessment) == 1
    if role is Role.CHAIR:
        assert "Change answers" not in text_of(other.get(result_url(other, case_id, old_id)))


def test_the_coordinator_may_change_answers(app, client, practitioner, make_user):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    coordinator_id, _ = make_user(email="coordinator@example.org", role=Role.COORDINATOR, agency="MARAC Team")
    coordinator = app.test_client()
    give_session(app, coordinator, coordinator_id)

    assert "Change answers" in text_of(coordinator.get(result_url(coordinator, case_id, old_id)))
    new_id = new_version_id(
        send_change(coordinator, case_id, old_id, change_form(coordinator, case_id, old_id), {"q16": "yes"})
    )
    old, new = versions(app, case_id)
    assert new.id == new_id and new.changed_by_id == coordinator_id
    assert (new.assessor_id, new.agency_id) == (old.assessor_id, old.agency_id)


@pytest.fixture
def hold_until_both_looked(monkeypatch):
    """Armed once the forms are open: on PostgreSQL, holds both requests until each has found no later version,
    so both go on to insert one and the unique columns decide. SQLite serialises writers, so the second simply
    finds the first's."""

    def arm() -> list[str]:
        calls = []
        if not ON_POSTGRES:
            return calls
        both_looked = threading.Barrier(2, timeout=60)
        real_lookup = risk_store.get_next_version

        def lookup_then_wait(assessment_id):
            found = real_lookup(assessment_id)
            calls.append(assessment_id)
            if len(calls) <= 2:
                both_looked.wait()
            return found

        monkeypatch.setattr(risk_store, "get_next_version", lookup_then_wait)
        return calls

    return arm


def send_at_once(sends) -> list:
    responses = [None] * len(sends)

    def run(index, send):
        responses[index] = send()

    threads = [threading.Thread(target=run, args=(index, send)) for index, send in enumerate(sends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


@pytest.mark.parametrize("same_form", [True, False], ids=["one form sent twice", "two people"])
def test_changes_sent_at_once_make_one_version(app, client, practitioner, make_user, hold_until_both_looked, same_form):
    case_id = start_case(client)
    old_id = complete(client, case_id, ric_answers(15))
    colleague = app.test_client()
    colleague_id, _ = make_user(email="colleague@example.org", agency="Riverside IDVA Service")
    give_session(app, colleague, colleague_id)
    mine = change_form(client, case_id, old_id)
    theirs = mine if same_form else change_form(colleague, case_id, old_id)
    looked = hold_until_both_looked()

    responses = send_at_once(
        [
            lambda: send_change(client, case_id, old_id, mine, {"q16": "yes"}),
            lambda: send_change(colleague, case_id, old_id, theirs, {"q17": "yes"}),
        ]
    )

    assert count(app, Assessment) == 2
    assert count(app, AuditEvent, AuditEvent.action == "assessment-changed") == 1
    statuses = sorted(response.status_code for response in responses)
    if same_form:
        assert statuses == [302, 302] and responses[0].location == responses[1].location
    else:
        assert statuses == [302, 409]
    if ON_POSTGRES:  # both found no later version, so both inserted one and the unique columns refused the second
        assert len(looked) >= 2
