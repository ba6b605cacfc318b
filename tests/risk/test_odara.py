"""Golden table for ODARA (brief §4 and §11.4): 13 items present (1) or absent (0), total 0–13, seven
bands 0, 1, 2, 3, 4, 5–6, 7–13. Tiers are our proposal: 0–1 -> 1, 2–4 -> 2, 5–13 -> 3; ODARA predicts
re-assault, not lethality, so the score never gives tier 4. Scorable with up to 5 missing items."""

import pytest

from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

ALL_ITEMS = [f"q{number}" for number in range(1, 14)]

# §4 item list and §11.3 "ODARA (13)" column. CF01 ("index") and CF32 are not items and are left out.
CROSS_WALK = {
    "CF27": ("q1", "q3"),
    "CF20": ("q2", "q10"),
    "CF26": ("q4",),
    "CF16": ("q5",),
    "CF28": ("q6",),
    "CF02": ("q7",),
    "CF09": ("q8", "q9"),
    "CF23": ("q11",),
    "CF08": ("q12",),
    "CF03": ("q13",),
}


def answers_with_yes_count(count: int) -> dict:
    return {item: ("yes" if index < count else "no") for index, item in enumerate(ALL_ITEMS)}


def prompt_codes(result) -> set:
    return {prompt.code for prompt in result.prompts}


@pytest.mark.parametrize(
    ("yes_count", "band", "tier"),
    [
        (0, "score-0", Tier.STANDARD),
        (1, "score-1", Tier.STANDARD),
        (2, "score-2", Tier.MEDIUM),
        (3, "score-3", Tier.MEDIUM),
        (4, "score-4", Tier.MEDIUM),
        (5, "score-5-6", Tier.HIGH),
        (6, "score-5-6", Tier.HIGH),
        (7, "score-7-13", Tier.HIGH),
        (8, "score-7-13", Tier.HIGH),
        (12, "score-7-13", Tier.HIGH),
        (13, "score-7-13", Tier.HIGH),
    ],
)
def test_every_band_edge(yes_count, band, tier):
    result = score(get_pack("odara"), answers_with_yes_count(yes_count))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 13, band, tier)
    assert result.missing == ()


def test_the_pack_has_the_seven_published_bands():
    pack = get_pack("odara")

    assert [(band.min, band.max) for band in pack.bands] == [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (7, 13)]


def test_thirteen_items_present_never_gives_tier_4():
    result = score(get_pack("odara"), {item: "yes" for item in ALL_ITEMS})

    assert result.tier is Tier.HIGH
    assert result.tier is not Tier.VERY_HIGH


def test_six_missing_items_is_too_many_to_score():
    missing = ["q1", "q3", "q5", "q7", "q9", "q11"]
    answers = answers_with_yes_count(0) | {"q1": "unknown", "q3": "declined", "q5": "not-asked", "q7": "dk", "q9": ""}
    del answers["q11"]  # left out altogether is missing too

    result = score(get_pack("odara"), answers)

    assert result.missing == tuple(missing)
    too_many = next(prompt for prompt in result.prompts if prompt.code == "too-many-missing")
    assert too_many.items == tuple(missing)


def test_five_missing_items_can_still_be_scored():
    answers = answers_with_yes_count(2) | {item: "unknown" for item in ["q9", "q10", "q11", "q12", "q13"]}

    result = score(get_pack("odara"), answers)

    assert result.missing == ("q9", "q10", "q11", "q12", "q13")
    assert "too-many-missing" not in prompt_codes(result)
    assert "answers-missing" in prompt_codes(result)
    assert (result.score, result.tier) == (2, Tier.MEDIUM)


def test_all_unknown_scores_zero_and_is_too_many_missing():
    result = score(get_pack("odara"), {item: "unknown" for item in ALL_ITEMS})

    assert (result.score, result.band, result.tier) == (0, "score-0", Tier.STANDARD)
    assert result.missing == tuple(ALL_ITEMS)
    assert result.factors == {}
    assert "too-many-missing" in prompt_codes(result)


def test_all_yes_evidences_the_cross_walk():
    result = score(get_pack("odara"), {item: "yes" for item in ALL_ITEMS})

    assert (result.score, result.band) == (13, "score-7-13")
    assert dict(result.factors) == CROSS_WALK
