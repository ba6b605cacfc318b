"""The brief's edge-case table (§11.5), one test per row, plus each rule's boundaries."""

from datetime import date, timedelta

import pytest

from risk.criteria import (
    DEFAULT_RULESET,
    AssessmentFacts,
    CaseFacts,
    IncidentFacts,
    JudgementFacts,
    Victim,
    evaluate,
    ruleset_with,
)
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

TODAY = date(2026, 11, 22)
ADULT = Victim(date_of_birth=date(1990, 5, 1), area="Riverside")
RIC_ITEMS = [f"q{number}" for number in range(1, 25)]


def ric(yes: int, unknown: int = 0, on: date = TODAY) -> AssessmentFacts:
    answers = {item: "yes" for item in RIC_ITEMS[:yes]}
    answers |= {item: "unknown" for item in RIC_ITEMS[yes : yes + unknown]}
    answers |= {item: "no" for item in RIC_ITEMS[yes + unknown :]}
    return AssessmentFacts("dash-ric", on, score(get_pack("dash-ric"), answers))


def assessed(tool: str, answers: dict, on: date = TODAY) -> AssessmentFacts:
    return AssessmentFacts(tool, on, score(get_pack(tool), answers))


def facts(*assessments, victim=ADULT, judgement=None, incidents=(), referrals=()) -> CaseFacts:
    return CaseFacts(TODAY, victim, tuple(assessments), judgement, tuple(incidents), tuple(referrals))


def codes(decision) -> list[str]:
    return [criterion.code for criterion in decision.criteria]


def prompt_codes(decision) -> set[str]:
    return {prompt.code for prompt in decision.prompts}


def months_ago(months: int) -> date:
    return TODAY - timedelta(days=round(months * 30.44))


def test_ric_14_yes_with_10_unknown_is_visible_high_risk_and_prompts_completion():
    decision = evaluate(facts(ric(14, unknown=10)))

    assert decision.eligible
    assert codes(decision) == ["visible-high-risk"]
    assert "incomplete-assessment" in prompt_codes(decision)


def test_ric_11_yes_with_high_judgement_and_rationale_is_eligible_at_tier_3():
    decision = evaluate(facts(ric(11), judgement=JudgementFacts(Tier.HIGH, "Threats to kill after separation")))

    assert decision.eligible
    assert codes(decision) == ["professional-judgement"]
    assert decision.tier is Tier.HIGH
    assert decision.tier_source == "professional-judgement"


def test_ric_16_yes_and_a_medium_judgement_cannot_lower_the_tier():
    decision = evaluate(facts(ric(16), judgement=JudgementFacts(Tier.MEDIUM, "Victim feels safer now")))

    assert codes(decision) == ["visible-high-risk"]
    assert decision.tier is Tier.HIGH
    assert decision.tier_source == "assessment:dash-ric"
    assert "judgement-cannot-lower" in prompt_codes(decision)


def test_ric_6_yes_and_three_incidents_from_three_agencies_in_11_months_is_escalation():
    incidents = [IncidentFacts(months_ago(11), "police"), IncidentFacts(months_ago(5), "gp"), IncidentFacts(months_ago(1), "housing")]

    decision = evaluate(facts(ric(6), incidents=incidents))

    assert decision.eligible
    assert codes(decision) == ["potential-escalation"]
    assert decision.tier is Tier.HIGH


@pytest.mark.parametrize(
    ("definition", "incident_type", "repeat"),
    [("any-abuse", "unwanted-contact", True), ("legacy-criminal-behaviour", "unwanted-contact", False),
     ("legacy-criminal-behaviour", "stalking-harassment", True)],
)
def test_heard_10_months_ago_then_unwanted_contact_reported_to_a_health_visitor(definition, incident_type, repeat):
    case = facts(ric(3), incidents=[IncidentFacts(months_ago(1), "health-visitor", incident_type)], referrals=[months_ago(10)])

    decision = evaluate(case, ruleset_with({"repeat_definition": definition}))

    assert ("repeat" in codes(decision)) is repeat
    assert decision.eligible is repeat


