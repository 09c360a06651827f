"""Query building blocks for lists: points and renewal state are computed in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce


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


def current_period_value(on: dt.date, field: str) -> Subquery:
    """``field`` of a registration's current period on ``on`` (see ``PePeriodQuerySet.current``).

    A subquery on the registration: the latest period started on ``on``, one index probe.
    """
    latest = (
        _model("PePeriod")
        .objects.filter(registration=OuterRef("pk"), start__lte=on)
        .order_by("-start")
        .values(field)[:1]
    )
    return Subquery(latest)


class ProfessionalQuerySet(models.QuerySet[Any]):
    def search(self, term: str) -> ProfessionalQuerySet:
        term = term.strip()
        if not term:
            return self
        return self.filter(
            Q(registration_number__iexact=term)
            | Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
        )


class RegistrationQuerySet(models.QuerySet[Any]):
    def with_current_period(self, on: dt.date) -> RegistrationQuerySet:
        """Registrations that have a period started on ``on``.

        Exactly these have one ``PePeriodQuerySet.current(on)`` period (starts are unique per
        registration), so counting them counts the current periods without the anti-join.
        """
        started = _model("PePeriod").objects.filter(registration=OuterRef("pk"), start__lte=on)
        return self.filter(Exists(started))


class PePeriodQuerySet(models.QuerySet[Any]):
    def current(self, on: dt.date) -> PePeriodQuerySet:
        """Per registration the latest period that has started on ``on``.

        For an active registration that period contains ``on``; for a lapsed one it is the
        period that ran out.
        """
        later = _model("PePeriod").objects.filter(
            registration=OuterRef("registration"), start__gt=OuterRef("start"), start__lte=on
        )
        return self.filter(start__lte=on).exclude(Exists(later))

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

    def with_progress(self) -> PePeriodQuerySet:
        return (
            self.with_points()
            .with_renewal()
            .select_related("registration__register", "registration__professional")
        )


class CompletionQuerySet(models.QuerySet[Any]):
    def within(self, start: dt.date, end: dt.date) -> CompletionQuerySet:
        return self.filter(completed_on__gte=start, completed_on__lte=end)
