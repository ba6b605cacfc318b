"""Golden table for the Danger Assessment (Campbell), brief §3.1, §3.2 and §11.4.

Score = sum of the weights of the yes answers, with the weights of the §3.1 table (recalled [M]);
levels variable < 8, increased 8–13, severe 14–17, extreme >= 18 map to tiers 1 / 2 / 3 / 4. The raw
yes-count is always kept (§3.2). Every expected total below is added up by hand from the §3.1 weights.
"""

import re

import pytest

from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

QUESTIONS = [f"q{number}" for number in range(1, 21)]

# Brief §3.1 table, "Weight [M]" column, typed from the brief.
BRIEF_WEIGHTS = {
    "q1": 1, "q2": 5, "q3": 4, "q4": 4, "q5": 3, "q6": 3, "q7": 3, "q8": 2, "q9": 1, "q10": 4,
    "q11": 1, "q12": 1, "q13": 1, "q14": 1, "q15": 1, "q16": 1, "q17": 1, "q18": 1, "q19": 1, "q20": 1,
}
# 1+5+4+4+3+3+3+2+1+4 = 30 for q1–q10, plus ten items of weight 1 = 40.
BRIEF_MAX = 40

# Brief §3.1 / §11.3 "DA (20)" column: factor -> items (sub-check 5a adds CF15; 13a adds CF13).
# CF01 ("calendar") and CF32 are not questions of the 20-item instrument and are left out.
CROSS_WALK_ALL_YES = {
    "CF11": ("q1",), "CF12": ("q1",), "CF15": ("q2",), "CF05": ("q3",), "CF22": ("q4",), "CF14": ("q5",),
    "CF16": ("q6",), "CF27": ("q7",), "CF09": ("q8",), "CF18": ("q9",), "CF17": ("q10",),
    "CF23": ("q11", "q12"), "CF13": ("q13", "q14"), "CF08": ("q15",), "CF25": ("q16",), "CF10": ("q17",),
    "CF02": ("q18",), "CF07": ("q19",), "CF04": ("q20",),
}


def answers_with_yes(*yes_items: str) -> dict:
    return {item: ("yes" if item in yes_items else "no") for item in QUESTIONS}


def prompts_by_code(result) -> dict:
    return {prompt.code: prompt for prompt in result.prompts}


def test_the_pack_weights_are_the_brief_table():
    pack = get_pack("danger-assessment")

    assert {item.id: item.weight for item in pack.scored_items} == BRIEF_WEIGHTS


def test_max_score_is_the_sum_of_the_scored_weights():
    pack = get_pack("danger-assessment")

    assert pack.max_score == BRIEF_MAX
    assert score(pack, {}).max_score == BRIEF_MAX


@pytest.mark.parametrize(
    ("yes_items", "weighted", "band", "tier"),
    [
        ((), 0, "variable", Tier.STANDARD),
        (("q2", "q8"), 7, "variable", Tier.STANDARD),  # 5 + 2 = 7
        (("q11", "q12", "q13", "q14", "q15", "q16", "q17"), 7, "variable", Tier.STANDARD),  # 7 x 1 = 7
        (("q2", "q5"), 8, "increased", Tier.MEDIUM),  # 5 + 3 = 8, from only two yes answers
        (("q2", "q3"), 9, "increased", Tier.MEDIUM),  # 5 + 4 = 9
        (("q1", "q9", *[f"q{n}" for n in range(11, 21)]), 12, "increased", Tier.MEDIUM),  # all twelve weight-1 items
        (("q2", "q3", "q4"), 13, "increased", Tier.MEDIUM),  # 5 + 4 + 4 = 13
        (("q1", "q2", "q3", "q4"), 14, "severe", Tier.HIGH),  # 1 + 5 + 4 + 4 = 14
        (("q2", "q3", "q4", "q8"), 15, "severe", Tier.HIGH),  # 5 + 4 + 4 + 2 = 15
        (("q2", "q3", "q4", "q10"), 17, "severe", Tier.HIGH),  # 5 + 4 + 4 + 4 = 17
        (("q2", "q3", "q4", "q9", "q10"), 18, "extreme", Tier.VERY_HIGH),  # 5 + 4 + 4 + 1 + 4 = 18
        (("q2", "q3", "q4", "q8", "q10"), 19, "extreme", Tier.VERY_HIGH),  # 5 + 4 + 4 + 2 + 4 = 19
        (tuple(QUESTIONS), 40, "extreme", Tier.VERY_HIGH),  # every item: 40
    ],
)
def test_band_edges_of_the_weighted_score(yes_items, weighted, band, tier):
    result = score(get_pack("danger-assessment"), answers_with_yes(*yes_items))

    assert (result.score, result.max_score, result.band, result.tier) == (weighted, BRIEF_MAX, band, tier)
    assert result.missing == ()
    message = prompts_by_code(result)["weights-unverified"].message
    assert re.search(rf"yes-count:? {len(yes_items)}\b", message), message


@pytest.mark.parametrize(
    "answers",
    [{}, {item: "unknown" for item in QUESTIONS}, {item: "yes" for item in QUESTIONS}, {"q2": "yes", "q3a": "yes"}],
    ids=["empty", "all-unknown", "all-yes", "sub-check"],
)
def test_the_weights_unverified_prompt_is_always_there(answers):
    result = score(get_pack("danger-assessment"), answers)

    assert "weights-unverified" in prompts_by_code(result)