def test_heard_13_months_ago_then_a_new_incident_is_not_a_repeat():
    decision = evaluate(facts(ric(3), incidents=[IncidentFacts(months_ago(1), "police")], referrals=[months_ago(13)]))

    assert "repeat" not in codes(decision)
    assert not decision.eligible


def test_a_different_perpetrator_is_a_new_case_so_earlier_referrals_are_not_passed_in():
    # Matching referrals to the same victim and perpetrator(s) happens before evaluate: a referral
    # about another perpetrator is not one of this case's previous referrals.
    decision = evaluate(facts(ric(3), incidents=[IncidentFacts(months_ago(1), "police")], referrals=[]))

    assert "repeat" not in codes(decision)


def test_victim_aged_15_with_18_yes_goes_to_childrens_safeguarding_not_marac():
    decision = evaluate(facts(ric(18), victim=Victim(date(2011, 6, 1), "Riverside")))

    assert not decision.eligible
    assert codes(decision) == []
    assert decision.routes == ("children-safeguarding",)
    assert "under-minimum-age" in prompt_codes(decision)


def test_victim_aged_17_with_15_yes_is_eligible_with_young_persons_routes():
    decision = evaluate(facts(ric(15), victim=Victim(date(2009, 6, 1), "Riverside")))

    assert decision.eligible
    assert {"children-social-care-referral", "ypva", "marac-referral", "idva-referral"} <= set(decision.routes)


def test_a_victim_living_in_another_area_is_routed_for_transfer():
    rules = ruleset_with({"marac_area": "Riverside"})

    moved = evaluate(facts(ric(15), victim=Victim(ADULT.date_of_birth, "Hillford")), rules)
    stayed = evaluate(facts(ric(15), victim=Victim(ADULT.date_of_birth, " riverside ")), rules)

    assert "marac-to-marac-transfer" in moved.routes
    assert "marac-to-marac-transfer" not in stayed.routes


def test_a_dara_high_grade_without_a_ric_needs_coordinator_confirmation():
    decision = evaluate(facts(assessed("dara", {"grade": "high"})))

    assert decision.eligible
    assert codes(decision) == ["visible-high-risk-other-tool"]
    assert decision.criteria[0].needs_confirmation
    assert "coordinator-confirmation-needed" in prompt_codes(decision)


def test_other_tools_can_be_switched_off_so_only_judgement_refers():
    decision = evaluate(facts(assessed("dara", {"grade": "high"})), ruleset_with({"accept_other_tool_high_as_vhr": False}))

    assert not decision.eligible


def danger_assessment_weighing(total_weight_wanted: int) -> dict:
    pack = get_pack("danger-assessment")
    answers, total = {}, 0
    for item in sorted(pack.scored_items, key=lambda item: -item.weight):
        if total + item.weight <= total_weight_wanted:
            answers[item.id] = "yes"
            total += item.weight
    assert total == total_weight_wanted
    return answers


def test_a_danger_assessment_of_19_is_tier_4_eligible_via_other_tool_with_immediate_safeguarding():
    decision = evaluate(facts(assessed("danger-assessment", danger_assessment_weighing(19))))

    assert decision.tier is Tier.VERY_HIGH
    assert codes(decision) == ["visible-high-risk-other-tool"]
    assert decision.prompts[0].code == "immediate-safeguarding"


def test_odara_8_is_tier_3_not_4_and_noted_as_a_recidivism_tool():
    answers = {f"q{number}": ("yes" if number <= 8 else "no") for number in range(1, 14)}

    decision = evaluate(facts(assessed("odara", answers)))

    assert decision.tier is Tier.HIGH
    assert "recidivism-tool" in prompt_codes(decision)


@pytest.mark.parametrize(("yes", "eligible"), [(13, False), (14, True), (15, True)])
def test_the_visible_high_risk_threshold_edges(yes, eligible):
    assert evaluate(facts(ric(yes))).eligible is eligible


