"""The brief's edge-case table (§11.5), one test per row, plus each rule's boundaries and the
principles of issue 14: risk is never lowered, and the order of the inputs never matters."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from risk.criteria import (
    AssessmentFacts,
    CaseFacts,
    IncidentFacts,
    JudgementFacts,
    ReferralFacts,
    Victim,
    evaluate,
)
from risk.instruments import get_pack
from risk.rulesets import get_ruleset, with_override
from risk.schema import Tier
from risk.scoring import score

TODAY = date(2026, 11, 22)
ADULT = Victim(date_of_birth=date(1990, 5, 1), area="Riverside")
RIC_ITEMS = [f"q{number}" for number in range(1, 25)]
RULES = get_ruleset()


def ric(yes: int, unknown: int = 0, on: date = TODAY) -> AssessmentFacts:
    answers = {item: "yes" for item in RIC_ITEMS[:yes]}
    answers |= {item: "unknown" for item in RIC_ITEMS[yes : yes + unknown]}
    answers |= {item: "no" for item in RIC_ITEMS[yes + unknown :]}
    return AssessmentFacts("dash-ric", on, score(get_pack("dash-ric"), answers))


def assessed(tool: str, answers: dict, on: date = TODAY) -> AssessmentFacts:
    return AssessmentFacts(tool, on, score(get_pack(tool), answers))


def referral(on: date, *perpetrators: str) -> ReferralFacts:
    return ReferralFacts(on, tuple(perpetrators))


def facts(*assessments, victim=ADULT, judgement=None, judgements=(), incidents=(), referrals=()) -> CaseFacts:
    referrals = tuple(entry if isinstance(entry, ReferralFacts) else ReferralFacts(entry) for entry in referrals)
    judgements = (judgement,) if judgement else tuple(judgements)
    return CaseFacts(TODAY, victim, tuple(assessments), judgements, tuple(incidents), referrals)


def ruleset_with(values: dict):
    """The default rule set with some values changed, as a site's override file would change them."""
    return with_override(
        RULES,
        {
            "rules": {
                key: {"value": value, "verified": False, "source": "changed for this test"}
                for key, value in values.items()
            }
        },
    )


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
    incidents = [
        IncidentFacts(months_ago(11), "police"),
        IncidentFacts(months_ago(5), "gp"),
        IncidentFacts(months_ago(1), "housing"),
    ]

    decision = evaluate(facts(ric(6), incidents=incidents))

    assert decision.eligible
    assert codes(decision) == ["potential-escalation"]
    assert decision.tier is Tier.HIGH


@pytest.mark.parametrize(
    ("definition", "incident_type", "repeat"),
    [
        ("any-abuse", "unwanted-contact", True),
        ("legacy-criminal-behaviour", "unwanted-contact", False),
        ("legacy-criminal-behaviour", "stalking-harassment", True),
    ],
)
def test_heard_10_months_ago_then_unwanted_contact_reported_to_a_health_visitor(definition, incident_type, repeat):
    case = facts(
        ric(3), incidents=[IncidentFacts(months_ago(1), "health-visitor", incident_type)], referrals=[months_ago(10)]
    )

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
    rules = replace(RULES, marac_area="Riverside")

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
    decision = evaluate(
        facts(assessed("dara", {"grade": "high"})), ruleset_with({"accept_other_tool_high_as_vhr": False})
    )

    assert not decision.eligible


def test_a_danger_assessment_at_the_top_level_of_the_licensed_table_is_tier_4_with_immediate_safeguarding(
    licensed_weights,
):
    # The test table's very-high level starts at 16:
    # q2, q3, q10 (3 each), q5, q6 (2 each) and q1, q4, q7 (1 each) make 16.
    answers = {item: "yes" for item in ("q2", "q3", "q10", "q5", "q6", "q1", "q4", "q7")}

    decision = evaluate(facts(assessed("danger-assessment", answers)))

    assert decision.tier is Tier.VERY_HIGH
    assert codes(decision) == ["visible-high-risk-other-tool"]
    assert decision.prompts[0].code == "immediate-safeguarding"


def test_without_a_licensed_table_the_danger_assessment_sets_no_tier_and_asks_for_judgement():
    decision = evaluate(facts(assessed("danger-assessment", {f"q{number}": "yes" for number in range(1, 21)})))

    assert not decision.eligible
    assert decision.tier is Tier.STANDARD
    assert "weights-not-loaded" in prompt_codes(decision)


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
    incidents = [
        IncidentFacts(TODAY, "police"),
        IncidentFacts(TODAY, "gp"),
        IncidentFacts(TODAY - timedelta(days=days_ago), "housing"),
    ]

    assert evaluate(facts(ric(2), incidents=incidents)).eligible is counted


