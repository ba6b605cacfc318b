"""Golden table for B-SAFER version 2 (brief §5.2 and §11.4): structured professional judgement.

15 factors rated absent / possible / present (N / P / Y); they do not add up to a risk level. The case
priority low / moderate / high maps to tiers 1 / 2 / 3, and a judgement that violence is imminent or
life-threatening gives tier 4. The score shown is the number of factors rated present (of 15).
"""

import pytest

from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

FACTORS = [f"q{number}" for number in range(1, 16)]

# §5.2 order (q1–q5 spousal assault, q6–q10 psychosocial adjustment, q11–q15 victim vulnerability)
# and the §11.3 "B-SAFER" column.
CROSS_WALK_ALL_PRESENT = {
    "CF01": ("q1",),
    "CF14": ("q1",),  # violent acts
    "CF16": ("q2",),  # violent threats or thoughts
    "CF11": ("q3",),
    "CF12": ("q3",),  # escalation
    "CF26": ("q4",),  # violations of court orders
    "CF29": ("q5",),  # violent attitudes
    "CF20": ("q6",),
    "CF27": ("q6",),  # general criminality
    "CF05": ("q7",),  # relationship problems
    "CF22": ("q8",),  # employment problems
    "CF23": ("q9",),  # substance use
    "CF24": ("q10",),  # mental health
    "CF03": ("q11", "q12", "q13", "q14", "q15"),  # victim vulnerability factors
    "CF02": ("q12",),  # extreme fear
    "CF04": ("q15",),  # personal problems
}


def ratings(rating: str = "absent", **overrides: str) -> dict:
    return {item: overrides.get(item, rating) for item in FACTORS}


def prompts_by_code(result) -> dict:
    return {prompt.code: prompt for prompt in result.prompts}


@pytest.mark.parametrize(
    ("priority", "tier"),
    [("low", Tier.STANDARD), ("moderate", Tier.MEDIUM), ("high", Tier.HIGH)],
)
def test_the_case_priority_sets_the_tier(priority, tier):
    result = score(get_pack("b-safer"), ratings() | {"priority": priority, "imminent": "no"})

    assert (result.score, result.max_score, result.band, result.tier) == (0, 15, priority, tier)
    assert "judgement-missing" not in prompts_by_code(result)
    assert result.missing == ()


@pytest.mark.parametrize(("typed", "priority"), [("Low", "low"), ("MODERATE", "moderate"), (" High ", "high")])
def test_the_priority_can_be_typed_as_its_label(typed, priority):
    assert score(get_pack("b-safer"), {"priority": typed}).band == priority


@pytest.mark.parametrize("priority", ["low", "moderate", "high", None])
def test_imminent_violence_is_tier_4_whatever_the_priority(priority):
    answers = ratings() | {"imminent": "yes"}
    if priority is not None:
        answers["priority"] = priority

    result = score(get_pack("b-safer"), answers)

    assert result.tier is Tier.VERY_HIGH
    assert prompts_by_code(result)["imminent-risk"].items == ("imminent",)
    assert "judgement-missing" not in prompts_by_code(result)


@pytest.mark.parametrize("imminent", [None, "no", "unknown"])
def test_no_priority_and_no_imminent_judgement_has_no_tier(imminent):
    answers = ratings("present")
    if imminent is not None:
        answers["imminent"] = imminent

    result = score(get_pack("b-safer"), answers)

    assert (result.score, result.band, result.tier) == (15, None, None)
    assert prompts_by_code(result)["judgement-missing"].items == ("priority",)
    assert result.missing == ("priority",)


@pytest.mark.parametrize("present_count", [0, 1, 7, 14, 15])
def test_the_score_is_the_number_of_factors_rated_present(present_count):
    answers = {item: ("present" if index < present_count else "absent") for index, item in enumerate(FACTORS)}

    result = score(get_pack("b-safer"), answers | {"priority": "moderate"})

    assert (result.score, result.max_score, result.tier) == (present_count, 15, Tier.MEDIUM)


def test_possible_ratings_are_prompted_and_neither_score_nor_evidence_a_factor():
    answers = ratings(q1="present", q2="Y", q3="possible", q9="P", q12="possible") | {"priority": "low"}

    result = score(get_pack("b-safer"), answers)

    assert result.score == 2  # q1 and q2 present
    assert prompts_by_code(result)["factors-possibly-present"].items == ("q3", "q9", "q12")
    assert dict(result.factors) == {"CF01": ("q1",), "CF14": ("q1",), "CF16": ("q2",)}
    assert result.tier is Tier.STANDARD  # ratings never move the tier: the priority does


def test_no_possible_rating_no_possible_prompt():
    result = score(get_pack("b-safer"), ratings(q1="present") | {"priority": "low"})

    assert "factors-possibly-present" not in prompts_by_code(result)


def test_all_present_with_high_priority_evidences_the_cross_walk():
    result = score(get_pack("b-safer"), ratings("present") | {"priority": "high", "imminent": "no"})

    assert (result.score, result.band, result.tier) == (15, "high", Tier.HIGH)
    assert dict(result.factors) == CROSS_WALK_ALL_PRESENT


def test_all_left_blank_has_no_tier_and_everything_missing():
    result = score(get_pack("b-safer"), ratings("") | {"priority": ""})

    assert (result.score, result.band, result.tier) == (0, None, None)
    assert result.missing == (*FACTORS, "priority")
    assert result.factors == {}
    assert {"judgement-missing", "serious-factor-unanswered", "answers-missing"} <= set(prompts_by_code(result))


@pytest.mark.parametrize("unknown", ["unknown", "don't know", "declined", "not-asked"])
def test_an_unknown_rating_is_kept_as_missing_not_refused(unknown):
    # §11.1 (2): unknown / declined / not_asked are kept and prompted, never scored; §5.1: insufficient
    # information means omit the rating, not "absent". q2 (violent threats, CF16) is a ★ factor.
    result = score(get_pack("b-safer"), ratings(q2=unknown) | {"priority": "moderate"})

    assert (result.score, result.tier) == (0, Tier.MEDIUM)
    assert result.missing == ("q2",)
    assert prompts_by_code(result)["serious-factor-unanswered"].items == ("q2",)
