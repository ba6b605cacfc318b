"""Issue 17, the referral form the MARAC asks for: the person causing harm, children and household, her
details, the risk summary, what she wants, the referrer's contacts and other agencies; kept as a draft
while typed; and put right before triage."""

from sqlalchemy import func, select, text

from access.models import AuditEvent, Role
from cases.models import CaseParty, Person, Referral, ReferralDraft
from extensions import db
from tests.cases.test_case_access import sign_in_with
from tests.cases.test_journey import REFERRAL_TEXT, complete_ric, refer, start_case
from tests.cases.test_referral_status import case_page, only_referral_of, referrer_and_case
from tests.meetings.test_queue import only_referral

PERPETRATOR = {
    "person-role": "perpetrator",
    "person-given_name": "Daniel",
    "person-family_name": "Reeve",
    "person-aliases": "Danny Reeve, D Rivers",
    "person-date_of_birth": ["2", "7", "1988"],
    "person-relationship_to_victim": "ex-partner",
}
WITHOUT_PERPETRATOR = REFERRAL_TEXT | {"perpetrator_not_known": ""}


def refer_url(client, case_id) -> str:
    return client.url("cases.refer_case", case_id=case_id)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audit_count(app, action: str) -> int:
    return count(app, AuditEvent, AuditEvent.action == action)