@pytest.mark.parametrize(("days_after_referral", "repeat"), [(1, True), (365, True), (366, False), (0, False)])
def test_the_repeat_window_runs_365_days_from_the_last_referral(days_after_referral, repeat):
    referral_on = TODAY - timedelta(days=400)
    incident = IncidentFacts(referral_on + timedelta(days=days_after_referral), "police")

    decision = evaluate(facts(ric(1), incidents=[incident], referrals=[date(2020, 1, 1), referral_on]))

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
    decision = evaluate(
        facts(ric(15), judgement=JudgementFacts(Tier.VERY_HIGH, "Strangled last night; threats to kill"))
    )

    assert decision.tier is Tier.VERY_HIGH
    assert decision.tier_source == "professional-judgement"
    assert codes(decision) == ["visible-high-risk", "professional-judgement"]


def test_the_cluster_of_three_and_serious_factors_prompt_without_referring():
    answers = {"q6": "yes", "q12": "yes", "q1": "yes"}
    decision = evaluate(facts(assessed("dash-ric", answers)))

    assert not decision.eligible
    assert {"cluster-of-three", "consider-professional-judgement"} <= prompt_codes(decision)


def test_an_old_assessment_and_a_later_incident_ask_for_reassessment():
    decision = evaluate(
        facts(ric(5, on=TODAY - timedelta(days=40)), incidents=[IncidentFacts(TODAY - timedelta(days=2), "police")])
    )

    assert {"reassess", "reassess-after-incident"} <= prompt_codes(decision)


def test_an_older_higher_ric_still_counts_when_a_later_lower_one_follows():
    decision = evaluate(facts(ric(16, on=TODAY - timedelta(days=20)), ric(10, on=TODAY - timedelta(days=1))))

    assert codes(decision) == ["visible-high-risk"]
    assert decision.to_dict()["evidence"] == {"visible-high-risk": {"assessments": [0]}}


def test_no_evidence_is_standard_and_not_eligible():
    decision = evaluate(facts())

    assert (decision.eligible, decision.tier, decision.tier_source) == (False, Tier.STANDARD, "no-evidence")
    assert decision.to_dict() == {
        "eligible": False,
        "criteria": [],
        "tier": 1,
        "prompts": [],
        "routes": [],
        "ruleset": "safelives-2026.1",
        "evidence": {},
    }


def test_an_eligible_decision_starts_the_repeat_watch_for_the_rule_sets_window():
    assert evaluate(facts(ric(15))).repeat_watch_ends == TODAY + timedelta(days=RULES.repeat_window_days)
    assert evaluate(facts(ric(2))).repeat_watch_ends is None


# Visible high risk: any current assessment counts, whatever came after it.


def test_every_ric_and_police_dash_over_the_threshold_is_named_as_evidence():
    police = assessed("police-dash", {f"q{number}": "yes" for number in range(1, 15)} | {"grade": "medium"})

    decision = evaluate(facts(ric(15, on=TODAY - timedelta(days=3)), ric(9), police))

    assert codes(decision) == ["visible-high-risk"]
    assert [item.index for item in decision.criteria[0].evidence] == [0, 2]
    assert "14 yes answers" in decision.criteria[0].evidence[1].text


@pytest.mark.parametrize(("days_old", "current"), [(0, True), (28, True), (29, False), (3 * 365, False)])
def test_an_assessment_older_than_the_validity_window_meets_no_criterion_and_sets_no_tier(days_old, current):
    decision = evaluate(facts(ric(18, on=TODAY - timedelta(days=days_old))))

    assert decision.eligible is current
    assert decision.tier is (Tier.HIGH if current else Tier.STANDARD)
    assert ("reassess" in prompt_codes(decision)) is not current


def test_the_validity_window_is_a_rule_set_value_and_named_as_unverified():
    shorter = ruleset_with({"assessment_max_age_days": 7})

    assert not evaluate(facts(ric(18, on=TODAY - timedelta(days=10))), shorter).eligible
    assert any(
        text.startswith("Days an assessment stays current") and ": 28 (" in text
        for text in evaluate(facts(ric(18))).unverified
    )


# Other tools: high on anything that is not the checklist's count, the police grade included.


def test_a_police_dash_graded_high_below_the_count_is_visible_high_risk_on_another_tool():
    police = assessed("police-dash", {f"q{number}": "yes" for number in range(1, 9)} | {"grade": "high"})

    decision = evaluate(facts(police))

    assert decision.eligible
    assert codes(decision) == ["visible-high-risk-other-tool"]
    assert decision.criteria[0].needs_confirmation
    assert "coordinator-confirmation-needed" in prompt_codes(decision)


