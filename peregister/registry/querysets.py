"""Query building blocks for lists: points and renewal state are computed in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from peregister.registry import periods
from peregister.registry.periods import current_period_value, status_expression

# ``RenewalSubmission.Status.APPROVED`` (models import this module, not the other way round).
APPROVED = "approved"


def _model(name: str) -> Any:
    return apps.get_model("registry", name)


def points_in_period(professional_ref: str, start_ref: str, end_ref: str) -> Coalesce:
    """Sum of a professional's completion points dated within a period, as a subquery."""
    completions = (
        _model("Completion")
        .objects.filter(
            professional=OuterRef(professional_ref),
            completed_on__gte=OuterRef(start_ref),
            completed_on__lte=OuterRef(end_ref),
        )
        .order_by()
        .values("professional")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Coalesce(Subquery(completions), Value(0), output_field=models.IntegerField())


class RegistrationQuerySet(models.QuerySet[Any]):
    def with_current_period(self, on: dt.date) -> RegistrationQuerySet:
        """Registrations that have a current period on ``on`` (``periods.has_current_period``).

        Exactly these have one ``PePeriodQuerySet.current(on)`` period (starts are unique per
        registration), so counting them counts the current periods without the anti-join.
        """
        return self.filter(periods.has_current_period(on))

    def with_current_figures(self, on: dt.date) -> RegistrationQuerySet:
        """Annotate the current period's ``current_start``, ``current_end``,
        ``current_required`` and ``current_points`` (for a lapsed registration: the period that
        ran out)."""
        return self.annotate(
            current_start=current_period_value(on, "start"),
            current_end=current_period_value(on, "end"),
            current_required=current_period_value(on, "points_required"),
        ).annotate(current_points=points_in_period("professional", "current_start", "current_end"))


class PePeriodQuerySet(models.QuerySet[Any]):
    def current(self, on: dt.date) -> PePeriodQuerySet:
        """Per registration the latest period that has started on ``on`` (``periods.is_current``).

        For an active registration that period contains ``on``; for a lapsed one it is the
        period that ran out.
        """
        return self.filter(periods.is_current(on))

    def with_points(self) -> PePeriodQuerySet:
        return self.annotate(
            points_earned=points_in_period("registration__professional", "start", "end")
        )

    def with_renewal(self) -> PePeriodQuerySet:
        latest = (
            _model("RenewalSubmission")
            .objects.filter(period=OuterRef("pk"))
            .order_by("-submitted_at", "-id")
        )
        return self.annotate(
            renewal_status=Subquery(latest.values("status")[:1]),
            renewal_submitted_at=Subquery(latest.values("submitted_at")[:1]),
        )

    def with_status(self, today: dt.date) -> PePeriodQuerySet:
        """Points, renewal and ``period_status`` (a ``PeriodStatus`` value) computed in SQL."""
        return (
            self.with_points()
            .with_renewal()
            .annotate(
                period_status=status_expression(
                    earned=F("points_earned"),
                    required=F("points_required"),
                    start=F("start"),
                    end=F("end"),
                    today=Value(today, output_field=models.DateField()),
                    approved=Q(renewal_status=APPROVED),
                )
            )
        )

    def with_progress(self) -> PePeriodQuerySet:
        return (
            self.with_points()
            .with_renewal()
            .select_related("registration__register", "registration__professional")
        )


class CompletionQuerySet(models.QuerySet[Any]):
    def within(self, start: dt.date, end: dt.date) -> CompletionQuerySet:
        return self.filter(completed_on__gte=start, completed_on__lte=end)