def test_the_form_asks_for_everything_the_marac_needs(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    page = referrer.get(refer_url(referrer, case_id)).get_data(as_text=True)

    for asked in (
        "The person causing harm, children and others in the household",
        "Relationship to the victim",
        "Her address",
        "Postcode",
        "Other names used",
        "Other dates of birth",
        "Diversity details for the quarterly data return",
        "Your summary of the risk",
        "What the victim wants from the MARAC",
        "Has the victim been told about the referral?",
        "Your phone number",
        "Your e-mail address",
        "Other agencies involved",
        "People who must not receive information about this case",
    ):
        assert asked in page, asked
    assert 'value="referrer@example.org"' in page  # her own address, filled in


def test_a_referral_naming_no_person_causing_harm_is_refused_unless_the_referrer_says_none_can_be(app, make_user):
    """The finding: agencies were asked to research "Person causing harm: None recorded" because the form
    never asked for one."""
    referrer, case_id = referrer_and_case(app, make_user)

    refused = refer(referrer, case_id, **WITHOUT_PERPETRATOR)

    assert refused.status_code == 200
    assert "Name the person causing harm below, or tick the box" in refused.get_data(as_text=True)
    assert count(app, Referral) == 0
    assert refer(referrer, case_id, perpetrator_not_known="y").status_code == 302
    assert only_referral_of(app, case_id).perpetrator_not_known is True


def test_the_perpetrator_named_on_the_form_is_on_the_case_and_the_referral(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    response = refer(referrer, case_id, **WITHOUT_PERPETRATOR, **PERPETRATOR)

    assert response.status_code == 302
    referral = only_referral_of(app, case_id)
    with app.app_context():
        party = db.session.scalars(select(CaseParty).where(CaseParty.case_id == case_id)).one()
        person = db.session.get(Person, party.person_id)
        assert (party.role.value, party.relationship_to_victim) == ("perpetrator", "ex-partner")
        assert (person.given_name, person.aliases, person.date_of_birth.isoformat()) == (
            "Daniel",
            ["Danny Reeve", "D Rivers"],
            "1988-07-02",
        )
        assert referral.perpetrator_ids == [person.id]
    assert "Person causing harm: Daniel Reeve (ex-partner), born 2 July 1988, also known as Danny Reeve, D Rivers" in (
        case_page(referrer, case_id)
    )


def test_what_the_referral_says_is_kept_on_it_and_shown_to_the_referrer(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    response = refer(
        referrer,
        case_id,
        referrer_phone="07700 900123",
        other_agencies_note="Riverside food bank",
        **{"victim-address": "12 Canal Street, Riverside", "victim-postcode": "rv1 2ab", "victim-aliases": "Bee"},
    )

    referral = only_referral_of(app, case_id)
    assert (referral.risk_summary, referral.victim_wants) == (
        REFERRAL_TEXT["risk_summary"],
        REFERRAL_TEXT["victim_wants"],
    )
    assert (referral.referrer_phone, referral.referrer_email) == ("07700 900123", "referrer@example.org")
    assert referral.other_agencies_note == "Riverside food bank"
    with app.app_context():
        victim = db.session.scalars(select(Person)).one()
        assert (victim.address, victim.postcode, victim.aliases) == ("12 Canal Street, Riverside", "RV1 2AB", ["Bee"])
        stored = db.session.execute(text("SELECT address FROM person")).scalar_one()
    assert "Canal Street" not in stored  # SECURITY D4: sealed in the database
    made = referrer.get(response.location).get_data(as_text=True)
    assert REFERRAL_TEXT["risk_summary"].replace("'", "&#39;") in made
    assert "07700 900123" in made
    assert "Canal Street" not in made  # her address is not repeated on the referral page


def test_the_risk_summary_what_she_wants_and_a_way_to_reach_the_referrer_are_required(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    refused = refer(referrer, case_id, risk_summary="", victim_wants=" ", referrer_phone="", referrer_email="x@")

    page = refused.get_data(as_text=True)
    assert "Enter your summary of the risk" in page
    assert "Enter what the victim wants from the MARAC" in page
    assert "Enter a phone number the coordinator can reach you on" in page
    assert "Enter an e-mail address like name@example.org" in page
    assert count(app, Referral) == 0


def test_the_phone_number_given_last_time_is_filled_in_on_the_next_referral(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id, referrer_phone="07700 900456")
    second_case = start_case(referrer, given="Ann", family="Other")
    complete_ric(referrer, second_case, 15)

    page = referrer.get(refer_url(referrer, second_case)).get_data(as_text=True)

    assert 'value="07700 900456"' in page


# --- the draft -------------------------------------------------------------------------------------------


def save_draft(client, case_id, **fields):
    return client.post(client.url("cases.save_referral_draft", case_id=case_id), data=fields)


def test_what_is_typed_is_kept_as_a_draft_that_only_its_author_sees_and_sending_clears_it(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    saved = save_draft(referrer, case_id, risk_summary="He said he would find her wherever she went.")

    assert saved.status_code == 200 and "saved_at" in saved.get_json()
    reopened = referrer.get(refer_url(referrer, case_id)).get_data(as_text=True)
    assert "He said he would find her wherever she went." in reopened
    assert "Carrying on from your draft" in reopened
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    assert "find her wherever" not in coordinator.get(refer_url(coordinator, case_id)).get_data(as_text=True)

    refer(referrer, case_id)

    assert count(app, ReferralDraft) == 0


def test_a_form_refused_on_sending_is_shown_again_as_typed_and_writes_nothing(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    refused = refer(referrer, case_id, victim_wants="", risk_summary="Strangled her last week.")

    assert "Strangled her last week." in refused.get_data(as_text=True)
    assert count(app, ReferralDraft) == 0 and count(app, Referral) == 0


def test_a_draft_kept_as_it_is_typed_is_not_recorded_as_a_look_at_the_case_each_time(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    views_before = count(app, AuditEvent, AuditEvent.action == "case-viewed")

    for typed in ("He", "He said", "He said he would"):
        assert save_draft(referrer, case_id, risk_summary=typed).status_code == 200

    assert count(app, AuditEvent, AuditEvent.action == "case-viewed") == views_before


def test_a_draft_for_a_case_one_may_not_change_is_not_found(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    other = app.test_client()
    sign_in_with(app, other, make_user, Role.PRACTITIONER, email="other@example.org", agency="Riverside Housing")

    assert save_draft(other, case_id, risk_summary="Not mine").status_code == 404
    assert count(app, ReferralDraft) == 0


def test_a_draft_too_long_to_keep_is_refused_with_a_message(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    refused = save_draft(referrer, case_id, risk_summary="x" * 100_001)

    assert refused.status_code == 400
    assert "too long" in refused.get_json()["error"]
    assert count(app, ReferralDraft) == 0


def test_adding_a_person_from_the_form_puts_them_on_the_case_and_keeps_the_rest(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    added = referrer.post(
        refer_url(referrer, case_id),
        data={"action": "add-person", "risk_summary": "Typed before adding."} | PERPETRATOR,
    )

    assert added.status_code == 302
    assert count(app, CaseParty, CaseParty.case_id == case_id) == 1
    reopened = referrer.get(refer_url(referrer, case_id)).get_data(as_text=True)
    assert "Typed before adding." in reopened
    assert "Daniel Reeve (person causing harm): relationship to the victim" in reopened


def test_adding_a_person_with_no_name_says_what_to_fix(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)

    refused = referrer.post(refer_url(referrer, case_id), data={"action": "add-person", "person-role": "child"})

    assert "Enter the person&#39;s given name" in refused.get_data(as_text=True)
    assert count(app, CaseParty) == 0


# --- correcting before triage ----------------------------------------------------------------------------


def correct_url(client, case_id, referral_id) -> str:
    return client.url("cases.correct_referral", case_id=case_id, referral_id=referral_id)


def correct(client, case_id, referral, **fields):
    data = {
        "idempotency_key": referral.idempotency_key,
        "version": str(referral.version_id),
        "victim_informed": "yes",
        "consent_given": "yes",
    }
    return client.post(correct_url(client, case_id, referral.id), data=data | REFERRAL_TEXT | fields)


def test_the_referrer_corrects_a_referral_before_triage_and_the_coordinator_sees_the_correction(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    referral = only_referral_of(app, case_id)
    form = referrer.get(correct_url(referrer, case_id, referral.id)).get_data(as_text=True)
    assert REFERRAL_TEXT["victim_wants"] in form

    response = correct(referrer, case_id, referral, victim_wants="To move to her sister's in Eastbridge.")

    assert response.status_code == 302
    corrected = only_referral_of(app, case_id)
    assert corrected.victim_wants == "To move to her sister's in Eastbridge."
    assert corrected.corrected_at is not None
    assert corrected.state_changed_at == referral.state_changed_at  # a correction is not a change of state
    assert audit_count(app, "referral-corrected") == 1
    assert count(app, Referral) == 1
    assert "Referral corrected by the referrer" in case_page(referrer, case_id)


def test_a_correction_sent_after_the_coordinator_accepted_is_refused_and_what_was_typed_is_shown(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    referral = only_referral_of(app, case_id)
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    coordinator.post(coordinator.url("meetings.accept_referral", referral_id=only_referral(app).id))

    refused = correct(referrer, case_id, referral, victim_wants="Changed after acceptance.")

    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "The MARAC coordinator has already looked at this referral" in page
    assert only_referral_of(app, case_id).victim_wants == REFERRAL_TEXT["victim_wants"]
    assert audit_count(app, "referral-corrected") == 0


def test_a_correction_made_from_an_older_copy_of_the_referral_is_refused_and_kept_on_screen(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    stale = only_referral_of(app, case_id)
    correct(referrer, case_id, stale, risk_summary="First correction.")

    refused = correct(referrer, case_id, stale, risk_summary="Second, from the old page.")

    assert refused.status_code == 409
    assert "Second, from the old page." in refused.get_data(as_text=True)
    assert only_referral_of(app, case_id).risk_summary == "First correction."


def test_a_colleague_who_did_not_refer_cannot_correct_it(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    referral = only_referral_of(app, case_id)
    colleague = app.test_client()
    sign_in_with(app, colleague, make_user, Role.PRACTITIONER, email="colleague@example.org")

    refused = correct(colleague, case_id, referral, victim_wants="Not mine to change.")

    assert refused.status_code == 409
    assert "Only the person who sent the referral, or the MARAC coordinator" in refused.get_data(as_text=True)
    assert only_referral_of(app, case_id).victim_wants == REFERRAL_TEXT["victim_wants"]


def test_the_date_a_referral_was_accepted_is_when_its_state_changed_not_when_it_was_corrected(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    sent = only_referral_of(app, case_id)
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")

    coordinator.post(coordinator.url("meetings.accept_referral", referral_id=sent.id))

    accepted = only_referral_of(app, case_id)
    assert accepted.state_changed_at > sent.state_changed_at
