"""The PE period rule in one place: its dates, which period is current, and its status.

Dates: N months run from the start to the day before start + N months (``period_end``).

Current: per registration, the latest period that has started on a day (its first day
counts). For an active registration it contains that day; for a lapsed one it is the period
that ran out. A query needs the rule in one of four shapes, all written here: ``is_current``
(filter periods, NOT EXISTS a later started one; ``PePeriodQuerySet.current``),
``started_periods`` / ``current_period_value`` (newest first, per registration),
``has_current_period`` (``RegistrationQuerySet.with_current_period``) and
``has_no_started_period`` (a professional without any current period). The dossier filters
``has_started`` and marks ``is_current``; ``tests/test_periods.py`` checks that the shapes agree.

Status, in order (``period_status`` in Python, ``status_expression`` in SQL, side by side here;
``tests/test_report_summary.py`` checks that the two agree on thousands of generated cases
and ``tests/test_periods.py`` on stored periods, on SQLite and PostgreSQL):

1. *behaald* (met) when the renewal is approved or earned ≥ required;
2. *verlopen* (expired) when the day is after the period's end;
3. *achter* (behind) when earned < required × elapsed days // total days, where
   total = end − start + 1 and elapsed = day − start + 1 clamped to [0, total];
4. *op schema* (on track) otherwise.

A registration whose current period is *verlopen* lapses (``backoffice.closing``).

Forecast and *risico* (``period_forecast`` in Python, ``forecast_expression`` and
``at_risk_expression`` in SQL, at the end of this module; ``tests/test_forecast.py`` checks
that they agree): the points at the period's end at the pace so far, and whether a running
period (*op schema* or *achter*) is forecast short of the required points once a quarter of
it has passed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, NamedTuple

from django.apps import apps
from django.db import NotSupportedError, models
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils.translation import gettext_lazy as _

# --- dates -------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: dt.date, months: int) -> dt.date:
    return add_months(start, months) - dt.timedelta(days=1)


# --- which period is current ---------------------------------------------------------------------
# One rule, written once per shape a query needs: a period has started on a day when its start
# is on or before it (the first day counts); the current period of a registration is its latest
# started one. ``tests/test_periods.py`` checks that the shapes agree.


def _periods() -> Any:
    # By name: the models import this module (through their querysets).
    return apps.get_model("registry", "PePeriod").objects


def has_started(on: dt.date, path: str = "") -> Q:
    """The period (``path`` leads to it, ``""``: the row itself) has started on ``on``."""
    return Q(**{f"{path}start__lte": on})


def is_current(on: dt.date) -> Q:
    """A period row is current on ``on``: started, and no later period of its registration has
    (the NOT EXISTS shape, for filtering periods; ``PePeriodQuerySet.current``)."""
    later = _periods().filter(
        has_started(on), registration=OuterRef("registration"), start__gt=OuterRef("start")
    )
    return Q(has_started(on), ~Q(Exists(later)))


def started_periods(registration_ref: str, on: dt.date) -> Any:
    """Periods of the registration ``OuterRef(registration_ref)`` started on ``on``, newest
    first: the first is its current period (the shape of a subquery per registration)."""
    return (
        _periods()
        .filter(has_started(on), registration=OuterRef(registration_ref))
        .order_by("-start")
    )


def current_period_value(on: dt.date, field: str, registration_ref: str = "pk") -> Subquery:
    """``field`` of the current period of the registration ``OuterRef(registration_ref)``: one
    index probe (``RegistrationQuerySet.with_current_figures``, the list's sort values)."""
    return Subquery(started_periods(registration_ref, on).values(field)[:1])


def has_current_period(on: dt.date, registration_ref: str = "pk") -> Exists:
    """The registration ``OuterRef(registration_ref)`` has a current period on ``on``: it has
    started one (``RegistrationQuerySet.with_current_period``)."""
    return Exists(started_periods(registration_ref, on))


def has_no_started_period(on: dt.date, professional_ref: str = "pk") -> Q:
    """The professional ``OuterRef(professional_ref)`` has no current period in any
    registration on ``on`` (a row *geen lopende PE-periode* in the list and the report)."""
    started = _periods().filter(
        has_started(on), registration__professional=OuterRef(professional_ref)
    )
    return ~Q(Exists(started))


# --- status: Python ----------------------------------------------------------------------------


class PeriodStatus(models.TextChoices):
    ON_TRACK = "on_track", _("op schema")
    BEHIND = "behind", _("achter")
    MET = "met", _("behaald")
    EXPIRED = "expired", _("verlopen")


def _days(start: dt.date, end: dt.date, today: dt.date, *, least: int) -> tuple[int, int]:
    """(total days, elapsed days): elapsed = day − start + 1 clamped to [``least``, total]."""
    total_days = (end - start).days + 1
    return total_days, min(max((today - start).days + 1, least), total_days)


def expected_points(*, points_required: int, start: dt.date, end: dt.date, today: dt.date) -> int:
    """Points a linear pace has by ``today``: rounded down to whole points."""
    total_days, elapsed_days = _days(start, end, today, least=0)
    return points_required * elapsed_days // total_days


def period_status(
    *,
    points_earned: int,
    points_required: int,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    renewal_approved: bool = False,
) -> PeriodStatus:
    first = start.toordinal()
    total_days = end.toordinal() - first + 1
    return _status(
        points_earned,
        points_required,
        total_days,
        today.toordinal() - first + 1,
        renewal_approved,
    )


def _status(
    earned: int, required: int, total_days: int, since_start: int, approved: bool
) -> PeriodStatus:
    """The rule above from day numbers (``since_start``: day − start + 1, unclamped): plain
    integer arithmetic, as it runs once per row of a report of tens of thousands."""
    if approved or earned >= required:
        return PeriodStatus.MET
    if since_start > total_days:
        return PeriodStatus.EXPIRED
    elapsed_days = min(max(since_start, 0), total_days)
    return (
        PeriodStatus.BEHIND
        if earned < required * elapsed_days // total_days
        else (PeriodStatus.ON_TRACK)
    )


# --- status: SQL -------------------------------------------------------------------------------


class DaysBetween(Func):
    """Whole days from the second date to the first (``later − earlier``), as an integer."""

    arity = 2
    output_field = IntegerField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        raise NotSupportedError(
            f"DaysBetween is written for SQLite and PostgreSQL only, not for {connection.vendor}."
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # julianday() of two dates differs by a whole number of days, exactly.
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # date − date is an integer number of days in PostgreSQL.
        return super().as_sql(
            compiler,
            connection,
            template="(CAST(%(expressions)s AS date))",
            arg_joiner=" AS date) - CAST(",
            **extra,
        )


def _days_expression(
    start: Expression | F, end: Expression | F, today: Expression, *, least: int
) -> tuple[Expression, Expression]:
    """``_days`` in SQL: (total days, elapsed days clamped to [``least``, total])."""
    total = ExpressionWrapper(DaysBetween(end, start) + 1, output_field=IntegerField())
    elapsed = Least(
        Greatest(DaysBetween(today, start) + 1, Value(least)), total, output_field=IntegerField()
    )
    return total, elapsed


def status_expression(
    *,
    earned: Expression | F,
    required: Expression | F,
    start: Expression | F,
    end: Expression | F,
    today: Expression,
    approved: Q | Expression,
) -> Case:
    """``period_status`` in SQL: one of the ``PeriodStatus`` values (see the module doc)."""
    total, elapsed = _days_expression(start, end, today, least=0)
    # Whole-number division: never negative here, so truncation is the floor of ``//``.
    expected = ExpressionWrapper(required * elapsed / total, output_field=IntegerField())
    return Case(
        When(approved, then=Value(str(PeriodStatus.MET.value))),
        When(GreaterThanOrEqual(earned, required), then=Value(str(PeriodStatus.MET.value))),
        When(GreaterThan(today, end), then=Value(str(PeriodStatus.EXPIRED.value))),
        When(LessThan(earned, expected), then=Value(str(PeriodStatus.BEHIND.value))),
        default=Value(str(PeriodStatus.ON_TRACK.value)),
        output_field=CharField(),
    )


# --- forecast: Python --------------------------------------------------------------------------
# The forecast is the points at the period's end at the professional's pace so far:
# earned × total days // elapsed days, with elapsed = day − start + 1 clamped to [1, total]
# (after the end it is the points earned). *Risico*: a period not yet *behaald* nor *verlopen*
# whose forecast is short of the required points, once at least a quarter of it has passed
# (elapsed days × 4 ≥ total days, elapsed clamped to [0, total]): before that there is no pace
# to extrapolate, and *achter* still flags whoever is behind. ``forecast_expression`` and
# ``at_risk_expression`` below are the SQL form; ``tests/test_forecast.py`` checks they agree.
# On a linear pace *risico* is *achter* without the rounding down of the expected points: it
# also flags a professional exactly on the rounded-down pace but short at the end.

RUNNING = frozenset({PeriodStatus.ON_TRACK, PeriodStatus.BEHIND})


class Forecast(NamedTuple):
    """A named tuple, not a frozen dataclass: one is made per row of a report, and a frozen
    dataclass's ``__init__`` costs a ``setattr`` call per field."""

    points: int
    at_risk: bool
    status: PeriodStatus  # the period's status, which *risico* depends on


def forecast_points(*, points_earned: int, start: dt.date, end: dt.date, today: dt.date) -> int:
    """Points at ``end`` at the pace from ``start`` to ``today``, rounded down."""
    total_days, elapsed_days = _days(start, end, today, least=1)
    return points_earned * total_days // elapsed_days


def period_forecast(
    *,
    points_earned: int,
    points_required: int,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    renewal_approved: bool = False,
    status: PeriodStatus | None = None,
) -> Forecast:
    """The status, forecast and *risico* of a period (``status``: its ``period_status`` when
    the caller knows it already). Day numbers once, shared by the three (the report calls
    this for every row)."""
    first = start.toordinal()
    total_days = end.toordinal() - first + 1
    since_start = today.toordinal() - first + 1
    if status is None:
        status = _status(points_earned, points_required, total_days, since_start, renewal_approved)
    # ``forecast_points``: elapsed clamped to [1, total]; the pace: clamped to [0, total].
    points = points_earned * total_days // min(max(since_start, 1), total_days)
    return Forecast(
        points,
        status in RUNNING
        and min(max(since_start, 0), total_days) * 4 >= total_days
        and points < points_required,
        status,
    )


# --- forecast: SQL ------------------------------------------------------------------------------


def forecast_expression(
    *, earned: Expression | F, start: Expression | F, end: Expression | F, today: Expression
) -> ExpressionWrapper:
    """``forecast_points`` in SQL."""
    total, elapsed = _days_expression(start, end, today, least=1)
    # Whole-number division of non-negative numbers: the floor of ``//``.
    return ExpressionWrapper(earned * total / elapsed, output_field=IntegerField())


def at_risk_expression(
    *,
    earned: Expression | F,
    required: Expression | F,
    start: Expression | F,
    end: Expression | F,
    today: Expression,
    approved: Q | Expression,
) -> Case:
    """``period_forecast(...).at_risk`` in SQL: true or false."""
    forecast = forecast_expression(earned=earned, start=start, end=end, today=today)
    total, elapsed = _days_expression(start, end, today, least=0)
    return Case(
        When(approved, then=Value(False)),
        When(GreaterThanOrEqual(earned, required), then=Value(False)),
        When(GreaterThan(today, end), then=Value(False)),
        When(LessThan(elapsed * 4, total), then=Value(False)),  # less than a quarter passed
        When(LessThan(forecast, required), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def current_period_expression(
    on: dt.date, expression: Expression, registration_ref: str = "pk"
) -> Subquery:
    """``expression`` (over a period's columns) for the current period of the registration
    ``OuterRef(registration_ref)``: one index probe, like ``current_period_value``."""
    return Subquery(
        started_periods(registration_ref, on).annotate(value=expression).values("value")[:1]
    )
