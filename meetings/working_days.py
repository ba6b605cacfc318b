"""Working days in England and Wales: weekdays that are not bank holidays. Research deadlines are
counted in them, so that none falls on a weekend or a bank holiday.

The bank holidays come from the maintained `holidays` package rather than a hand-written list: they
change (coronations, jubilees, a moved May holiday) and a list typed in here would go stale."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_before(day: date, count: int) -> date:
    """The working day COUNT working days before DAY (DAY itself is not counted)."""
    return step_working_days(day, count, -1)


def working_days_after(day: date, count: int) -> date:
    """The working day COUNT working days after DAY (DAY itself is not counted)."""
    return step_working_days(day, count, 1)


def step_working_days(day: date, count: int, direction: int) -> date:
    counted = 0
    while counted < count or not is_working_day(day):
        day += timedelta(days=direction)
        counted += is_working_day(day)
    return day
