"""Calendar quarters, the period of the MARAC data return: quarter 1 is January to March."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
QUARTER_CODE = re.compile(r"([0-9]{4})-Q([1-4])", re.IGNORECASE)
UK_TIME = ZoneInfo("Europe/London")
QUARTERS_TO_CHOOSE_FROM = 8
HOW_TO_ENTER = (
    "Enter a quarter as the year, a hyphen, Q and the quarter number 1 to 4, like 2026-Q4 for October to December 2026"
)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4) or not 1 <= self.year <= 9999:
            raise ValueError(HOW_TO_ENTER)

    @property
    def first_month(self) -> int:
        return 3 * self.number - 2

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, self.first_month + 3, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.first_month - 1]} to {MONTH_NAMES[self.first_month + 1]} {self.year}"

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.number}"

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def parse_quarter(text: str | None) -> Quarter:
    match = QUARTER_CODE.fullmatch((text or "").strip())
    if match is None:
        raise ValueError(HOW_TO_ENTER)
    return Quarter(int(match.group(1)), int(match.group(2)))


def quarter_containing(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def recent_quarters(day: date, count: int) -> list[Quarter]:
    """The quarter containing `day` and the `count - 1` before it, newest first."""
    quarters = [quarter_containing(day)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


def uk_today() -> date:
    return datetime.now(UK_TIME).date()


def quarter_from(text: str | None, default: Quarter) -> Quarter:
    """The quarter asked for, or `default` when none was; ValueError says what to enter instead."""
    return default if text is None else parse_quarter(text)


def quarter_choices(today: date, chosen: Quarter | None = None) -> list[Quarter]:
    """The recent quarters to choose from, with the chosen one added when it is older."""
    quarters = recent_quarters(today, QUARTERS_TO_CHOOSE_FROM)
    if chosen is not None and chosen not in quarters:
        quarters = sorted([*quarters, chosen], key=lambda quarter: (quarter.year, quarter.number), reverse=True)
    return quarters
