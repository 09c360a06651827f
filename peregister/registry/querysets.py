"""Query building blocks for lists: the current period's stored figures and its status in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import F, Q, Value

from peregister.registry import periods
from peregister.registry.periods import (
    at_risk_expression,
    current_period_expression,
    current_period_value,
    forecast_expression,
    status_expression,
)

# ``RenewalSubmission.Status.APPROVED`` (models import this module, not the other way round).
APPROVED = "approved"


def _model(name: str) -> Any:
    return apps.get_model("registry", name)


def _today(today: dt.date) -> Value:
    return Value(today, output_field=models.DateField())


def period_forecast_sql(today: dt.date) -> Any:
    """A period row's forecast (``periods.forecast_expression``) from its stored figures."""
    return forecast_expression(
        earned=F("points_earned"), start=F("start"), end=F("end"), today=_today(today)
    )


def period_at_risk_sql(today: dt.date) -> Any:
    """A period row's *risico* (``periods.at_risk_expression``) from its stored figures."""
    return at_risk_expression(
        earned=F("points_earned"),
        required=F("points_required"),
        start=F("start"),
        end=F("end"),
        today=_today(today),
        approved=Q(renewal_status=APPROVED),
    )


def current_forecast(today: dt.date, registration_ref: str = "pk") -> Any:
    """The forecast of the current period of ``OuterRef(registration_ref)`` (a sort value)."""
    return current_period_expression(today, period_forecast_sql(today), registration_ref)


def current_at_risk(today: dt.date, registration_ref: str = "pk") -> Any:
    """The *risico* of the current period of ``OuterRef(registration_ref)`` (a filter)."""
    return current_period_expression(today, period_at_risk_sql(today), registration_ref)


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
            current_points=current_period_value(on, "points_earned"),
        )


class PePeriodQuerySet(models.QuerySet[Any]):
    def current(self, on: dt.date) -> PePeriodQuerySet:
        """Per registration the latest period that has started on ``on`` (``periods.is_current``).

        For an active registration that period contains ``on``; for a lapsed one it is the
        period that ran out.
        """
        return self.filter(periods.is_current(on))

    def with_status(self, today: dt.date) -> PePeriodQuerySet:
        """``period_status`` (a ``PeriodStatus`` value) in SQL, from the stored figures."""
        return self.annotate(
            period_status=status_expression(
                earned=F("points_earned"),
                required=F("points_required"),
                start=F("start"),
                end=F("end"),
                today=_today(today),
                approved=Q(renewal_status=APPROVED),
            )
        )

    def with_forecast(self, today: dt.date) -> PePeriodQuerySet:
        """``period_forecast`` in SQL: ``forecast_points`` and ``at_risk``."""
        return self.annotate(
            forecast_points=period_forecast_sql(today), at_risk=period_at_risk_sql(today)
        )

    def with_progress(self) -> PePeriodQuerySet:
        """With what the dossier shows next to the figures (register, professional)."""
        return self.select_related("registration__register", "registration__professional")


class CompletionQuerySet(models.QuerySet[Any]):
    def within(self, start: dt.date, end: dt.date) -> CompletionQuerySet:
        return self.filter(completed_on__gte=start, completed_on__lte=end)
