"""Cross-pack checks against the brief's common-factor table (§11.2) and cross-walk (§11.3)."""

import pytest

from risk.instruments import get_pack
from risk.schema import COMMON_FACTORS, FACTORS_BY_ID, SERIOUS_FACTOR_IDS

# §11.2: the factors marked ★ (serious / critical, used for PJ prompts), typed from the brief.
BRIEF_STARRED = {
    "CF02",
    "CF05",
    "CF07",
    "CF08",
    "CF10",
    "CF11",
    "CF12",
    "CF13",
    "CF14",
    "CF15",
    "CF16",
    "CF17",
    "CF18",
    "CF25",
    "CF28",
    "CF30",
}

# §11.3, "DASH RIC (24)" and "Police DASH (27)" columns: factor -> item numbers. CF32 is left out: the
# brief derives it from the incident log, not from a question (§11.2).
RIC_CROSS_WALK = {
    "CF01": (1,),
    "CF02": (2, 3),
    "CF04": (5,),
    "CF05": (6,),
    "CF06": (7,),
    "CF07": (8,),
    "CF08": (9,),
    "CF10": (18,),
    "CF11": (10,),
    "CF12": (11,),
    "CF13": (4, 12),
    "CF14": (13,),
    "CF16": (14,),
    "CF17": (15,),
    "CF18": (16,),
    "CF19": (17,),
    "CF20": (18,),
    "CF21": (19,),
    "CF22": (20,),
    "CF23": (21,),
    "CF24": (21,),
    "CF25": (22,),
    "CF26": (23,),
    "CF27": (24,),
    "CF30": (17,),
}
POLICE_CROSS_WALK = {
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


def pack_cross_walk(tool_id: str) -> dict:
    mapping: dict[str, list[int]] = {}
    for item in get_pack(tool_id).items:
        for factor in item.factors:
            mapping.setdefault(factor, []).append(int(item.id.removeprefix("q")))
    return {factor: tuple(sorted(numbers)) for factor, numbers in mapping.items()}


def test_there_are_32_common_factors_cf01_to_cf32():
    assert [factor.id for factor in COMMON_FACTORS] == [f"CF{number:02d}" for number in range(1, 33)]


@pytest.mark.parametrize("factor_id", [f"CF{number:02d}" for number in range(1, 33)])
def test_a_factor_is_serious_exactly_when_the_brief_stars_it(factor_id):
    assert FACTORS_BY_ID[factor_id].serious is (factor_id in BRIEF_STARRED)


def test_the_serious_set_is_the_brief_starred_set():
    assert SERIOUS_FACTOR_IDS == BRIEF_STARRED


@pytest.mark.parametrize(
    ("tool_id", "item_id", "factor_id"),
    [
        ("dash-ric", "q15", "CF17"),
        ("police-dash", "q18", "CF17"),
        ("dash-ric", "q19", "CF21"),
        ("police-dash", "q22", "CF21"),
        ("dash-ric", "q14", "CF16"),
        ("police-dash", "q17", "CF16"),
        ("dash-ric", "q8", "CF07"),
        ("police-dash", "q8", "CF07"),
        ("dash-ric", "q17", "CF30"),
        ("police-dash", "q20", "CF30"),
        ("police-dash", "q10", "CF09"),
        ("police-dash", "q12", "CF10"),
    ],
)
def test_named_items_map_to_the_cross_walk_factor(tool_id, item_id, factor_id):
    assert factor_id in get_pack(tool_id).item(item_id).factors


@pytest.mark.parametrize(("tool_id", "expected"), [("dash-ric", RIC_CROSS_WALK), ("police-dash", POLICE_CROSS_WALK)])
def test_the_whole_dash_column_matches_the_cross_walk(tool_id, expected):
    assert pack_cross_walk(tool_id) == expected


def test_police_numbering_is_ric_plus_3_from_ric_question_10_on():
    # §2.6 / §11.3: the three children items are inserted after pregnancy (q9).
    ric, police = pack_cross_walk("dash-ric"), pack_cross_walk("police-dash")
    for factor in ("CF11", "CF12", "CF14", "CF16", "CF17", "CF18", "CF19", "CF21", "CF22", "CF25", "CF26", "CF27"):
        assert police[factor] == tuple(number + 3 for number in ric[factor]), factor
