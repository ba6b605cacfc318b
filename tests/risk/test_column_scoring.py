"""The import scores a whole file column by column: every row's result must be the one risk.scoring
gives that row alone, so the column-wise rules never lower (or raise) anyone's risk."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.answers import Answer
from risk.column_scoring import counts_yes_answers, score_columns
from risk.instruments import load_all_packs
from risk.scoring import score

PACKS = list(load_all_packs().values())
COUNT_PACKS = [pack for pack in PACKS if counts_yes_answers(pack)]
YES_NO_VALUES = ["", *(answer.value for answer in Answer)]


def allowed_values(item) -> list[str]:
    return [value for value in YES_NO_VALUES if value != "not-applicable" or item.may_be_not_applicable]


def row_wise(pack, answers: dict[str, list[str]], rows: int) -> list:
    return [
        score(pack, {item_id: column[row] for item_id, column in answers.items() if column[row]}) for row in range(rows)
    ]


@st.composite
def answer_columns(draw, pack):
    """Some of the pack's items, each a column of stored answers; items left out count as not asked."""
    rows = draw(st.integers(min_value=1, max_value=40))
    items = draw(st.lists(st.sampled_from(pack.items), unique_by=lambda item: item.id, max_size=len(pack.items)))
    columns = {
        item.id: draw(st.lists(st.sampled_from(allowed_values(item)), min_size=rows, max_size=rows)) for item in items
    }
    return columns, rows


def test_the_count_tools_are_scored_column_wise():
    assert {pack.id for pack in COUNT_PACKS} >= {"dash-ric", "s-dash", "da-5", "odara"}


@pytest.mark.parametrize("pack", COUNT_PACKS, ids=lambda pack: pack.id)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_answer_pattern_scores_as_the_row_wise_scorer(pack, data):
    answers, rows = data.draw(answer_columns(pack))

    assert score_columns(pack, answers, rows) == row_wise(pack, answers, rows)


@pytest.mark.parametrize("pack", COUNT_PACKS, ids=lambda pack: pack.id)
def test_a_large_generated_frame_scores_as_the_row_wise_scorer_and_stores_the_same(pack):
    generator = random.Random(pack.id)
    rows = 3000
    answers = {item.id: generator.choices(allowed_values(item), k=rows) for item in pack.items}

    column_wise = score_columns(pack, answers, rows)

    expected = row_wise(pack, answers, rows)
    assert column_wise == expected
    assert [result.to_stored() for result in column_wise] == [result.to_stored() for result in expected]


@pytest.mark.parametrize("pack", [pack for pack in PACKS if not counts_yes_answers(pack)], ids=lambda pack: pack.id)
def test_other_tools_are_scored_by_the_row_wise_scorer_itself(pack):
    item = next(item for item in pack.items if item.answer_type == "yes-no")
    answers = {item.id: ["yes", "no", "", "yes"]}

    assert score_columns(pack, answers, 4) == row_wise(pack, answers, 4)
