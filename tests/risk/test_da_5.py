"""Golden table for the DA-5 (brief §3.3 and §11.4): 5 yes/no items, score = yes-count;
3 or more is high risk of severe IPV [V] -> tier 3; 0 -> tier 1 and 1–2 -> tier 2 are our proposal."""

import pytest

from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

ALL_ITEMS = [f"q{number}" for number in range(1, 6)]

# §3.3 order and §11.3 "DA-5" column.
CROSS_WALK = {"CF11": ("q1",), "CF12": ("q1",), "CF14": ("q2",), "CF02": ("q3",), "CF17": ("q4",), "CF13": ("q5",)}


def answers_with_yes_count(count: int) -> dict:
    return {item: ("yes" if index < count else "no") for index, item in enumerate(ALL_ITEMS)}


@pytest.mark.parametrize(
    ("yes_count", "band", "tier"),
    [
        (0, "score-0", Tier.STANDARD),
        (1, "score-1-2", Tier.MEDIUM),
        (2, "score-1-2", Tier.MEDIUM),
        (3, "high", Tier.HIGH),
        (4, "high", Tier.HIGH),
        (5, "high", Tier.HIGH),
    ],
)
def test_band_edges(yes_count, band, tier):
    result = score(get_pack("da-5"), answers_with_yes_count(yes_count))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 5, band, tier)
    assert result.missing == ()


@pytest.mark.parametrize(("yes_count", "unverified"), [(0, True), (2, True), (3, False)])
def test_only_the_lower_bands_are_flagged_as_our_proposal(yes_count, unverified):
    result = score(get_pack("da-5"), answers_with_yes_count(yes_count))

    assert ("band-unverified" in {prompt.code for prompt in result.prompts}) is unverified


@pytest.mark.parametrize("three", [("q1", "q2", "q3"), ("q3", "q4", "q5"), ("q1", "q4", "q5")])
def test_any_three_yes_answers_are_high(three):
    answers = {item: ("yes" if item in three else "no") for item in ALL_ITEMS}

    result = score(get_pack("da-5"), answers)

    assert (result.score, result.band, result.tier) == (3, "high", Tier.HIGH)


def test_all_unknown_is_zero_with_every_item_missing_and_prompted():
    result = score(get_pack("da-5"), {item: "unknown" for item in ALL_ITEMS})

    assert (result.score, result.band, result.tier) == (0, "score-0", Tier.STANDARD)
    assert result.missing == tuple(ALL_ITEMS)
    assert result.factors == {}
    codes = {prompt.code: prompt.items for prompt in result.prompts}
    # Every DA-5 item is about a ★ factor (CF11/12, CF14, CF02, CF17, CF13).
    assert codes["serious-factor-unanswered"] == tuple(ALL_ITEMS)


def test_two_yes_and_three_unknown_stays_below_the_cut_off_but_says_so():
    answers = {"q1": "yes", "q2": "yes", "q3": "unknown", "q4": "declined", "q5": "not asked"}

    result = score(get_pack("da-5"), answers)

    assert (result.score, result.tier) == (2, Tier.MEDIUM)
    assert result.missing == ("q3", "q4", "q5")


def test_all_yes_is_high_never_very_high_and_evidences_the_cross_walk():
    result = score(get_pack("da-5"), {item: "yes" for item in ALL_ITEMS})

    assert (result.score, result.band, result.tier) == (5, "high", Tier.HIGH)
    assert dict(result.factors) == CROSS_WALK