def test_a_police_dash_with_14_yes_graded_standard_is_visible_high_risk_at_tier_3():
    police = assessed("police-dash", {f"q{number}": "yes" for number in range(1, 15)} | {"grade": "standard"})

    decision = evaluate(facts(police))

    assert codes(decision) == ["visible-high-risk"]
    assert decision.tier is Tier.HIGH


# Professional judgement raises, never lowers: a later, lower judgement does not cancel a high one.


def test_a_later_lower_judgement_does_not_cancel_an_earlier_high_one():
    decision = evaluate(
        facts(
            ric(4), judgements=[JudgementFacts(Tier.HIGH, "Threats to kill"), JudgementFacts(Tier.MEDIUM, "Calmer now")]
        )
    )

    assert codes(decision) == ["professional-judgement"]
    assert decision.tier is Tier.HIGH
    assert [item.index for item in decision.criteria[0].evidence] == [0]


# Repeat: the same victim and perpetrator(s) within the window after the last referral.


@pytest.mark.parametrize(
    ("incident_by", "referral_named", "repeat", "prompt"),
    [
        ("P1", ("P1",), True, None),
        ("P1", ("P1", "P2"), True, None),
        ("P2", ("P1",), False, "new-perpetrator"),
        (None, ("P1",), True, "check-perpetrator"),
        ("P1", (), True, "check-perpetrator"),
        (None, (), True, "check-perpetrator"),
    ],
)
def test_a_repeat_needs_the_same_perpetrator_and_asks_to_check_when_either_side_names_nobody(
    incident_by, referral_named, repeat, prompt
):
    incident = IncidentFacts(months_ago(1), "police", perpetrator=incident_by)

    decision = evaluate(facts(ric(2), incidents=[incident], referrals=[referral(months_ago(6), *referral_named)]))

    assert ("repeat" in codes(decision)) is repeat
    assert {"new-perpetrator", "check-perpetrator"} & prompt_codes(decision) == ({prompt} if prompt else set())


def test_the_window_runs_from_the_last_referral_naming_that_perpetrator():
    referrals = [referral(months_ago(10), "P1"), referral(months_ago(2), "P2")]

    decision = evaluate(
        facts(ric(2), incidents=[IncidentFacts(months_ago(1), "police", perpetrator="P1")], referrals=referrals)
    )

    assert codes(decision) == ["repeat"]
    assert decision.to_dict()["evidence"]["repeat"] == {"incidents": [0], "previous_referrals": [0]}


def test_an_incident_before_the_last_referral_was_dealt_with_by_it():
    referrals = [referral(months_ago(10), "P1"), referral(months_ago(1), "P1")]

    decision = evaluate(
        facts(ric(2), incidents=[IncidentFacts(months_ago(2), "police", perpetrator="P1")], referrals=referrals)
    )

    assert "repeat" not in codes(decision)
    assert "new-perpetrator" not in prompt_codes(decision)


def test_the_older_repeat_definition_reads_its_incident_types_from_the_rule_set():
    rules = ruleset_with(
        {"repeat_definition": "legacy-criminal-behaviour", "legacy_repeat_incident_types": ["unwanted-contact"]}
    )
    case = facts(
        ric(2), incidents=[IncidentFacts(months_ago(1), "gp", "unwanted-contact")], referrals=[referral(months_ago(3))]
    )

    assert codes(evaluate(case, rules)) == ["repeat"]


# Escalation sources, and every number from the rule set.


def test_escalation_can_count_police_incidents_only():
    incidents = [
        IncidentFacts(months_ago(1), "police"),
        IncidentFacts(months_ago(2), "gp"),
        IncidentFacts(months_ago(3), "police"),
    ]

    assert evaluate(facts(ric(2), incidents=incidents)).eligible
    assert not evaluate(
        facts(ric(2), incidents=incidents), ruleset_with({"escalation_sources": "police-only"})
    ).eligible


def test_a_changed_threshold_makes_a_new_rule_set_version():
    lower = ruleset_with({"vhr_threshold": 12})

    decision = evaluate(facts(ric(12)), lower)

    assert decision.eligible
    assert decision.ruleset == lower.version != RULES.version
    assert decision.ruleset.startswith(f"{RULES.version}+")


# Unchecked rules are named on the decision.


def test_a_decision_names_the_unchecked_rules_of_the_rule_set_and_of_the_results_it_used():
    decision = evaluate(facts(assessed("dara", {"grade": "high"})))

    assert any(text.startswith("High risk on any other tool") for text in decision.unverified)
    assert any("DARA" in text for text in decision.unverified)


def test_serious_items_left_unanswered_make_the_decision_say_the_assessment_is_incomplete():
    decision = evaluate(facts(ric(3, unknown=21)))

    prompt = next(prompt for prompt in decision.prompts if prompt.code == "incomplete-assessment")
    assert "dash-ric q15" in prompt.items
