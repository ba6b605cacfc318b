import pytest
from sqlalchemy import func, select

from access.models import AuditEvent, Role
from cases.models import Case, Referral, ReferralState
from extensions import db
from risk.models import Decision
from tests.cases.test_case_access import sign_in_with
from tests.cases.test_journey import complete_ric, refer, start_case
from tests.meetings.factories import MEETING_START, seed_history_and_a_new_referral


def referred_case(app, make_user, given="Jane", family="Doe", key="11111111-1111-4111-8111-111111111111") -> str:
    practitioner = app.test_client()
    sign_in_with(app, practitioner, make_user, Role.PRACTITIONER, email=f"referrer-{key[:4]}@example.org")
    case = start_case(practitioner, given, family)
    complete_ric(practitioner, case, 15)
    assert refer(practitioner, case, key=key).status_code == 302
    return case


def only_referral(app) -> Referral:
    with app.app_context():
        referral = db.session.scalars(select(Referral)).one()
        db.session.expunge(referral)
        return referral


def test_the_queue_shows_each_referral_with_criteria_tier_and_waiting_time(app, client, make_user, sign_in_as):
    referred_case(app, make_user)
    sign_in_as(Role.COORDINATOR, email="coord@example.org")

    page = client.get(client.url("meetings.list_referrals")).get_data(as_text=True)

    assert ">JD</a>" in page
    assert "Visible high risk (checklist score)" in page
    assert "0 days" in page
    assert "Riverside IDVA Service" in page


def test_accepting_moves_the_referral_on_and_is_audited(app, client, make_user, sign_in_as):
    referred_case(app, make_user)
    sign_in_as(Role.COORDINATOR, email="coord@example.org")
    referral = only_referral(app)

    response = client.post(client.url("meetings.accept_referral", referral_id=referral.id))

    assert response.status_code == 302
    assert only_referral(app).state is ReferralState.ACCEPTED
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "referral-accepted")
            )
            == 1
        )


def test_declining_needs_a_reason_and_changes_nothing_without_one(app, client, make_user, sign_in_as):
    referred_case(app, make_user)
    sign_in_as(Role.COORDINATOR, email="coord@example.org")
    referral = only_referral(app)

    refused = client.post(client.url("meetings.decline_referral", referral_id=referral.id), data={"reason": " "})
    assert refused.status_code == 400
    assert "Enter the reason" in refused.get_data(as_text=True)
    assert only_referral(app).state is ReferralState.RECEIVED

    client.post(
        client.url("meetings.decline_referral", referral_id=referral.id),
        data={"reason": "Victim lives outside the area: transferred"},
    )
    declined = only_referral(app)
    assert declined.state is ReferralState.DECLINED
    assert declined.state_reason == "Victim lives outside the area: transferred"


def test_chairs_see_the_queue_but_only_coordinators_decide(app, client, make_user, sign_in_as):
    referred_case(app, make_user)
    sign_in_as(Role.CHAIR, email="chair@example.org")
    referral = only_referral(app)

    assert client.get(client.url("meetings.view_referral", referral_id=referral.id)).status_code == 200
    assert client.post(client.url("meetings.accept_referral", referral_id=referral.id)).status_code == 403
    assert only_referral(app).state is ReferralState.RECEIVED


def test_a_possible_match_is_shown_and_linking_makes_the_earlier_history_count(app, client, make_user, sign_in_as):
    first_case = referred_case(app, make_user, "Jane", "Smith")
    sign_in_as(Role.COORDINATOR, email="coord@example.org")
    client.post(client.url("meetings.accept_referral", referral_id=only_referral(app).id))
    second_case = referred_case(app, make_user, "Jane", "Smyth", key="22222222-2222-4222-8222-222222222222")
    with app.app_context():
        second = db.session.scalars(select(Referral).where(Referral.case_id == second_case)).one()
        first_victim = db.session.get(Case, first_case).victim_id

    page = client.get(client.url("meetings.view_referral", referral_id=second.id)).get_data(as_text=True)
    assert "Jane Smith" in page
    client.post(client.url("meetings.link_referral", referral_id=second.id), data={"person_id": first_victim})

    with app.app_context():
        assert db.session.get(Case, second_case).victim_id == first_victim
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "referral-linked")
            )
            == 1
        )


def test_linking_to_someone_who_is_not_a_suggested_match_is_refused(app, client, make_user, sign_in_as):
    referred_case(app, make_user)
    sign_in_as(Role.COORDINATOR, email="coord@example.org")
    referral = only_referral(app)

    response = client.post(
        client.url("meetings.link_referral", referral_id=referral.id), data={"person_id": "not-a-person"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("incident_days_ago", "criteria"),
    [
        (2, ["visible-high-risk", "repeat"]),
        (None, ["visible-high-risk"]),
    ],
    ids=["incident since the last referral", "no further incident"],
)
def test_linking_to_a_victim_heard_within_a_year_runs_the_repeat_rule_again(
    app, client, sign_in_as, incident_days_ago, criteria
):
    referral_id, _, _ = seed_history_and_a_new_referral(app, MEETING_START, incident_days_ago=incident_days_ago)
    coordinator_id = sign_in_as(Role.COORDINATOR, email="coord@example.org")
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        earlier_victim = db.session.scalar(
            select(Case.victim_id).join(Referral).where(Referral.state == ReferralState.HEARD)
        )
        decisions_before = db.session.scalar(
            select(func.count()).select_from(Decision).where(Decision.case_id == referral.case_id)
        )

    client.post(client.url("meetings.link_referral", referral_id=referral_id), data={"person_id": earlier_victim})

    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.case.victim_id == earlier_victim
        assert referral.criteria == criteria
        latest = db.session.scalars(
            select(Decision).where(Decision.case_id == referral.case_id).order_by(Decision.id.desc())
        ).first()
        assert (
            db.session.scalar(select(func.count()).select_from(Decision).where(Decision.case_id == referral.case_id))
            == decisions_before + 1
        )
        assert latest.evaluated_by_id == coordinator_id
        assert (referral.decision_id == latest.id) == ("repeat" in criteria)
