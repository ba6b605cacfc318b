import base64
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import defusedxml.ElementTree as ElementTree
import pandas as pd
import pytest

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"
MEETINGS = ["7 Oct 2026", "4 Nov 2026", "2 Dec 2026"]


def bars(svg: bytes) -> dict[str, tuple[float, float]]:
    """Each bar's id and its (width, height), read from its path's corners."""
    found = {}
    for group in ElementTree.fromstring(svg).iter(f"{SVG}g"):
        if (group.get("id") or "").startswith("bar-"):
            numbers = [float(number) for number in re.findall(r"-?\d+(?:\.\d+)?", group.find(f"{SVG}path").get("d"))]
            xs, ys = numbers[0::2], numbers[1::2]
            found[group.get("id")] = (round(max(xs) - min(xs), 3), round(max(ys) - min(ys), 3))
    return found


def title(svg: bytes) -> str:
    return ElementTree.fromstring(svg).find(f"{SVG}title").text


ALL_CHARTS = {
    "cases": lambda: charts.cases_per_meeting(MEETINGS, [3, 6, 0]),
    "repeat rate": lambda: charts.repeat_rate_per_meeting(MEETINGS, [33.3, None, 50.0], (28, 40)),
    "referrals": lambda: charts.referrals_by_agency_kind(["Police", "IDVA service"], [4, 2]),
    "per 10,000": lambda: charts.cases_per_10k_women("12 months to 31 December 2026", 38.5),
}


@pytest.mark.parametrize(
    ("name", "expected_bars"), [("cases", 3), ("repeat rate", 2), ("referrals", 2), ("per 10,000", 3)]
)
def test_each_chart_is_an_svg_with_a_title_and_one_bar_per_figure(name, expected_bars):
    svg = ALL_CHARTS[name]()

    root = ElementTree.fromstring(svg)

    assert root.tag == f"{SVG}svg"
    assert title(svg)
    assert list(bars(svg)) == [f"bar-{index}" for index in range(expected_bars)]


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_the_same_figures_make_the_same_bytes_with_no_date_in_them(name):
    first, second = ALL_CHARTS[name](), ALL_CHARTS[name]()

    assert first == second
    assert b"<dc:date>" not in first


def test_charts_drawn_at_the_same_time_on_several_threads_are_identical():
    expected = {name: make() for name, make in ALL_CHARTS.items()}

    with ThreadPoolExecutor(max_workers=4) as pool:
        drawn = list(pool.map(lambda name: (name, ALL_CHARTS[name]()), list(ALL_CHARTS) * 3))

    assert all(svg == expected[name] for name, svg in drawn)


def test_different_figures_make_a_different_chart():
    assert charts.cases_per_meeting(MEETINGS, [3, 6, 0]) != charts.cases_per_meeting(MEETINGS, [3, 6, 1])


def test_bar_heights_are_in_proportion_to_the_figures():
    heights = [height for _, height in bars(charts.cases_per_meeting(MEETINGS, [3, 6, 0])).values()]

    assert heights[1] == pytest.approx(2 * heights[0], rel=1e-3)
    assert heights[2] == 0


def test_horizontal_bars_are_in_proportion_too():
    widths = [width for width, _ in bars(charts.referrals_by_agency_kind(["Police", "IDVA service"], [4, 2])).values()]

    assert widths[0] == pytest.approx(2 * widths[1], rel=1e-3)


def test_the_repeat_chart_says_its_expected_range_is_unverified():
    svg = charts.repeat_rate_per_meeting(MEETINGS, [33.3, None, 50.0], (25, 35))

    assert title(svg) == "Repeat rate at each meeting against the expected range of 25% to 35% (unverified)"


def test_a_chart_with_no_figures_is_still_valid_svg():
    svg = charts.cases_per_meeting([], [])

    assert bars(svg) == {}
    assert ElementTree.fromstring(svg).tag == f"{SVG}svg"


def test_the_data_uri_carries_the_svg_unchanged():
    svg = ALL_CHARTS["cases"]()

    uri = charts.svg_data_uri(svg)

    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")) == svg


def meeting_rows(cases: list[int], repeats: list[int], **referral_columns) -> pd.DataFrame:
    days = [date(2026, 10, 7), date(2026, 11, 4), date(2026, 12, 2)][: len(cases)]
    return pd.DataFrame({"meeting_date": days, "cases_discussed": cases, "repeat_cases": repeats} | referral_columns)


