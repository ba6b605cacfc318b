"""Golden table for the S-DASH stalking and harassment screen (11 items, brief §2.7).

"The more yes answers, the higher the risk", but there is no published numeric cut-off: the result is
the yes-count 0–11 in one "screening" band with no tier; the risk level is professional judgement.
"""

import pytest

from risk.instruments import get_pack
from risk.scoring import score

ALL_ITEMS = [f"q{number}" for number in range(1, 12)]

# Brief §2.7 table: item number -> common factors.
ITEM_FACTORS = {
    1: ("CF02",),
    2: ("CF07", "CF27"),
    3: ("CF07",),
    4: ("CF07",),
    5: ("CF07",),
    6: ("CF16", "CF18"),
    7: ("CF19",),
    8: ("CF20",),
    9: ("CF19",),
    10: ("CF23",),
    11: ("CF27",),
}


def answers_with_yes_count(count: int) -> dict:
    return {item: ("yes" if index < count else "no") for index, item in enumerate(ALL_ITEMS)}


def expected_evidence(yes_numbers) -> dict:
    evidence: dict[str, list[str]] = {}
    for number in sorted(yes_numbers):
        for factor in ITEM_FACTORS[number]:
            evidence.setdefault(factor, []).append(f"q{number}")
    return {factor: tuple(items) for factor, items in evidence.items()}


@pytest.mark.parametrize("yes_count", [0, 1, 2, 5, 6, 10, 11])
def test_the_count_is_shown_in_the_one_screening_band_with_no_tier(yes_count):
    result = score(get_pack("s-dash"), answers_with_yes_count(yes_count))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 11, "screening", None)
    assert result.missing == ()


def test_the_no_cut_off_rule_is_the_tools_own_so_no_band_unverified_prompt():
    result = score(get_pack("s-dash"), answers_with_yes_count(6))

    assert "band-unverified" not in {prompt.code for prompt in result.prompts}


def test_all_unknown_scores_zero_with_no_tier_and_everything_missing():
    result = score(get_pack("s-dash"), {item: "don't know" for item in ALL_ITEMS})

    assert (result.score, result.band, result.tier) == (0, "screening", None)
    assert result.missing == tuple(ALL_ITEMS)
    assert result.factors == {}
    codes = {prompt.code: prompt.items for prompt in result.prompts}
    # q1 (CF02), q2–q5 (CF07) and q6 (CF16/CF18) are about ★ factors (§11.2).
    assert codes["serious-factor-unanswered"] == ("q1", "q2", "q3", "q4", "q5", "q6")


def test_all_yes_evidences_every_factor_of_the_brief_table_and_still_has_no_tier():
    result = score(get_pack("s-dash"), {item: "yes" for item in ALL_ITEMS})

    assert (result.score, result.band, result.tier) == (11, "screening", None)
    assert dict(result.factors) == expected_evidence(range(1, 12))
    assert result.factors["CF07"] == ("q2", "q3", "q4", "q5")
    assert result.factors["CF19"] == ("q7", "q9")


@pytest.mark.parametrize(
    "yes_numbers",
    [(1,), (2,), (6,), (7, 9), (2, 11), (3, 4, 5, 10)],
)
def test_factors_come_from_the_yes_items_only(yes_numbers):
    answers = {item: "no" for item in ALL_ITEMS} | {f"q{number}": "yes" for number in yes_numbers}

    result = score(get_pack("s-dash"), answers)

    assert result.score == len(yes_numbers)
    assert dict(result.factors) == expected_evidence(yes_numbers)
