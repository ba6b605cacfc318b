"""Golden table for DARA (College of Policing, brief §9.2).

The officer grades standard / medium / high by professional judgement; there is no yes-count threshold,
so with no grade there is no tier at all (no fallback bands). Grades map to tiers 1 / 2 / 3 (§11.4).
"""

import pytest

from risk.answers import AnswerError
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

QUESTIONS = [f"q{number}" for number in range(1, 16)]


def answers_with_yes_count(count: int, grade: str | None = None) -> dict:
    answers = {item: ("yes" if index < count else "no") for index, item in enumerate(QUESTIONS)}
    if grade is not None:
        answers["grade"] = grade
    return answers


def prompts_by_code(result) -> dict:
    return {prompt.code: prompt for prompt in result.prompts}


def test_dara_has_no_count_bands():
    assert get_pack("dara").bands == ()


@pytest.mark.parametrize("yes_count", [0, 1, 7, 10, 14, 15])
def test_no_grade_means_no_band_and_no_tier_whatever_the_yes_count(yes_count):
    result = score(get_pack("dara"), answers_with_yes_count(yes_count))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 15, None, None)
    assert prompts_by_code(result)["grade-missing"].items == ("grade",)
    assert result.missing == ("grade",)


@pytest.mark.parametrize(
    ("grade", "tier"),
    [("standard", Tier.STANDARD), ("medium", Tier.MEDIUM), ("high", Tier.HIGH)],
)
@pytest.mark.parametrize("yes_count", [0, 15])
def test_each_grade_gives_its_tier_whatever_the_yes_count(grade, tier, yes_count):
    result = score(get_pack("dara"), answers_with_yes_count(yes_count, grade))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 15, grade, tier)
    assert "grade-missing" not in prompts_by_code(result)
    assert result.missing == ()


@pytest.mark.parametrize(("typed", "grade"), [("High", "high"), ("Medium", "medium"), ("STANDARD", "standard")])
def test_the_grade_can_be_typed_as_its_label(typed, grade):
    assert score(get_pack("dara"), {"grade": typed}).band == grade


def test_an_unknown_grade_is_refused_naming_the_item():
    with pytest.raises(AnswerError, match=r"^grade: 'severe' is not one of the choices"):
        score(get_pack("dara"), {"grade": "severe"})


def test_all_unknown_with_no_grade_has_no_tier_and_everything_missing():
    result = score(get_pack("dara"), {item: "unknown" for item in QUESTIONS})

    assert (result.score, result.band, result.tier) == (0, None, None)
    assert result.missing == (*QUESTIONS, "grade")
    assert result.factors == {}
    assert {"grade-missing", "serious-factor-unanswered", "answers-missing"} <= set(prompts_by_code(result))


def test_all_yes_graded_high_is_tier_3_with_the_coercive_control_block_as_evidence():
    result = score(get_pack("dara"), answers_with_yes_count(15, "high"))

    assert (result.score, result.band, result.tier) == (15, "high", Tier.HIGH)
    # §9.2: a block of coercive-control behaviours (money, monitoring, isolation, jealousy).
    assert result.factors["CF13"] == ("q7", "q8", "q9", "q10")
    assert result.factors["CF17"] == ("q4",)


def test_all_yes_without_a_grade_still_has_no_tier():
    result = score(get_pack("dara"), answers_with_yes_count(15))

    assert (result.score, result.tier) == (15, None)
