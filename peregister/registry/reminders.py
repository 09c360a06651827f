"""Reminders to a professional whose PE period ends while points are short.

The moments are data on the register (``Register.reminder_days``, e.g. 180, 90 and 30 days
before the end). The daily job (``send_period_reminders``, in ``ops/scheduler.py``) finds the
current periods of active registrations that are not *behaald* and end within the largest
moment, and sends each the most recent moment that is due: the smallest moment that is at
least the days left (a job that did not run for a while sends one reminder, not three). A
reminder is recorded with the days that really were left (``days_before``) and counts for
every moment it covers: a moment is not sent when a reminder of the period went on or after
its day (a late one, or one before the register added the moment or the period moved). Two
runs on one day claim the same row: ``PeriodReminder``'s unique constraint, claimed in the
same transaction as the mail is queued. The lapse of a registration (``backoffice/closing.py``) is
recorded here too (``record_lapse``), so the professional sees every reminder in
*Mijn PE-dossier*. Days are Amsterdam days (``clock.today``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Min

from peregister.core import clock, dates
from peregister.notifications.mail import mail_professional
from peregister.registry.models import (
    PePeriod,
    PeriodReminder,
    Professional,
    Register,
    Registration,
)
from peregister.registry.periods import RUNNING, period_forecast
from peregister.registry.querysets import PePeriodQuerySet

MAX_MOMENT = 3660  # ten years of days: anything larger is not a moment


def moments(register: Register) -> list[int]:
    """The register's reminder moments, largest first; values that are not a whole number of
    days between 1 and ``MAX_MOMENT`` are ignored."""
    raw = register.reminder_days if isinstance(register.reminder_days, list) else []
    days = {
        value
        for value in raw
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_MOMENT
    }
    return sorted(days, reverse=True)


def due_moment(register_moments: list[int], days_left: int) -> int | None:
    """The moment due with ``days_left`` days to the end: the smallest moment ≥ days left."""
    due = [moment for moment in register_moments if moment >= days_left]
    return min(due) if due else None


def candidate_periods(today: dt.date, within_days: int) -> PePeriodQuerySet:
    """Current periods of active registrations, running (not *behaald*, not *verlopen*) and
    ending within ``within_days`` days."""
    return (
        PePeriod.objects.current(today)
        .filter(
            registration__status=Registration.Status.ACTIVE,
            end__gte=today,
            end__lte=today + dt.timedelta(days=within_days),
        )
        .with_status(today)
        .filter(period_status__in=[str(status.value) for status in RUNNING])
        .select_related("registration__register", "registration__professional__user")
        .order_by("end", "pk")
    )


def _claim(period: PePeriod, kind: str, days_before: int) -> bool:
    """Record the reminder; False when this moment was recorded before (the constraint)."""
    try:
        with transaction.atomic():
            PeriodReminder.objects.create(
                period=period,
                kind=kind,
                days_before=days_before,
                sent_at=clock.now(),
                points_earned=period.points_earned,
            )
    except IntegrityError:
        return False
    return True


def send_period_reminders(*, today: dt.date | None = None) -> int:
    """Queue the due reminders; returns how many. Acts as the system (no ``actor``): only the
    daily job runs it, and the ``PeriodReminder`` row is its record."""
    day = today or clock.today()
    largest = max((max(moments(r), default=0) for r in Register.objects.all()), default=0)
    periods = list(candidate_periods(day, largest))
    # What was sent before, in one query: per period, the fewest days left at a reminder.
    latest_sent = dict(
        PeriodReminder.objects.filter(
            period__in=[period.pk for period in periods], kind=PeriodReminder.Kind.BEFORE_END
        )
        .order_by()
        .values("period_id")
        .annotate(fewest=Min("days_before"))
        .values_list("period_id", "fewest")
    )
    sent = 0
    for period in periods:
        days_left = (period.end - day).days
        moment = due_moment(moments(period.registration.register), days_left)
        if moment is None or latest_sent.get(period.pk, MAX_MOMENT + 1) <= moment:
            continue  # none due, or a reminder went on or after this moment's day
        professional = period.registration.professional
        recipient = professional.mail_recipient()
        if not recipient["address"]:
            continue
        with transaction.atomic():
            if not _claim(period, PeriodReminder.Kind.BEFORE_END, days_left):
                continue
            forecast = period_forecast(
                points_earned=period.points_earned,
                points_required=period.points_required,
                start=period.start,
                end=period.end,
                today=day,
            )
            mail_professional(
                **recipient,
                template="period_reminder",
                context={
                    "register_name": period.registration.register.name,
                    "period_end": dates.iso(period.end),
                    "days_left": days_left,
                    "points_earned": period.points_earned,
                    "points_required": period.points_required,
                    "points_missing": period.points_required - period.points_earned,
                    "forecast_points": forecast.points,
                },
            )
            sent += 1
    return sent


def record_lapse(period: PePeriod) -> bool:
    """Record the lapse mail of ``period``'s registration (in the caller's transaction);
    False when it was recorded before."""
    return _claim(period, PeriodReminder.Kind.LAPSED, 0)


@dataclass(frozen=True)
class SentReminder:
    sent_at: dt.datetime
    register: str
    kind: str
    days_before: int
    period_end: dt.date


def sent_reminders(professional: Professional, limit: int = 20) -> list[SentReminder]:
    """The professional's latest reminders, newest first (one query)."""
    rows: Any = (
        PeriodReminder.objects.filter(period__registration__professional=professional)
        .order_by("-sent_at", "-id")
        .values_list(
            "sent_at", "period__registration__register__name", "kind", "days_before", "period__end"
        )[:limit]
    )
    return [SentReminder(*row) for row in rows]
