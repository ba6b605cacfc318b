"""Issue 17, referral status for the referrer: once sent, the case says where the referral stands, the
form does not open again while it is open, and the referrer sees why it was declined."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from access.models import AuditEvent, Role
from cases.models import Referral, ReferralState
from extensions import db
from tests.cases.test_case_access import sign_in_with
from tests.cases.test_journey import complete_ric, refer, start_case
from tests.meetings.test_queue import only_referral, referred_case

TODAY = datetime.now(ZoneInfo("Europe/London")).strftime("%-d %B %Y")  # the day as the UK reads it
SENT_ON = f"Referral sent on {TODAY}"
DECLINE_REASON = "Held by the neighbouring MARAC: she has moved to Eastbridge."


def case_page(client, case_id) -> str:
    return client.get(client.url("cases.view_case", case_id=case_id)).get_data(as_text=True)


def refer_link(client, case_id) -> str:
    return f'href="{client.url("cases.refer_case", case_id=case_id)}"'


def referrals_on(app, case_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Referral).where(Referral.case_id == case_id))


def referrer_and_case(app, make_user):
    referrer = app.test_client()
    sign_in_with(app, referrer, make_user, Role.PRACTITIONER, email="referrer@example.org")
    case_id = start_case(referrer)
    complete_ric(referrer, case_id, 15)
    return referrer, case_id


def test_after_sending_a_referral_the_case_says_so_and_offers_no_second_one(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    assert refer_link(referrer, case_id) in case_page(referrer, case_id)

    assert refer(referrer, case_id).status_code == 302
    page = case_page(referrer, case_id)

    assert SENT_ON in page
    assert "waiting for the MARAC coordinator to look at it" in page
    assert "Refer it to the MARAC" not in page
    assert refer_link(referrer, case_id) not in page


def test_the_referral_form_does_not_open_again_while_a_referral_is_open(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)

    opened = referrer.get(referrer.url("cases.refer_case", case_id=case_id))
    sent_again = refer(referrer, case_id, key="33333333-3333-4333-8333-333333333333")

    assert opened.status_code == sent_again.status_code == 302
    assert opened.location.endswith(f"/cases/{case_id}")
    assert sent_again.location.endswith(f"/cases/{case_id}")
    assert referrals_on(app, case_id) == 1
    assert "already with the MARAC" in case_page(referrer, case_id)


def test_sending_the_same_form_again_still_shows_the_referral_it_made(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    first = refer(referrer, case_id)

    again = refer(referrer, case_id)

    assert again.status_code == 302
    assert again.location == first.location
    assert referrals_on(app, case_id) == 1


def test_an_accepted_referral_says_when_it_was_accepted(app, client, make_user, sign_in_as):
    case_id = referred_case(app, make_user)
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    coordinator.post(coordinator.url("meetings.accept_referral", referral_id=only_referral(app).id))

    page = case_page(coordinator, case_id)

    assert SENT_ON in page
    assert f"accepted for the MARAC on {TODAY}" in page


def declined_case(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    coordinator.post(
        coordinator.url("meetings.decline_referral", referral_id=only_referral(app).id), data={"reason": DECLINE_REASON}
    )
    return referrer, case_id


def test_the_referrer_sees_why_the_coordinator_declined_and_may_refer_again(app, make_user):
    referrer, case_id = declined_case(app, make_user)

    page = case_page(referrer, case_id)

    assert f"declined on {TODAY} because: {DECLINE_REASON}" in page
    assert refer_link(referrer, case_id) in page


def test_a_colleague_who_did_not_refer_sees_that_it_was_declined_but_not_why(app, make_user):
    _, case_id = declined_case(app, make_user)
    colleague = app.test_client()
    sign_in_with(app, colleague, make_user, Role.PRACTITIONER, email="colleague@example.org")

    page = case_page(colleague, case_id)

    assert f"declined on {TODAY}." in page
    assert DECLINE_REASON not in page


WITHDRAW_REASON = "She has moved out of the area and is supported by the Eastbridge IDVA service."


def withdraw(client, case_id, reason=WITHDRAW_REASON):
    referral_id = only_referral_of(client.application, case_id).id
    return client.post(
        client.url("cases.withdraw_referral", case_id=case_id, referral_id=referral_id), data={"reason": reason}
    )


def only_referral_of(app, case_id) -> Referral:
    with app.app_context():
        referral = db.session.scalars(select(Referral).where(Referral.case_id == case_id)).one()
        db.session.expunge(referral)
        return referral


def test_the_referrer_withdraws_a_referral_before_triage_with_a_reason_and_it_leaves_the_queue(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    assert "Withdraw the referral" in case_page(referrer, case_id)

    response = withdraw(referrer, case_id)

    assert response.status_code == 302
    referral = only_referral_of(app, case_id)
    assert (referral.state.value, referral.state_reason) == ("withdrawn", WITHDRAW_REASON)
    assert f"withdrawn on {TODAY} because: {WITHDRAW_REASON}" in case_page(referrer, case_id)
    assert refer_link(referrer, case_id) in case_page(referrer, case_id)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "referral-withdrawn")
            )
            == 1
        )
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    queue = coordinator.get(coordinator.url("meetings.list_referrals")).get_data(as_text=True)
    assert f"/referrals/{referral.id}" not in queue


def test_withdrawing_needs_a_reason_and_changes_nothing_without_one(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)

    response = withdraw(referrer, case_id, reason="  ")

    assert response.status_code == 400
    assert "Enter the reason" in response.get_data(as_text=True)
    assert only_referral_of(app, case_id).state.value == "received"


def test_a_referral_cannot_be_withdrawn_once_the_coordinator_has_accepted_it(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    coordinator.post(coordinator.url("meetings.accept_referral", referral_id=only_referral(app).id))

    assert "Withdraw the referral" not in case_page(referrer, case_id)
    refused = withdraw(referrer, case_id)
    assert refused.status_code == 409
    assert "the MARAC coordinator has already looked at it" in refused.get_data(as_text=True)
    assert only_referral_of(app, case_id).state.value == "accepted"


def test_a_colleague_who_did_not_refer_cannot_withdraw_it(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    colleague = app.test_client()
    sign_in_with(app, colleague, make_user, Role.PRACTITIONER, email="colleague@example.org")

    assert "Withdraw the referral" not in case_page(colleague, case_id)
    refused = withdraw(colleague, case_id)
    assert refused.status_code == 409
    assert "Only the person who sent the referral, or the MARAC coordinator" in refused.get_data(as_text=True)
    assert only_referral_of(app, case_id).state.value == "received"


def test_a_withdrawn_referral_cannot_be_accepted_or_declined_from_a_page_opened_before(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    coordinator = app.test_client()
    sign_in_with(app, coordinator, make_user, Role.COORDINATOR, email="coordinator@example.org")
    referral_id = only_referral(app).id
    withdraw(referrer, case_id)

    accepted = coordinator.post(coordinator.url("meetings.accept_referral", referral_id=referral_id))
    declined = coordinator.post(
        coordinator.url("meetings.decline_referral", referral_id=referral_id), data={"reason": DECLINE_REASON}
    )

    assert accepted.status_code == declined.status_code == 409
    assert "was withdrawn" in accepted.get_data(as_text=True)
    referral = only_referral_of(app, case_id)
    assert (referral.state.value, referral.state_reason) == ("withdrawn", WITHDRAW_REASON)


def test_a_heard_case_offers_no_new_referral_until_something_new_is_recorded(app, make_user):
    referrer, case_id = referrer_and_case(app, make_user)
    refer(referrer, case_id)
    with app.app_context():
        referral = db.session.scalars(select(Referral).where(Referral.case_id == case_id)).one()
        referral.state = ReferralState.HEARD
        db.session.commit()

    heard = case_page(referrer, case_id)

    assert "The MARAC has heard this case, and nothing new has been recorded since it was referred" in heard
    assert refer_link(referrer, case_id) not in heard
    referrer.post(
        referrer.url("cases.record_judgement", case_id=case_id),
        data={"tier": "4", "rationale": "He has bought a knife and says he will use it."},
    )
    assert refer_link(referrer, case_id) in case_page(referrer, case_id)
