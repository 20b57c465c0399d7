"""Dates as reports give them: a period (day, month or year) rather than a point.

A fact's date is stored as two bounds, ``start_date`` and ``end_date``, and one
``precision``. For an imprecise date the bounds are those of the whole period:
"March 2024" is stored as 2024-03-01 .. 2024-03-31 with precision ``month``.
A date-range filter [start, end] matches every fact whose period *overlaps* it,
so "March 2024" matches a filter of 15-20 March 2024 and one of 2024 alike.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    YEAR = "year", "year"


_PARTIAL_ISO = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")


def period_bounds(value: str) -> tuple[dt.date, dt.date, str]:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into (first day, last day, precision).

    Raises ValueError with a readable message for anything else, including
    impossible dates such as 2024-02-30.
    """
    match = _PARTIAL_ISO.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.group("y", "m", "d"))
    try:
        if day is not None:
            date = dt.date(year, month, day)
            return date, date, Precision.DAY
        if month is not None:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last), Precision.MONTH
        return dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None


def widen(date: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The bounds of the period of ``precision`` that contains ``date``."""
    if precision == Precision.YEAR:
        return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
    if precision == Precision.MONTH:
        return date.replace(day=1), date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return date, date


def format_partial(date: dt.date | None, precision: str | None) -> str | None:
    """ISO text that says no more than is known: 2024, 2024-03 or 2024-03-18."""
    if date is None:
        return None
    if precision == Precision.YEAR:
        return f"{date.year:04d}"
    if precision == Precision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()