@pytest.mark.parametrize(("incident_count", "eligible"), [(2, False), (3, True)])
def test_the_escalation_count_edge(incident_count, eligible):
    incidents = [IncidentFacts(TODAY - timedelta(days=10 * index), "police") for index in range(incident_count)]

    assert evaluate(facts(ric(2), incidents=incidents)).eligible is eligible


@pytest.mark.parametrize(("days_ago", "counted"), [(365, True), (366, False)])
def test_the_escalation_window_edge(days_ago, counted):
    incidents = [IncidentFacts(TODAY, "police"), IncidentFacts(TODAY, "gp"), IncidentFacts(TODAY - timedelta(days=days_ago), "housing")]

    assert evaluate(facts(ric(2), incidents=incidents)).eligible is counted


@pytest.mark.parametrize(("days_after_referral", "repeat"), [(1, True), (365, True), (366, False), (0, False)])
def test_the_repeat_window_runs_365_days_from_the_last_referral(days_after_referral, repeat):
    referral = TODAY - timedelta(days=400)
    incident = IncidentFacts(referral + timedelta(days=days_after_referral), "police")

    decision = evaluate(facts(ric(1), incidents=[incident], referrals=[date(2020, 1, 1), referral]))

    assert ("repeat" in codes(decision)) is repeat


@pytest.mark.parametrize(("birthday", "old_enough"), [(date(2010, 11, 22), True), (date(2010, 11, 23), False)])
def test_the_age_edge_is_the_sixteenth_birthday(birthday, old_enough):
    decision = evaluate(facts(ric(20), victim=Victim(birthday, "Riverside")))

    assert decision.eligible is old_enough


def test_judgement_without_a_rationale_is_not_counted_and_asks_for_one():
    decision = evaluate(facts(ric(3), judgement=JudgementFacts(Tier.VERY_HIGH, "   ")))

    assert not decision.eligible
    assert decision.tier is Tier.STANDARD
    assert "judgement-needs-rationale" in prompt_codes(decision)


def test_judgement_can_raise_to_very_high():
    decision = evaluate(facts(ric(15), judgement=JudgementFacts(Tier.VERY_HIGH, "Strangled last night; threats to kill")))

    assert decision.tier is Tier.VERY_HIGH
    assert decision.tier_source == "professional-judgement"
    assert codes(decision) == ["visible-high-risk", "professional-judgement"]


def test_the_cluster_of_three_and_serious_factors_prompt_without_referring():
    answers = {"q6": "yes", "q12": "yes", "q1": "yes"}
    decision = evaluate(facts(assessed("dash-ric", answers)))

    assert not decision.eligible
    assert {"cluster-of-three", "consider-professional-judgement"} <= prompt_codes(decision)


def test_an_old_assessment_and_a_later_incident_ask_for_reassessment():
    decision = evaluate(facts(ric(5, on=TODAY - timedelta(days=40)), incidents=[IncidentFacts(TODAY - timedelta(days=2), "police")]))

    assert {"assessment-out-of-date", "reassess-after-incident"} <= prompt_codes(decision)


def test_the_latest_ric_counts_not_an_older_higher_one():
    decision = evaluate(facts(ric(16, on=TODAY - timedelta(days=20)), ric(10, on=TODAY - timedelta(days=1))))

    assert "visible-high-risk" not in codes(decision)


def test_no_evidence_is_standard_and_not_eligible():
    decision = evaluate(facts())

    assert (decision.eligible, decision.tier, decision.tier_source) == (False, Tier.STANDARD, "no-evidence")
    assert decision.to_dict() == {"eligible": False, "criteria": [], "tier": 1, "prompts": [], "routes": [], "ruleset": DEFAULT_RULESET.version}


def test_an_eligible_decision_starts_the_twelve_month_watch():
    assert evaluate(facts(ric(15))).repeat_watch_ends == TODAY + timedelta(days=365)
    assert evaluate(facts(ric(2))).repeat_watch_ends is None