def test_the_prompt_gives_the_raw_yes_count_beside_a_different_weighted_score():
    # q2 (5) + q5 (3) + q10 (4) = 12 weighted, from 3 yes answers.
    result = score(get_pack("danger-assessment"), answers_with_yes("q2", "q5", "q10"))

    assert result.score == 12
    message = prompts_by_code(result)["weights-unverified"].message
    assert re.search(r"yes-count:? 3\b", message), message


def test_all_unknown_is_variable_with_every_item_missing():
    result = score(get_pack("danger-assessment"), {item: "unknown" for item in QUESTIONS})

    assert (result.score, result.band, result.tier) == (0, "variable", Tier.STANDARD)
    assert result.missing == tuple(QUESTIONS)
    assert result.factors == {}
    assert re.search(r"yes-count:? 0\b", prompts_by_code(result)["weights-unverified"].message)


def test_all_yes_is_extreme_and_evidences_the_cross_walk():
    result = score(get_pack("danger-assessment"), answers_with_yes(*QUESTIONS))

    assert (result.score, result.band, result.tier) == (40, "extreme", Tier.VERY_HIGH)
    assert dict(result.factors) == CROSS_WALK_ALL_YES


def test_never_lived_together_q3a_makes_q3_not_count_even_if_q3_is_yes():
    # q2 (5) + q3 (4) would be 9 (increased); with q3a yes, q3 drops out: 5 (variable).
    result = score(get_pack("danger-assessment"), answers_with_yes("q2", "q3") | {"q3a": "yes"})

    assert (result.score, result.band, result.tier) == (5, "variable", Tier.STANDARD)
    assert "CF05" not in result.factors
    assert "q3" not in result.missing


def test_with_q3a_yes_an_unanswered_q3_is_not_missing():
    answers = answers_with_yes() | {"q3": "unknown", "q3a": "yes"}

    result = score(get_pack("danger-assessment"), answers)

    assert result.missing == ()
    assert result.score == 0


def test_q3a_no_leaves_q3_counting():
    result = score(get_pack("danger-assessment"), answers_with_yes("q2", "q3") | {"q3a": "no"})

    assert result.score == 9  # 5 + 4
    assert result.factors["CF05"] == ("q3",)


def test_never_pregnant_by_the_abuser_q15a_makes_q15_not_count_even_if_q15_is_yes():
    # q2 (5) + q8 (2) + q15 (1) would be 8 (increased); with q15a yes, q15 drops out: 7 (variable).
    result = score(get_pack("danger-assessment"), answers_with_yes("q2", "q8", "q15") | {"q15a": "yes"})

    assert (result.score, result.band, result.tier) == (7, "variable", Tier.STANDARD)
    assert "CF08" not in result.factors
    assert "q15" not in result.missing


def test_with_q15a_yes_an_unanswered_q15_is_not_missing():
    result = score(get_pack("danger-assessment"), answers_with_yes() | {"q15": "declined", "q15a": "yes"})

    assert result.missing == ()


def test_both_not_applicable_sub_checks_together():
    # All 20 yes is 40; q3a and q15a take out q3 (4) and q15 (1): 35, from 18 counted yes answers.
    result = score(get_pack("danger-assessment"), answers_with_yes(*QUESTIONS) | {"q3a": "yes", "q15a": "yes"})

    assert (result.score, result.band, result.tier) == (35, "extreme", Tier.VERY_HIGH)
    assert re.search(r"yes-count:? 18\b", prompts_by_code(result)["weights-unverified"].message)


def test_the_weapon_was_a_gun_q5a_adds_firearm_evidence_but_no_weight():
    # q5 (3) alone is 3; q5a is a sub-check with no weight, so still 3.
    result = score(get_pack("danger-assessment"), answers_with_yes("q5") | {"q5a": "yes"})

    assert result.score == 3
    assert result.factors["CF14"] == ("q5",)
    assert result.factors["CF15"] == ("q5a",)


def test_gun_ownership_and_a_gun_used_are_both_firearm_evidence():
    result = score(get_pack("danger-assessment"), answers_with_yes("q2", "q5") | {"q5a": "yes"})

    assert result.score == 8  # 5 + 3
    assert result.factors["CF15"] == ("q2", "q5a")


def test_q5a_no_adds_no_firearm_evidence():
    result = score(get_pack("danger-assessment"), answers_with_yes("q5") | {"q5a": "no"})

    assert "CF15" not in result.factors


def test_variable_danger_carries_the_danger_can_change_caveat():
    # §11.4: "treat 'variable' as 1 with caveat 'danger can change'".
    result = score(get_pack("danger-assessment"), answers_with_yes("q2", "q8"))  # 5 + 2 = 7

    assert result.band == "variable"
    assert any("can change" in prompt.message.lower() for prompt in result.prompts), [p.message for p in result.prompts]


def test_q5a_adds_no_firearm_evidence_when_no_weapon_was_used():
    result = score(get_pack("danger-assessment"), answers_with_yes() | {"q5": "no", "q5a": "yes"})

    assert "CF15" not in result.factors
