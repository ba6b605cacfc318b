"""Calendar quarters: their days, names, codes, and reading a quarter typed in a link."""

from datetime import date

import pytest

from reports.quarters import HOW_TO_ENTER, Quarter, parse_quarter, quarter_containing, quarter_from, recent_quarters


@pytest.mark.parametrize(
    "quarter, first_day, last_day, label, code",
    [
        (Quarter(2026, 1), date(2026, 1, 1), date(2026, 3, 31), "January to March 2026", "2026-Q1"),
        (Quarter(2026, 2), date(2026, 4, 1), date(2026, 6, 30), "April to June 2026", "2026-Q2"),
        (Quarter(2026, 3), date(2026, 7, 1), date(2026, 9, 30), "July to September 2026", "2026-Q3"),
        (Quarter(2026, 4), date(2026, 10, 1), date(2026, 12, 31), "October to December 2026", "2026-Q4"),
        (Quarter(2028, 1), date(2028, 1, 1), date(2028, 3, 31), "January to March 2028", "2028-Q1"),
    ],
)
def test_a_quarter_knows_its_days_name_and_code(quarter, first_day, last_day, label, code):
    assert (quarter.first_day, quarter.last_day, quarter.label, quarter.code) == (first_day, last_day, label, code)


@pytest.mark.parametrize(
    "quarter, previous",
    [(Quarter(2026, 4), Quarter(2026, 3)), (Quarter(2026, 2), Quarter(2026, 1)), (Quarter(2026, 1), Quarter(2025, 4))],
)
def test_the_previous_quarter_crosses_the_year_end(quarter, previous):
    assert quarter.previous() == previous


@pytest.mark.parametrize(
    "day, quarter",
    [
        (date(2026, 1, 1), Quarter(2026, 1)),
        (date(2026, 3, 31), Quarter(2026, 1)),
        (date(2026, 4, 1), Quarter(2026, 2)),
        (date(2026, 6, 30), Quarter(2026, 2)),
        (date(2026, 7, 1), Quarter(2026, 3)),
        (date(2026, 9, 30), Quarter(2026, 3)),
        (date(2026, 10, 1), Quarter(2026, 4)),
        (date(2026, 12, 31), Quarter(2026, 4)),
    ],
)
def test_each_day_falls_in_one_quarter(day, quarter):
    assert quarter_containing(day) == quarter


@pytest.mark.parametrize(
    "text, quarter", [("2026-Q4", Quarter(2026, 4)), ("2026-q1", Quarter(2026, 1)), (" 2025-Q2 ", Quarter(2025, 2))]
)
def test_a_quarter_code_is_read(text, quarter):
    assert parse_quarter(text) == quarter


@pytest.mark.parametrize(
    "text",
    ["", None, "2026", "2026-Q5", "2026-Q0", "2026Q4", "Q4-2026", "26-Q4", "0000-Q1", "2026-Q4x", "2026-Q١", "٢٠٢٦-Q4"],
)
def test_anything_else_is_refused_with_what_to_enter(text):
    with pytest.raises(ValueError) as refusal:
        parse_quarter(text)

    assert str(refusal.value) == HOW_TO_ENTER
    assert "like 2026-Q4" in HOW_TO_ENTER


def test_a_quarter_asked_for_is_read_and_one_not_asked_for_is_the_default():
    assert quarter_from("2025-Q3", default=Quarter(2026, 4)) == Quarter(2025, 3)
    assert quarter_from(None, default=Quarter(2026, 4)) == Quarter(2026, 4)


@pytest.mark.parametrize("text", ["", "2026-Q5", "last quarter"])
def test_a_bad_quarter_asked_for_is_refused_never_replaced_by_the_default(text):
    with pytest.raises(ValueError) as refusal:
        quarter_from(text, default=Quarter(2026, 4))

    assert str(refusal.value) == HOW_TO_ENTER


def test_a_quarter_cannot_be_made_with_a_number_outside_1_to_4():
    with pytest.raises(ValueError):
        Quarter(2026, 5)


def test_recent_quarters_run_back_from_the_one_containing_the_day():
    assert recent_quarters(date(2026, 2, 14), 4) == [
        Quarter(2026, 1),
        Quarter(2025, 4),
        Quarter(2025, 3),
        Quarter(2025, 2),
    ]
