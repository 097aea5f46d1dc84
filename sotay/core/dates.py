"""Date arithmetic for party rules: months with end-of-month clamping, working days."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later; 29/02 + 12 months is 28/02 (the month has no 29th)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_working_days(
    day: dt.date, days: int, holidays: frozenset[dt.date] = frozenset()
) -> dt.date:
    """The date `days` working days after `day` (Monday–Friday, minus `holidays`)."""
    current = day
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current
