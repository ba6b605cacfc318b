"""Golden table for SafeLives DASH RIC: every band edge just under, at and just over."""

import pytest

from risk.answers import AnswerError
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score, score_stored

ALL_ITEMS = [f"q{number}" for number in range(1, 25)]


def answers_with_yes_count(count: int) -> dict:
    return {item: ("yes" if index < count else "no") for index, item in enumerate(ALL_ITEMS)}


@pytest.mark.parametrize(
    ("yes_count", "band", "tier"),
    [
        (0, "standard", Tier.STANDARD),
        (9, "standard", Tier.STANDARD),
        (10, "medium", Tier.MEDIUM),
        (13, "medium", Tier.MEDIUM),
        (14, "high", Tier.HIGH),
        (15, "high", Tier.HIGH),
        (24, "high", Tier.HIGH),
    ],
)
def test_band_edges(yes_count, band, tier):
    result = score(get_pack("dash-ric"), answers_with_yes_count(yes_count))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 24, band, tier)
    assert result.missing == ()


def test_unknown_answers_are_kept_missing_not_scored_as_no_and_prompted():
    answers = answers_with_yes_count(13) | {"q15": "don't know", "q24": "declined"}

    result = score(get_pack("dash-ric"), answers)

    assert result.score == 13
    assert result.missing == ("q15", "q24")
    codes = {prompt.code: prompt.items for prompt in result.prompts}
    assert codes["serious-factor-unanswered"] == ("q15",)
    assert codes["answers-missing"] == ("q15", "q24")


def test_all_unknown_scores_zero_with_every_item_missing():
    result = score(get_pack("dash-ric"), {item: "unknown" for item in ALL_ITEMS})

    assert (result.score, result.band, result.tier) == (0, "standard", Tier.STANDARD)
    assert result.missing == tuple(ALL_ITEMS)
    assert result.factors == {}


def test_all_yes_evidences_every_mapped_factor_with_its_items():
    result = score(get_pack("dash-ric"), {item: "yes" for item in ALL_ITEMS})

    assert result.score == 24
    assert result.factors["CF13"] == ("q4", "q12")
    assert result.factors["CF10"] == ("q18",)
    assert result.to_dict()["factors"] == sorted(result.factors)


def test_an_empty_assessment_is_all_missing():
    result = score(get_pack("dash-ric"), {})

    assert result.score == 0
    assert len(result.missing) == 24


def test_unverified_bands_say_so_and_the_high_band_does_not():
    medium = score(get_pack("dash-ric"), answers_with_yes_count(11))
    high = score(get_pack("dash-ric"), answers_with_yes_count(14))

    assert "band-unverified" in {prompt.code for prompt in medium.prompts}
    assert "band-unverified" not in {prompt.code for prompt in high.prompts}


def test_yes_to_stalking_and_isolation_prompts_the_follow_up_screens():
    result = score(get_pack("dash-ric"), {"q4": "yes", "q8": "yes"})

    codes = {prompt.code for prompt in result.prompts}
    assert {"consider-stalking-screen", "consider-honour-based-abuse-questions"} <= codes


def test_not_applicable_is_an_answer_only_to_the_child_contact_item():
    with pytest.raises(
        AnswerError, match=r"^q1: not applicable is not an answer to this item .*only q7 may be not applicable"
    ):
        score(get_pack("dash-ric"), {"q1": "not-applicable"})

    assert "q7" not in score(get_pack("dash-ric"), {"q7": "not-applicable"}).missing


def test_a_stored_not_applicable_the_pack_no_longer_allows_counts_as_unanswered():
    stored = {f"q{number}": "not-applicable" for number in range(1, 25)}

    result = score_stored(get_pack("dash-ric"), stored)

    assert result.missing == tuple(f"q{number}" for number in range(1, 25) if number != 7)
    assert "serious-factor-unanswered" in {prompt.code for prompt in result.prompts}