def test_the_cases_chart_and_its_table_come_from_the_meeting_rows():
    chart = charts.cases_chart(meeting_rows([3, 6], [1, 0]))

    assert chart.title == "Cases discussed at each meeting"
    assert chart.rows == (("7 Oct 2026", "3"), ("4 Nov 2026", "6"))
    assert len(bars(chart.svg)) == 2
    assert chart.data_uri == charts.svg_data_uri(chart.svg)


def test_the_repeat_rate_is_repeats_over_cases_and_a_dash_when_there_were_no_cases():
    chart = charts.repeat_rate_chart(meeting_rows([3, 0, 8], [1, 0, 2]), (28, 40))

    assert chart.rows == (
        ("7 Oct 2026", "3", "1", "33.3%"),
        ("4 Nov 2026", "0", "0", "—"),
        ("2 Dec 2026", "8", "2", "25%"),
    )
    assert len(bars(chart.svg)) == 2


def test_referrals_are_summed_over_the_quarter_for_each_kind_in_the_order_given():
    rows = meeting_rows([3, 2], [0, 0], referrals_police=[1, 2], referrals_idva=[2, 0], referrals_health=[0, 0])

    chart = charts.referrals_chart(
        rows, {"Police": "referrals_police", "IDVA service": "referrals_idva", "Health": "referrals_health"}
    )

    assert chart.rows == (("Police", "3"), ("IDVA service", "2"), ("Health", "0"))
    assert len(bars(chart.svg)) == 3


@pytest.mark.parametrize(
    ("cases", "population", "shown"),
    [(37, 9250, "40"), (41, 12000, "34.2"), (6, 15000, "4"), (1234, 250000, "49.4")],
)
def test_cases_per_10000_adult_women(cases, population, shown):
    chart = charts.cases_per_10k_chart(cases, population, "12 months to 31 December 2026")

    assert chart.rows[2] == ("Cases per 10,000 adult women", shown)
    assert chart.rows[0] == ("Cases discussed, 12 months to 31 December 2026", f"{cases:,}")
    assert chart.rows[3:] == (("SafeLives expected volume", "40"), ("UK, 12 months to 30 September 2024", "47"))
    assert len(bars(chart.svg)) == 3


def two_series_for_a_quarter() -> pd.DataFrame:
    """27 meetings: one series on Wednesdays from 7 January 2026 (14 meetings, 10 cases, 2 repeats each), one on
    Fridays from 9 January (13 meetings, 5 cases, 1 repeat each)."""
    wednesdays = [date(2026, 1, 7) + timedelta(weeks=week) for week in range(14)]
    fridays = [date(2026, 1, 9) + timedelta(weeks=week) for week in range(13)]
    return pd.DataFrame(
        {
            "meeting_date": sorted(wednesdays + fridays),
            "cases_discussed": [10 if day.weekday() == 2 else 5 for day in sorted(wednesdays + fridays)],
            "repeat_cases": [2 if day.weekday() == 2 else 1 for day in sorted(wednesdays + fridays)],
        }
    )


def test_a_quarter_of_more_meetings_than_fit_is_charted_a_week_to_a_bar():
    """Issue 20: a force holds hundreds of meetings a quarter; a bar each can be neither read nor drawn in time."""
    cases = charts.cases_chart(two_series_for_a_quarter())
    repeats = charts.repeat_rate_chart(two_series_for_a_quarter(), (28, 40))

    assert cases.title == "Cases discussed each week" and title(cases.svg) == "Cases discussed each week"
    assert len(cases.rows) == 14 and len(bars(cases.svg)) == 14
    assert cases.rows[0] == ("w/c 5 Jan 2026", "15") and cases.rows[-1] == ("w/c 6 Apr 2026", "10")
    assert repeats.title == "Repeat rate each week"
    assert repeats.rows[0] == ("w/c 5 Jan 2026", "15", "3", "20%")
    assert repeats.rows[-1] == ("w/c 6 Apr 2026", "10", "2", "20%")


def test_a_quarter_of_few_meetings_keeps_a_bar_for_each_meeting():
    rows = two_series_for_a_quarter().iloc[: charts.MOST_MEETING_BARS]

    chart = charts.cases_chart(rows)

    assert chart.title == "Cases discussed at each meeting"
    assert len(chart.rows) == charts.MOST_MEETING_BARS and chart.rows[0] == ("7 Jan 2026", "10")
