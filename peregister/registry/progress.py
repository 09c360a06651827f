"""A period's figures as one value for the dossier pages.

The status comes from the period rule (``peregister.registry.periods``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peregister.registry.periods import PeriodStatus, period_forecast


def points_percent(points_earned: int, points_required: int) -> int:
    """Points earned as a whole percentage of the required points, at most 100 (a bar)."""
    if points_required <= 0:
        return 100
    return min(100, points_earned * 100 // points_required)


@dataclass(frozen=True)
class Progress:
    """Start, end, points, status, days left, forecast and *risico* of one period."""

    start: dt.date
    end: dt.date
    points_earned: int
    points_required: int
    status: PeriodStatus
    days_left: int
    forecast_points: int = 0
    at_risk: bool = False

    @property
    def percent(self) -> int:
        return points_percent(self.points_earned, self.points_required)

    @classmethod
    def compute(
        cls,
        *,
        start: dt.date,
        end: dt.date,
        points_earned: int,
        points_required: int,
        today: dt.date,
        renewal_approved: bool = False,
    ) -> Progress:
        forecast = period_forecast(
            points_earned=points_earned,
            points_required=points_required,
            start=start,
            end=end,
            today=today,
            renewal_approved=renewal_approved,
        )
        return cls(
            start=start,
            end=end,
            points_earned=points_earned,
            points_required=points_required,
            status=forecast.status,
            days_left=max((end - today).days, 0),
            forecast_points=forecast.points,
            at_risk=forecast.at_risk,
        )
