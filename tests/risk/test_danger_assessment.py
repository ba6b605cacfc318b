"""Golden table for the Danger Assessment (Campbell), brief §3.1, §3.2 and §11.4.

The weights and danger levels may only come from the licensed scoring sheet (§3.2), which a site
installs as a table of its own. Without one, the result is the raw yes-count, with no band and no
tier. With one, the score is the sum of the weights of the yes answers and the level sets the tier.
The table here (tests/risk/licensed/danger-assessment.json) is made up for these tests: weights
q2, q3, q10 = 3, q5, q6 = 2, every other question 1 (28 in all); levels low 0–5, raised 6–10,
high 11–15, very high 16–28, tiers 1 to 4. Every expected total below is added up by hand from it.
"""

import json

import pytest

from risk.instruments import PackError, get_pack
from risk.schema import Tier
from risk.scoring import score
from tests.risk.conftest import TEST_LICENSED_TABLES

QUESTIONS = [f"q{number}" for number in range(1, 21)]
TEST_TABLE_MAX = 28

# Brief §3.1 / §11.3 "DA (20)" column: factor -> items (sub-check 5a adds CF15; 13a adds CF13).
# CF01 ("calendar") and CF32 are not questions of the 20-item instrument and are left out.
CROSS_WALK_ALL_YES = {
    "CF11": ("q1",),
    "CF12": ("q1",),
    "CF15": ("q2",),
    "CF05": ("q3",),
    "CF22": ("q4",),
    "CF14": ("q5",),
    "CF16": ("q6",),
    "CF27": ("q7",),
    "CF09": ("q8",),
    "CF18": ("q9",),
    "CF17": ("q10",),
    "CF23": ("q11", "q12"),
    "CF13": ("q13", "q14"),
    "CF08": ("q15",),
    "CF25": ("q16",),
    "CF10": ("q17",),
    "CF02": ("q18",),
    "CF07": ("q19",),
    "CF04": ("q20",),
}


def answers_with_yes(*yes_items: str) -> dict:
    return {item: ("yes" if item in yes_items else "no") for item in QUESTIONS}


def prompts_by_code(result) -> dict:
    return {prompt.code: prompt for prompt in result.prompts}


# Without a licensed table


def test_the_pack_ships_no_weights_and_no_levels():
    pack = get_pack("danger-assessment")

    assert all(item.weight is None for item in pack.items)
    assert pack.bands == ()
    assert pack.max_score == 20


@pytest.mark.parametrize("yes_items", [(), ("q2", "q3", "q10"), tuple(QUESTIONS)])
def test_without_the_table_the_score_is_the_yes_count_with_no_band_or_tier(yes_items):
    result = score(get_pack("danger-assessment"), answers_with_yes(*yes_items))

    assert (result.score, result.max_score, result.band, result.tier) == (len(yes_items), 20, None, None)
    assert f"({len(yes_items)})" in prompts_by_code(result)["weights-not-loaded"].message
    assert "professional judgement" in prompts_by_code(result)["weights-not-loaded"].message


def test_without_the_table_the_factors_are_still_evidenced():
    result = score(get_pack("danger-assessment"), answers_with_yes(*QUESTIONS))

    assert dict(result.factors) == CROSS_WALK_ALL_YES


# With the test table


@pytest.fixture
def pack(licensed_weights):
    return get_pack("danger-assessment")


def test_the_table_gives_the_weights_and_levels(pack):
    assert pack.max_score == TEST_TABLE_MAX
    assert [(band.id, band.min, band.max, band.tier) for band in pack.bands] == [
        ("low", 0, 5, 1),
        ("raised", 6, 10, 2),
        ("high", 11, 15, 3),
        ("very-high", 16, 28, 4),
    ]


@pytest.mark.parametrize(
    ("yes_items", "weighted", "band", "tier"),
    [
        ((), 0, "low", Tier.STANDARD),
        (("q2", "q5"), 5, "low", Tier.STANDARD),  # 3 + 2
        (("q2", "q5", "q1"), 6, "raised", Tier.MEDIUM),  # 3 + 2 + 1
        (("q2", "q3", "q10", "q1"), 10, "raised", Tier.MEDIUM),  # 3 + 3 + 3 + 1
        (("q2", "q3", "q10", "q5"), 11, "high", Tier.HIGH),  # 3 + 3 + 3 + 2
        (("q2", "q3", "q10", "q5", "q6", "q1", "q4"), 15, "high", Tier.HIGH),  # 3 + 3 + 3 + 2 + 2 + 1 + 1
        (("q2", "q3", "q10", "q5", "q6", "q1", "q4", "q7"), 16, "very-high", Tier.VERY_HIGH),  # 15 + 1
        (tuple(QUESTIONS), 28, "very-high", Tier.VERY_HIGH),
    ],
)
def test_band_edges_of_the_weighted_score(pack, yes_items, weighted, band, tier):
    result = score(pack, answers_with_yes(*yes_items))

    assert (result.score, result.max_score, result.band, result.tier) == (weighted, TEST_TABLE_MAX, band, tier)
    assert prompts_by_code(result)["yes-count"].message.endswith(f"raw yes-count {len(yes_items)}.")
    assert "weights-not-loaded" not in prompts_by_code(result)


