"""Golden table for MARAM (Victoria), brief §6.1 and §11.4: the practitioner's level is the result.
at risk / elevated risk / serious risk / serious risk requiring immediate protection -> tiers 1 / 2 / 3 / 4
(direct mapping). The yes-no items are supporting evidence; there are no count bands."""

import pytest

from risk.answers import AnswerError
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

QUESTIONS = [f"q{number}" for number in range(1, 24)]

LEVELS = [
    ("at-risk", Tier.STANDARD),
    ("elevated-risk", Tier.MEDIUM),
    ("serious-risk", Tier.HIGH),
    ("serious-risk-immediate-protection", Tier.VERY_HIGH),
]


def answers_with_yes_count(count: int, level: str | None = None) -> dict:
    answers = {item: ("yes" if index < count else "no") for index, item in enumerate(QUESTIONS)}
    if level is not None:
        answers["grade"] = level
    return answers


def prompts_by_code(result) -> dict:
    return {prompt.code: prompt for prompt in result.prompts}


@pytest.mark.parametrize(("level", "tier"), LEVELS)
@pytest.mark.parametrize("yes_count", [0, 23])
def test_the_four_levels_map_to_tiers_1_to_4_whatever_the_answers(level, tier, yes_count):
    result = score(get_pack("maram"), answers_with_yes_count(yes_count, level))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 23, level, tier)
    assert result.missing == ()
    assert "grade-missing" not in prompts_by_code(result)


def test_the_pack_offers_exactly_the_four_levels_in_order():
    grade = get_pack("maram").item("grade")

    assert [(choice.id, choice.tier) for choice in grade.choices] == [(level, int(tier)) for level, tier in LEVELS]


@pytest.mark.parametrize(("level", "tier"), LEVELS)
def test_each_level_can_be_typed_as_its_label(level, tier):
    label = get_pack("maram").item("grade").choice(level).label

    for typed in (label, label.upper(), f"  {label.lower()}  "):
        result = score(get_pack("maram"), {"grade": typed})
        assert (result.band, result.tier) == (level, tier), typed


@pytest.mark.parametrize(
    ("typed", "level"),
    [
        ("At risk", "at-risk"),
        ("Elevated risk", "elevated-risk"),
        ("Serious risk", "serious-risk"),
        ("Serious risk and requires immediate protection", "serious-risk-immediate-protection"),  # §6.1
    ],
)
def test_the_levels_as_the_brief_names_them_are_accepted(typed, level):
    assert score(get_pack("maram"), {"grade": typed}).band == level


@pytest.mark.parametrize("unknown_level", ["high", "very high", "imminent", "serious"])
def test_an_unknown_level_is_refused_naming_the_item(unknown_level):
    with pytest.raises(AnswerError) as error:
        score(get_pack("maram"), {"grade": unknown_level})

    message = str(error.value)
    assert message.startswith("grade: ")
    assert repr(unknown_level) in message
    assert "at-risk, elevated-risk, serious-risk, serious-risk-immediate-protection" in message


def test_no_level_means_no_tier():
    result = score(get_pack("maram"), answers_with_yes_count(23))

    assert (result.score, result.band, result.tier) == (23, None, None)
    assert prompts_by_code(result)["grade-missing"].items == ("grade",)


def test_all_unknown_with_no_level_has_no_tier_and_everything_missing():
    result = score(get_pack("maram"), {item: "unknown" for item in QUESTIONS})

    assert (result.score, result.band, result.tier) == (0, None, None)
    assert result.missing == (*QUESTIONS, "grade")
    assert result.factors == {}
    assert {"grade-missing", "serious-factor-unanswered", "answers-missing"} <= set(prompts_by_code(result))


def test_all_yes_evidences_the_maram_serious_risk_factors():
    result = score(get_pack("maram"), answers_with_yes_count(23, "serious-risk"))

    assert (result.score, result.tier) == (23, Tier.HIGH)
    # §6.1 serious risk factors: strangulation, threats to kill, separation, escalation.
    assert result.factors["CF17"] == ("q6",)
    assert result.factors["CF16"] == ("q7",)
    assert result.factors["CF05"] == ("q2",)
    assert result.factors["CF11"] == ("q8",)
    assert result.factors["CF12"] == ("q8",)
