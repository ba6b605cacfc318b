"""Golden table for the LAP Lethality Screen (brief §3.4 and §11.4).

Screened in if yes to any of q1–q3, or yes to at least 4 of q4–q11, or the officer believes the victim
is in danger. Screened in -> tier 3; not screened in -> tier 2 if any yes, else tier 1.
"""

import itertools

import pytest

from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

QUESTIONS = [f"q{number}" for number in range(1, 12)]
COUNTED = [f"q{number}" for number in range(4, 12)]

# §3.4 item list and §11.3 "LAP (11)" column.
CROSS_WALK = {
    "CF14": ("q1",),
    "CF16": ("q2",),
    "CF10": ("q2",),
    "CF02": ("q3",),
    "CF15": ("q4",),
    "CF17": ("q5",),
    "CF13": ("q6",),
    "CF05": ("q7",),
    "CF22": ("q8",),
    "CF25": ("q9",),
    "CF09": ("q10",),
    "CF07": ("q11",),
}


def answers_with_yes(*yes_items: str) -> dict:
    return {item: ("yes" if item in yes_items else "no") for item in QUESTIONS} | {"override": "no"}


def prompts_by_code(result) -> dict:
    return {prompt.code: prompt for prompt in result.prompts}


@pytest.mark.parametrize("item", ["q1", "q2", "q3"])
def test_a_yes_to_any_of_q1_to_q3_alone_screens_in(item):
    result = score(get_pack("lap"), answers_with_yes(item))

    assert (result.score, result.max_score, result.band, result.tier) == (1, 11, "screened-in", Tier.HIGH)
    assert "officer-override" not in prompts_by_code(result)


@pytest.mark.parametrize("three", [("q4", "q5", "q6"), ("q9", "q10", "q11"), ("q4", "q7", "q11")])
def test_three_yes_among_q4_to_q11_is_not_screened_in_but_is_tier_2(three):
    result = score(get_pack("lap"), answers_with_yes(*three))

    assert (result.score, result.band, result.tier) == (3, "not-screened-in", Tier.MEDIUM)


@pytest.mark.parametrize("four", [("q4", "q5", "q6", "q7"), ("q8", "q9", "q10", "q11"), ("q4", "q6", "q8", "q11")])
def test_four_yes_among_q4_to_q11_screens_in(four):
    result = score(get_pack("lap"), answers_with_yes(*four))

    assert (result.score, result.band, result.tier) == (4, "screened-in", Tier.HIGH)


def test_every_set_of_four_of_q4_to_q11_screens_in_and_every_set_of_three_does_not():
    pack = get_pack("lap")
    for size, band in ((3, "not-screened-in"), (4, "screened-in")):
        for combination in itertools.combinations(COUNTED, size):
            assert score(pack, answers_with_yes(*combination)).band == band, combination


def test_all_eight_of_q4_to_q11_screens_in():
    result = score(get_pack("lap"), answers_with_yes(*COUNTED))

    assert (result.score, result.band, result.tier) == (8, "screened-in", Tier.HIGH)


def test_the_officers_belief_alone_screens_in_and_says_so():
    result = score(get_pack("lap"), answers_with_yes() | {"override": "yes"})

    assert (result.score, result.band, result.tier) == (0, "screened-in", Tier.HIGH)
    assert prompts_by_code(result)["officer-override"].items == ("override",)


def test_the_officers_belief_on_top_of_three_counted_yes_answers_says_so():
    result = score(get_pack("lap"), answers_with_yes("q4", "q5", "q6") | {"override": "yes"})

    assert (result.score, result.band, result.tier) == (3, "screened-in", Tier.HIGH)
    assert "officer-override" in prompts_by_code(result)


def test_no_override_prompt_when_the_answers_screen_in_anyway():
    result = score(get_pack("lap"), answers_with_yes("q1") | {"override": "yes"})

    assert result.band == "screened-in"
    assert "officer-override" not in prompts_by_code(result)


def test_not_screened_in_with_no_yes_is_tier_1():
    result = score(get_pack("lap"), answers_with_yes())

    assert (result.score, result.band, result.tier) == (0, "not-screened-in", Tier.STANDARD)
    assert result.missing == ()


@pytest.mark.parametrize("item", ["q4", "q8", "q11"])
def test_not_screened_in_with_one_yes_is_tier_2(item):
    result = score(get_pack("lap"), answers_with_yes(item))

    assert (result.score, result.band, result.tier) == (1, "not-screened-in", Tier.MEDIUM)


def test_all_unknown_is_not_screened_in_tier_1_with_the_questions_missing():
    result = score(get_pack("lap"), {item: "unknown" for item in QUESTIONS})

    assert (result.score, result.band, result.tier) == (0, "not-screened-in", Tier.STANDARD)
    assert result.missing == tuple(QUESTIONS)
    assert result.factors == {}
    assert "serious-factor-unanswered" in prompts_by_code(result)


def test_an_unknown_among_q1_to_q3_does_not_screen_in_and_is_flagged():
    answers = answers_with_yes("q4", "q5") | {"q1": "don't know"}

    result = score(get_pack("lap"), answers)

    assert (result.band, result.tier) == ("not-screened-in", Tier.MEDIUM)
    assert prompts_by_code(result)["serious-factor-unanswered"].items == ("q1",)


def test_all_yes_screens_in_and_evidences_the_cross_walk():
    result = score(get_pack("lap"), answers_with_yes(*QUESTIONS))

    assert (result.score, result.band, result.tier) == (11, "screened-in", Tier.HIGH)
    assert dict(result.factors) == CROSS_WALK
