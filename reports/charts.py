"""Dashboard charts as SVG: the same bytes go on the page and into the quarterly PDF.

Built with matplotlib's object API (a Figure per chart, never pyplot's shared state) so that charts
can be drawn by several requests at once. Output is deterministic: fixed ids, no date stamp. Each bar
carries an id (`bar-0`, `bar-1` …) and each SVG a <title> (matplotlib writes the Title metadata as
one); every page that shows a chart also shows its figures in a table.
"""

import base64
import io
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache, wraps

import matplotlib
import pandas as pd
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

# The SVG writer salts its element ids from this setting, or from a random value when it is unset.
# Set once at import and never changed, so it is safe to share between threads.
matplotlib.rcParams["svg.hashsalt"] = "marac-dashboard"

SAFELIVES_CASES_PER_10K_WOMEN = 40
UK_CASES_PER_10K_WOMEN = 47
UK_FIGURES_PERIOD = "UK, 12 months to 30 September 2024"
BAR_COLOUR = "#1d70b8"
BENCHMARK_COLOUR = "#505a5f"
EXPECTED_RANGE_COLOUR = "#cce2d8"
FONT_SIZE = 9


MOST_MEETING_BARS = 26
"""More meetings than this in the period (a force's many MARACs) are charted a week to a bar: hundreds of bars
can be neither read nor drawn in time."""


def drawn_once(draw):
    """A chart is a function of its figures alone (fixed ids, no date stamp), so the same figures are drawn
    once per process: matplotlib takes a second or more a chart on a busy machine."""

    @lru_cache(maxsize=64)
    def cached(*figures):
        return draw(*figures)

    @wraps(draw)
    def chart(*figures):
        return cached(*(tuple(figure) if isinstance(figure, list) else figure for figure in figures))

    return chart


def svg_data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@drawn_once
def cases_per_meeting(
    meeting_labels: list[str], cases: list[int], title: str = "Cases discussed at each meeting"
) -> bytes:
    figure, axes = new_chart()
    add_bars(axes, axes.bar(range(len(cases)), cases, color=BAR_COLOUR))
    label_meetings(axes, meeting_labels)
    axes.set_ylabel("Cases discussed")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return to_svg(figure, title)


@drawn_once
def repeat_rate_per_meeting(
    meeting_labels: list[str],
    rates: list[float | None],
    expected: tuple[int, int],
    title: str = "Repeat rate at each meeting",
) -> bytes:
    """Rates are percentages; None for a meeting with no cases, drawn as no bar. The expected range is
    an unverified figure, and the chart says so."""
    low, high = expected
    figure, axes = new_chart()
    axes.axhspan(low, high, color=EXPECTED_RANGE_COLOUR, label=f"Expected {low}%–{high}% (unverified)", zorder=0)
    positions = [index for index, rate in enumerate(rates) if rate is not None]
    add_bars(
        axes,
        axes.bar(positions, [rates[index] for index in positions], color=BAR_COLOUR, label="Repeat rate", zorder=2),
        "{:g}%",
    )
    label_meetings(axes, meeting_labels)
    axes.set_ylim(0, 100)
    axes.set_ylabel("Repeat cases (%)")
    axes.legend(loc="upper right", fontsize=FONT_SIZE - 1, frameon=False)
    return to_svg(figure, f"{title} against the expected range of {low}% to {high}% (unverified)")


@drawn_once
def referrals_by_agency_kind(kind_labels: list[str], referrals: list[int]) -> bytes:
    figure, axes = new_chart(height=max(2.4, 0.35 * len(kind_labels) + 1))
    add_bars(axes, axes.barh(range(len(referrals)), referrals, color=BAR_COLOUR))
    axes.set_yticks(range(len(kind_labels)), kind_labels)
    axes.invert_yaxis()
    axes.set_xlabel("Referrals")
    axes.xaxis.get_major_locator().set_params(integer=True)
    return to_svg(figure, "Referrals by kind of referring agency")


@drawn_once
def cases_per_10k_women(period_label: str, rate: float) -> bytes:
    """This MARAC's yearly rate against SafeLives' expected volume and the latest UK figure."""
    labels = [f"This MARAC, {period_label}", "SafeLives expected volume", UK_FIGURES_PERIOD]
    values = [rate, SAFELIVES_CASES_PER_10K_WOMEN, UK_CASES_PER_10K_WOMEN]
    figure, axes = new_chart(height=2.2)
    add_bars(axes, axes.barh(range(3), values, color=[BAR_COLOUR, BENCHMARK_COLOUR, BENCHMARK_COLOUR]))
    axes.set_yticks(range(3), labels)
    axes.invert_yaxis()
    axes.set_xlabel("Cases per 10,000 adult women a year")
    return to_svg(
        figure, f"Cases per 10,000 adult women: {rate:g} against the expected {SAFELIVES_CASES_PER_10K_WOMEN}"
    )


