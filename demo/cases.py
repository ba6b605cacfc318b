"""Invented cases for the demo: names, dates and details are made up."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from access.models import Role
from cases import store as cases_store
from cases.models import PartyRole, ReferralState
from extensions import db
from risk import store as risk_store
from risk.criteria import evaluate
from risk.in_force import current_ruleset
from risk.instruments import get_pack
from risk.models import AssessmentStatus
from risk.scoring import score


def yes_to(count: int, items: int = 24) -> dict:
    return {f"q{number}": ("yes" if number <= count else "no") for number in range(1, items + 1)}


def add_person(agency_id, given, family, born, postcode=None):
    return cases_store.create_person(
        given_name=given, family_name=family, date_of_birth=born, postcode=postcode, agency_id=agency_id
    )


def add_assessment(case, user, tool, answers, on):
    assessment = risk_store.create_assessment(case_id=case.id, tool_id=tool, assessor=user, assessed_on=on)
    assessment.answers = answers
    assessment.result = score(get_pack(tool), answers)
    assessment.status = AssessmentStatus.COMPLETE
    return assessment


# Made-up words for the demo referrals: no real case is described.
DEMO_RISK_SUMMARY = (
    "Threats to kill since she ended the relationship; he has followed her from work twice this month and "
    "the children are frightened of him."
)
DEMO_VICTIM_WANTS = "To feel safe at home and at work, and for the children's school to know who may collect them."


def refer_now(case, user, today, area, state=ReferralState.RECEIVED, received=None):
    decision = evaluate(cases_store.case_facts(case, today), replace(current_ruleset(), marac_area=area))
    row = risk_store.save_decision(case.id, decision, evaluated_by=user, today=today)
    referral = cases_store.create_referral(
        case,
        row,
        referrer=user,
        victim_informed=True,
        consent_given=True,
        no_consent_reason=None,
        idempotency_key=f"demo-{case.id[:8]}-{state.value}",
        risk_summary=DEMO_RISK_SUMMARY,
        victim_wants=DEMO_VICTIM_WANTS,
        referrer_phone="01632 960 000",
        referrer_email=user.email,
        perpetrator_not_known=not cases_store.perpetrator_ids(case),
    )
    referral.state = state
    if received:
        referral.received_at = datetime.combine(received, time(10, 0), tzinfo=UTC)
        referral.state_changed_at = referral.received_at
    return referral


def seed_demo_cases(users: dict, agencies: dict, area: str, today: date) -> None:
    idva, police, health = users[Role.COORDINATOR], users[Role.PRACTITIONER], users[Role.AGENCY_REP]

    visible = cases_store.create_case(
        victim=add_person(idva.agency_id, "Amara", "Okafor", date(1991, 3, 14), "RV1 2AB"),
        marac_area=area,
        agency_id=idva.agency_id,
    )
    cases_store.add_party(
        visible, add_person(idva.agency_id, "Daniel", "Reeve", date(1988, 7, 2)), PartyRole.PERPETRATOR, "ex-partner"
    )
    cases_store.add_party(
        visible, add_person(idva.agency_id, "Tobi", "Okafor", date(2019, 5, 9)), PartyRole.CHILD, "son"
    )
    add_assessment(visible, idva, "dash-ric", yes_to(16), today - timedelta(days=3))
    refer_now(visible, idva, today, area)

    repeat_victim = add_person(police.agency_id, "Beth", "Harlow", date(1985, 11, 30), "RV3 4CD")
    perpetrator = add_person(police.agency_id, "Owen", "Harlow", date(1983, 1, 21))
    earlier = cases_store.create_case(victim=repeat_victim, marac_area=area, agency_id=police.agency_id)
    cases_store.add_party(earlier, perpetrator, PartyRole.PERPETRATOR)
    add_assessment(earlier, police, "police-dash", yes_to(15, 27) | {"grade": "high"}, today - timedelta(days=210))
    refer_now(
        earlier, police, today - timedelta(days=200), area, ReferralState.HEARD, received=today - timedelta(days=200)
    )
    again = cases_store.create_case(victim=repeat_victim, marac_area=area, agency_id=police.agency_id)
    cases_store.add_party(again, perpetrator, PartyRole.PERPETRATOR)
    cases_store.add_incident(
        again,
        occurred_on=today - timedelta(days=6),
        type="unwanted-contact",
        agency_id=health.agency_id,
        reference=None,
        recorded_by=health,
    )
    refer_now(again, police, today, area)

    escalating = cases_store.create_case(
        victim=add_person(health.agency_id, "Carla", "Mendes", date(1996, 8, 19), "RV2 7EF"),
        marac_area=area,
        agency_id=health.agency_id,
    )
    add_assessment(escalating, health, "dash-ric", yes_to(7), today - timedelta(days=10))
    for days_ago, agency in (
        (300, agencies["Riverside Police"]),
        (120, agencies["Riverside Hospitals NHS Trust"]),
        (15, agencies["Riverside Housing"]),
    ):
        cases_store.add_incident(
            escalating,
            occurred_on=today - timedelta(days=days_ago),
            type="violence",
            agency_id=agency.id,
            reference=None,
            recorded_by=health,
        )
    refer_now(escalating, health, today, area)

    judged = cases_store.create_case(
        victim=add_person(idva.agency_id, "Dina", "Kowalski", date(1979, 2, 4), "RV5 1GH"),
        marac_area=area,
        agency_id=idva.agency_id,
    )
    add_assessment(judged, idva, "dash-ric", yes_to(11), today - timedelta(days=2))
    risk_store.add_judgement(
        judged.id,
        tier=3,
        rationale="Strangled last week and he has found her new address; she believes he will kill her.",
        author=idva,
    )
    refer_now(judged, idva, today, area)

    under_age = cases_store.create_case(
        victim=add_person(idva.agency_id, "Ellie", "Brandt", date(today.year - 15, 1, 10), "RV4 3JK"),
        marac_area=area,
        agency_id=idva.agency_id,
    )
    add_assessment(under_age, idva, "dash-ric", yes_to(15), today - timedelta(days=1))
    db.session.flush()
