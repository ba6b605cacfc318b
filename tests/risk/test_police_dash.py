"""Golden table for the police DASH (ACPO/NPCC 2009, 27 questions).

Brief §2.6 and §11.4: the officer's or supervisor's grade (standard / medium / high) is the tool's
result (its band), and maps to tier 1 / 2 / 3 (our proposal, named as unverified). The score is the
yes-count over q1–q27, and its band on the RIC count bands 0–9 / 10–13 / 14+ (§2.4) can raise the common
tier above the grade's, never lower it (issue 14: a grade raises, never lowers). With no grade recorded,
the count bands decide, and the result says the grade is missing.
"""

import pytest

from risk.answers import AnswerError
from risk.instruments import get_pack
from risk.schema import Tier
from risk.scoring import score

QUESTIONS = [f"q{number}" for number in range(1, 28)]

# Brief §11.3, "Police DASH (27)" column: factor -> item numbers. CF32 is left out: it is derived from
# the incident log, not from a question (§11.2).
CROSS_WALK = {
    "CF01": (1,),
    "CF02": (2, 3),
    "CF04": (5,),
    "CF05": (6,),
    "CF06": (7,),
    "CF07": (8,),
    "CF08": (9,),
    "CF09": (10,),
    "CF10": (11, 12),
    "CF11": (13,),
    "CF12": (14,),
    "CF13": (4, 15),
    "CF14": (16,),
    "CF16": (17,),
    "CF17": (18,),
    "CF18": (19,),
    "CF19": (20,),
    "CF20": (21,),
    "CF21": (22,),
    "CF22": (23,),
    "CF23": (24,),
    "CF24": (24,),
    "CF25": (25,),
    "CF26": (26,),
    "CF27": (27,),
    "CF30": (20,),
}


def answers_with_yes_count(count: int, grade: str | None = None) -> dict:
    answers = {item: ("yes" if index < count else "no") for index, item in enumerate(QUESTIONS)}
    if grade is not None:
        answers["grade"] = grade
    return answers


def prompts_by_code(result) -> dict:
    return {prompt.code: prompt for prompt in result.prompts}


@pytest.mark.parametrize(
    ("yes_count", "grade", "tier", "raised"),
    [
        (0, "standard", Tier.STANDARD, False),
        (9, "standard", Tier.STANDARD, False),
        (10, "standard", Tier.MEDIUM, True),
        (13, "standard", Tier.MEDIUM, True),
        (14, "standard", Tier.HIGH, True),
        (27, "standard", Tier.HIGH, True),
        (9, "medium", Tier.MEDIUM, False),
        (13, "medium", Tier.MEDIUM, False),
        (14, "medium", Tier.HIGH, True),
        (0, "high", Tier.HIGH, False),
        (2, "high", Tier.HIGH, False),
        (13, "high", Tier.HIGH, False),
        (27, "high", Tier.HIGH, False),
    ],
)
def test_the_grade_is_the_band_and_the_tier_is_the_higher_of_grade_and_count(yes_count, grade, tier, raised):
    result = score(get_pack("police-dash"), answers_with_yes_count(yes_count, grade))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 27, grade, tier)
    assert result.missing == ()
    assert "grade-missing" not in prompts_by_code(result)
    assert ("count-raises-grade" in prompts_by_code(result)) is raised


def test_the_grade_to_tier_mapping_is_named_as_unverified_whenever_a_grade_is_used():
    graded = score(get_pack("police-dash"), answers_with_yes_count(3, "high"))
    ungraded = score(get_pack("police-dash"), answers_with_yes_count(3))

    assert any(
        "Grade standard / medium / high to common tiers 1 / 2 / 3 is our proposal" in text for text in graded.unverified
    )
    assert not any("Grade standard" in text for text in ungraded.unverified)


@pytest.mark.parametrize(
    ("yes_count", "band", "tier"),
    [
        (0, "standard", Tier.STANDARD),
        (8, "standard", Tier.STANDARD),
        (9, "standard", Tier.STANDARD),
        (10, "medium", Tier.MEDIUM),
        (11, "medium", Tier.MEDIUM),
        (12, "medium", Tier.MEDIUM),
        (13, "medium", Tier.MEDIUM),
        (14, "high", Tier.HIGH),
        (15, "high", Tier.HIGH),
        (27, "high", Tier.HIGH),
    ],
)
def test_without_a_grade_the_count_bands_decide_and_say_the_grade_is_missing(yes_count, band, tier):
    result = score(get_pack("police-dash"), answers_with_yes_count(yes_count))

    assert (result.score, result.max_score, result.band, result.tier) == (yes_count, 27, band, tier)
    assert result.missing == ("grade",)
    assert prompts_by_code(result)["grade-missing"].items == ("grade",)


