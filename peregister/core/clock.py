"""The one place that says what time and which (Amsterdam) day it is."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> dt.datetime:
    return timezone.now()


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in Europe/Amsterdam at ``moment`` (grant end dates are such dates)."""
    return moment.astimezone(AMSTERDAM).date()


def today() -> dt.date:
    return local_date(now())


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=AMSTERDAM)
