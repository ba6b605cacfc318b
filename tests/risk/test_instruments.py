import json

import pytest

from risk.instruments import (
    PACK_DIRECTORY,
    PackError,
    get_pack,
    load_all_packs,
    load_pack,
)
from risk.schema import FACTORS_BY_ID

PACK_FILES = sorted(path for path in PACK_DIRECTORY.glob("*.json") if not path.name.endswith(".schema.json"))
SHIPPED_TOOLS = {
    "dash-ric",
    "police-dash",
    "s-dash",
    "dara",
    "danger-assessment",
    "da-5",
    "lap",
    "odara",
    "b-safer",
    "maram",
}


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda path: path.stem)
def test_every_pack_file_loads_and_validates(path):
    pack = load_pack(path)

    assert pack.id == path.stem
    assert len({item.id for item in pack.items}) == len(pack.items)
    assert all(factor in FACTORS_BY_ID for item in pack.items for factor in item.factors)
    assert all(len(item.label) <= 90 for item in pack.items)


def test_the_packs_named_in_the_brief_are_all_shipped():
    assert set(load_all_packs()) == SHIPPED_TOOLS


@pytest.mark.parametrize(
    "tool_id", sorted(tool_id for tool_id in SHIPPED_TOOLS if get_pack(tool_id).scoring.method in {"count", "weighted"})
)
def test_count_and_weighted_bands_cover_every_possible_score_once(tool_id, licensed_weights):
    pack = get_pack(tool_id)
    assert pack.bands
    for possible in range(0, int(pack.max_score) + 1):
        assert sum(band.contains(possible) for band in pack.bands) == 1, f"{tool_id} score {possible}"


def write_pack(tmp_path, data, name=None):
    path = tmp_path / f"{name or data['id']}.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def valid_pack():
    return json.loads((PACK_DIRECTORY / "dash-ric.json").read_text())


def change(data, **top_level):
    return data | top_level


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d | {"scoring": {"method": "magic", "rule": d["scoring"]["rule"]}}, "at scoring/method"),
        (lambda d: d | {"items": d["items"] + [d["items"][0]]}, "item ids used twice: q1"),
        (lambda d: d | {"items": [d["items"][0] | {"factors": ["CF33"]}] + d["items"][1:]}, "at items/0/factors/0"),
        (lambda d: d | {"bands": [d["bands"][0] | {"max": 10}] + d["bands"][1:]}, "overlap"),
        (lambda d: d | {"bands": [d["bands"][0] | {"max": 8}] + d["bands"][1:]}, "fall in no band"),
        (lambda d: d | {"bands": d["bands"][:2]}, "must end at the maximum score, 24"),
        (
            lambda d: d | {"items": [d["items"][0] | {"parent": "q99", "effect": "evidence-only"}] + d["items"][1:]},
            "do not exist: q99",
        ),
        (lambda d: d | {"items": [d["items"][0] | {"label": "x" * 91}] + d["items"][1:]}, "at items/0/label"),
        (lambda d: {key: value for key, value in d.items() if key != "licence"}, "'licence' is a required property"),
    ],
)
def test_a_broken_pack_is_refused_with_the_file_and_the_problem(tmp_path, valid_pack, breakage, message):
    path = write_pack(tmp_path, breakage(valid_pack))

    with pytest.raises(PackError) as error:
        load_pack(path)

    assert str(error.value).startswith("dash-ric.json: ")
    assert message in str(error.value)


def test_the_file_must_be_named_after_the_pack(tmp_path, valid_pack):
    with pytest.raises(PackError, match="the file name must be dash-ric.json"):
        load_pack(write_pack(tmp_path, valid_pack, name="other"))


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")

    with pytest.raises(PackError, match="broken.json: cannot be read as JSON"):
        load_pack(path)


def test_an_unknown_tool_lists_the_tools():
    with pytest.raises(PackError, match="There is no tool 'nope'; the tools are .*dash-ric"):
        get_pack("nope")


def test_the_instruments_document_lists_every_pack_and_how_to_add_one():
    from pathlib import Path

    document = (Path(__file__).parent.parent.parent / "docs" / "instruments.md").read_text(encoding="utf-8")

    for tool_id, pack in load_all_packs().items():
        row = next(line for line in document.splitlines() if line.startswith(f"| `{tool_id}` |"))
        assert pack.name in row
        assert ("scoring rule checked" in row) is pack.scoring.rule.verified
    assert "## How to add a tool" in document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda pack: pack["items"][1].update(
                answer_type="choice",
                choices=[{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
                may_be_not_applicable=True,
            ),
            "q2: only a yes-no item may be not applicable",
        ),
        (
            lambda pack: pack["scoring"].update(method="weighted") or pack["items"][0].update(weight=2),
            "weights and levels come only from its licensed table",
        ),
        (
            lambda pack: pack["scoring"].update(method="grade", grade_item="q1"),
            "the grade method needs grade_tier_rule",
        ),
    ],
)
def test_pack_rules_of_issue_14_are_checked_on_load(tmp_path, valid_pack, change, message):
    change(valid_pack)

    with pytest.raises(PackError, match=message):
        load_pack(write_pack(tmp_path, valid_pack))


def test_only_child_and_contact_items_may_be_not_applicable():
    allowed = {
        tool_id: sorted(item.id for item in pack.items if item.may_be_not_applicable)
        for tool_id, pack in load_all_packs().items()
    }

    assert {tool_id: items for tool_id, items in allowed.items() if items} == {
        "dash-ric": ["q7"],
        "police-dash": ["q11", "q12", "q7"],
        "danger-assessment": ["q17"],
        "maram": ["q22", "q23"],
    }