@pytest.mark.parametrize("blank", ["", None, "   "])
def test_a_blank_grade_is_no_grade(blank):
    result = score(get_pack("police-dash"), answers_with_yes_count(14, blank))

    assert (result.band, result.tier) == ("high", Tier.HIGH)
    assert "grade-missing" in prompts_by_code(result)


def test_the_local_fallback_bands_say_they_are_unverified_and_the_14_threshold_does_not():
    # §2.4: 0–9 / 10–13 are local practice [V local]; >= 14 is the SafeLives threshold, and §11.5 lists
    # police_dash_27 among the visible-high-risk tools [V].
    standard = score(get_pack("police-dash"), answers_with_yes_count(9))
    medium = score(get_pack("police-dash"), answers_with_yes_count(10))
    high = score(get_pack("police-dash"), answers_with_yes_count(14))

    assert "band-unverified" in prompts_by_code(standard)
    assert "band-unverified" in prompts_by_code(medium)
    assert "band-unverified" not in prompts_by_code(high)


@pytest.mark.parametrize(
    ("typed", "grade", "tier"),
    [("High", "high", Tier.HIGH), (" MEDIUM ", "medium", Tier.MEDIUM), ("Standard", "standard", Tier.STANDARD)],
)
def test_the_grade_can_be_typed_as_its_label(typed, grade, tier):
    result = score(get_pack("police-dash"), answers_with_yes_count(0, typed))

    assert (result.band, result.tier) == (grade, tier)


def test_a_grade_that_is_not_standard_medium_or_high_is_refused_naming_the_item():
    with pytest.raises(AnswerError, match=r"^grade: 'very high' is not one of the choices; use standard, medium, high"):
        score(get_pack("police-dash"), answers_with_yes_count(14, "very high"))


def test_all_unknown_and_no_grade_scores_zero_standard_with_everything_missing():
    result = score(get_pack("police-dash"), {item: "unknown" for item in QUESTIONS})

    assert (result.score, result.max_score, result.band, result.tier) == (0, 27, "standard", Tier.STANDARD)
    assert result.missing == (*QUESTIONS, "grade")
    assert result.factors == {}
    codes = prompts_by_code(result)
    assert {"grade-missing", "serious-factor-unanswered", "answers-missing"} <= set(codes)


def test_all_unknown_with_a_high_grade_is_high():
    result = score(get_pack("police-dash"), {item: "unknown" for item in QUESTIONS} | {"grade": "high"})

    assert (result.score, result.band, result.tier) == (0, "high", Tier.HIGH)
    assert result.missing == tuple(QUESTIONS)


def test_all_yes_evidences_the_cross_walk_and_is_high_with_or_without_a_grade():
    graded = score(get_pack("police-dash"), answers_with_yes_count(27, "high"))
    ungraded = score(get_pack("police-dash"), answers_with_yes_count(27))

    expected = {factor: tuple(f"q{number}" for number in numbers) for factor, numbers in CROSS_WALK.items()}
    assert dict(graded.factors) == expected
    assert (graded.score, graded.band, graded.tier) == (27, "high", Tier.HIGH)
    assert (ungraded.score, ungraded.band, ungraded.tier) == (27, "high", Tier.HIGH)


def test_children_items_q10_to_q12_count_like_any_other_question():
    # §2.6: three children / dependants questions inserted after pregnancy; they are scored questions.
    result = score(get_pack("police-dash"), {"q10": "yes", "q11": "yes", "q12": "yes"})

    assert result.score == 3
    assert dict(result.factors) == {"CF09": ("q10",), "CF10": ("q11", "q12")}


def test_yes_to_isolation_and_stalking_prompts_the_follow_up_screens():
    # §2.2 / §2.8: q4 isolation yes -> H-DASH questions; q8 stalking yes -> S-DASH (police form) [V].
    result = score(get_pack("police-dash"), {"q4": "yes", "q8": "yes", "grade": "medium"})

    codes = prompts_by_code(result)
    assert codes["consider-honour-based-abuse-questions"].items == ("q4",)
    assert codes["consider-stalking-screen"].items == ("q8",)