def new_chart(height: float = 3.2) -> tuple[Figure, object]:
    figure = Figure(figsize=(7.5, height), layout="constrained")
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    axes.tick_params(labelsize=FONT_SIZE)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def add_bars(axes, bars, value_format: str = "{:g}") -> None:
    for index, bar in enumerate(bars):
        bar.set_gid(f"bar-{index}")
    axes.bar_label(bars, fmt=value_format, padding=2, fontsize=FONT_SIZE - 1)


def label_meetings(axes, meeting_labels: list[str]) -> None:
    crowded = len(meeting_labels) > 6
    axes.set_xticks(
        range(len(meeting_labels)), meeting_labels, rotation=30 if crowded else 0, ha="right" if crowded else "center"
    )
    axes.set_xlim(-0.6, max(len(meeting_labels), 1) - 0.4)


def to_svg(figure: Figure, title: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Title": title})
    return buffer.getvalue()


# The dashboard's four charts, each with the table of its figures, made from data-return rows.


@dataclass(frozen=True)
class Chart:
    title: str
    svg: bytes
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def data_uri(self) -> str:
        return svg_data_uri(self.svg)


def short_date(day: date) -> str:
    return day.strftime("%-d %b %Y")


def percent_of(count: int, whole: int) -> float | None:
    return round(100 * count / whole, 1) if whole else None


TITLES = {
    "meeting": ("Cases discussed at each meeting", "Repeat rate at each meeting"),
    "week": ("Cases discussed each week", "Repeat rate each week"),
}


def weeks_or_meetings(rows: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """What a bar stands for ("meeting" or "week") and the rows to chart: a meeting each, or when there are
    too many, the meetings of each week (Monday to Sunday) added up, labelled by the Monday."""
    if len(rows) <= MOST_MEETING_BARS:
        return "meeting", rows
    monday = rows["meeting_date"].map(lambda day: day - timedelta(days=day.weekday()))
    weekly = rows.groupby(monday)[["cases_discussed", "repeat_cases"]].sum().reset_index(names="meeting_date")
    return "week", weekly


def bar_label(unit: str, day: date) -> str:
    return short_date(day) if unit == "meeting" else f"w/c {short_date(day)}"


def cases_chart(rows: pd.DataFrame) -> Chart:
    unit, rows = weeks_or_meetings(rows)
    labels = [bar_label(unit, day) for day in rows["meeting_date"]]
    cases = [int(count) for count in rows["cases_discussed"]]
    return Chart(
        TITLES[unit][0],
        cases_per_meeting(labels, cases, TITLES[unit][0]),
        (unit.capitalize(), "Cases discussed"),
        tuple((label, str(count)) for label, count in zip(labels, cases)),
    )


def repeat_rate_chart(rows: pd.DataFrame, expected: tuple[int, int]) -> Chart:
    unit, rows = weeks_or_meetings(rows)
    labels = [bar_label(unit, day) for day in rows["meeting_date"]]
    counts = [(int(repeats), int(cases)) for repeats, cases in zip(rows["repeat_cases"], rows["cases_discussed"])]
    rates = [percent_of(repeats, cases) for repeats, cases in counts]
    return Chart(
        TITLES[unit][1],
        repeat_rate_per_meeting(labels, rates, expected, TITLES[unit][1]),
        (unit.capitalize(), "Cases discussed", "Repeat cases", "Repeat rate"),
        tuple(
            (label, str(cases), str(repeats), "—" if rate is None else f"{rate:g}%")
            for label, (repeats, cases), rate in zip(labels, counts, rates)
        ),
    )


def referrals_chart(rows: pd.DataFrame, columns_by_label: dict[str, str]) -> Chart:
    """`columns_by_label`: each kind of agency's label and its referrals column, in the order to show."""
    labels = list(columns_by_label)
    referrals = [int(rows[column].sum()) for column in columns_by_label.values()]
    return Chart(
        "Referrals by kind of referring agency",
        referrals_by_agency_kind(labels, referrals),
        ("Kind of agency", "Referrals"),
        tuple((label, str(count)) for label, count in zip(labels, referrals)),
    )


def cases_per_10k_chart(cases_in_year: int, population: int, period_label: str) -> Chart:
    rate = round(10_000 * cases_in_year / population, 1)
    return Chart(
        "Cases per 10,000 adult women",
        cases_per_10k_women(period_label, rate),
        ("Figure", "Value"),
        (
            (f"Cases discussed, {period_label}", f"{cases_in_year:,}"),
            ("Women aged 16 and over in the area", f"{population:,}"),
            ("Cases per 10,000 adult women", f"{rate:g}"),
            ("SafeLives expected volume", str(SAFELIVES_CASES_PER_10K_WOMEN)),
            (UK_FIGURES_PERIOD, str(UK_CASES_PER_10K_WOMEN)),
        ),
    )
