"""The report's status summary, counted in SQL without building a row.

``status_expression`` is ``peregister.registry.progress.period_status`` written as a SQL
``CASE`` for the summary only: rows, pages and files keep calling the Python function, the
one definition. ``tests/test_report_summary.py`` checks that the two agree on thousands of
generated cases, on SQLite and on PostgreSQL. The rules, in order:

1. *behaald* (met) when the renewal is approved or earned ≥ required;
2. *verlopen* (expired) when today is after the period's end;
3. *achter* (behind) when earned < required × elapsed days // total days, where
   total = end − start + 1 and elapsed = today − start + 1 clamped to [0, total];
4. *op schema* (on track) otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import NotSupportedError
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan

from peregister.access.models import AccessGrant
from peregister.registry.models import RenewalSubmission
from peregister.registry.progress import PeriodStatus
from peregister.reports.rows import NO_PERIOD, current_periods, professionals_without_period


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
    total = ExpressionWrapper(DaysBetween(end, start) + 1, output_field=IntegerField())
    elapsed = Least(
        Greatest(DaysBetween(today, start) + 1, Value(0)), total, output_field=IntegerField()
    )
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


def status_counts(grants: QuerySet[AccessGrant], today: dt.date) -> Counter[str]:
    """How many report rows have each status (``NO_PERIOD`` included): two queries."""
    statuses = (
        current_periods(grants, today)
        .with_points()
        .with_renewal()
        .annotate(
            row_status=status_expression(
                earned=F("points_earned"),
                required=F("points_required"),
                start=F("start"),
                end=F("end"),
                today=Value(today, output_field=DateField()),
                approved=Q(renewal_status=RenewalSubmission.Status.APPROVED),
            )
        )
        .values("row_status")
        .annotate(rows=Count("pk"))
        .order_by()
    )
    counts: Counter[str] = Counter({row["row_status"]: row["rows"] for row in statuses})
    counts[NO_PERIOD] = professionals_without_period(grants, today).count()
    return counts