def test_the_level_to_tier_mapping_is_named_as_unverified(pack):
    result = score(pack, answers_with_yes("q2"))

    assert any("levels to common tiers 1-4 is our proposal" in text for text in result.unverified)


def test_never_lived_together_q3a_makes_q3_not_count_even_if_q3_is_yes(pack):
    # q2 (3) + q3 (3) + q1 (1) would be 7 (raised); with q3a yes, q3 drops out: 4 (low).
    result = score(pack, answers_with_yes("q2", "q3", "q1") | {"q3a": "yes"})

    assert (result.score, result.band, result.tier) == (4, "low", Tier.STANDARD)
    assert "CF05" not in result.factors
    assert "q3" not in result.missing


def test_with_q3a_yes_an_unanswered_q3_is_not_missing():
    result = score(get_pack("danger-assessment"), answers_with_yes() | {"q3": "unknown", "q3a": "yes"})

    assert result.missing == ()
    assert result.score == 0


def test_q3a_no_leaves_q3_counting(pack):
    result = score(pack, answers_with_yes("q2", "q3") | {"q3a": "no"})

    assert result.score == 6  # 3 + 3
    assert result.factors["CF05"] == ("q3",)


def test_never_pregnant_by_the_abuser_q15a_makes_q15_not_count_even_if_q15_is_yes(pack):
    # q2 (3) + q5 (2) + q15 (1) would be 6 (raised); with q15a yes, q15 drops out: 5 (low).
    result = score(pack, answers_with_yes("q2", "q5", "q15") | {"q15a": "yes"})

    assert (result.score, result.band, result.tier) == (5, "low", Tier.STANDARD)
    assert "CF08" not in result.factors
    assert "q15" not in result.missing


def test_with_q15a_yes_an_unanswered_q15_is_not_missing():
    result = score(get_pack("danger-assessment"), answers_with_yes() | {"q15": "declined", "q15a": "yes"})

    assert result.missing == ()


def test_both_not_applicable_sub_checks_together(pack):
    # All 20 yes is 28; q3a and q15a take out q3 (3) and q15 (1): 24, from 18 counted yes answers.
    result = score(pack, answers_with_yes(*QUESTIONS) | {"q3a": "yes", "q15a": "yes"})

    assert (result.score, result.band, result.tier) == (24, "very-high", Tier.VERY_HIGH)
    assert prompts_by_code(result)["yes-count"].message.endswith("raw yes-count 18.")


def test_the_weapon_was_a_gun_q5a_adds_firearm_evidence_but_no_weight(pack):
    result = score(pack, answers_with_yes("q5") | {"q5a": "yes"})

    assert result.score == 2
    assert result.factors["CF14"] == ("q5",)
    assert result.factors["CF15"] == ("q5a",)


def test_gun_ownership_and_a_gun_used_are_both_firearm_evidence(pack):
    result = score(pack, answers_with_yes("q2", "q5") | {"q5a": "yes"})

    assert result.score == 5  # 3 + 2
    assert result.factors["CF15"] == ("q2", "q5a")


def test_q5a_no_adds_no_firearm_evidence():
    result = score(get_pack("danger-assessment"), answers_with_yes("q5") | {"q5a": "no"})

    assert "CF15" not in result.factors


def test_a_level_caveat_in_the_table_is_shown(pack):
    result = score(pack, answers_with_yes("q2"))

    assert result.band == "low"
    assert any("can change" in prompt.message.lower() for prompt in result.prompts)


def test_q5a_adds_no_firearm_evidence_when_no_weapon_was_used():
    result = score(get_pack("danger-assessment"), answers_with_yes() | {"q5": "no", "q5a": "yes"})

    assert "CF15" not in result.factors


def test_the_child_threat_item_may_be_not_applicable_and_is_then_left_out(pack):
    result = score(pack, answers_with_yes("q17") | {"q17": "not-applicable"})

    assert result.score == 0
    assert "q17" not in result.missing


# A site's table is checked when it is loaded


def write_table(folder, **changes):
    table = json.loads((TEST_LICENSED_TABLES / "danger-assessment.json").read_text()) | changes
    folder.mkdir(exist_ok=True)
    (folder / "danger-assessment.json").write_text(json.dumps(table))
    return folder


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weights": {"q1": 1}}, "weights must be given for exactly the scored items"),
        ({"weights": {f"q{number}": 1 for number in range(1, 21)} | {"q3a": 1}}, "not scored q3a"),
        (
            {"levels": [{"id": "all", "label": "All", "min": 0, "max": 10, "tier": 1}]},
            "the bands must end at the maximum score, 28",
        ),
        (
            {
                "levels": [
                    {"id": "a", "label": "Aa", "min": 0, "max": 5, "tier": 1},
                    {"id": "b", "label": "Bb", "min": 5, "max": 28, "tier": 2},
                ]
            },
            "overlap",
        ),
        ({"tool": "odara"}, "it is for 'odara'"),
        ({"licence": ""}, "licence"),
    ],
)
def test_a_table_that_does_not_fit_the_pack_is_refused_with_its_problem(tmp_path, monkeypatch, changes, message):
    monkeypatch.setenv("MARAC_LICENSED_TABLES", str(write_table(tmp_path / "licensed", **changes)))

    with pytest.raises(PackError, match="danger-assessment.json") as refused:
        get_pack("danger-assessment")

    assert message in str(refused.value)
