"""How far a professional is in a PE period: the status words the UI shows.

"achter" (behind) means fewer points than a linear pace would have by today: the required
points times the elapsed share of the period, rounded down to whole points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodStatus(models.TextChoices):
    ON_TRACK = "on_track", _("op schema")
    BEHIND = "behind", _("achter")
    MET = "met", _("behaald")
    EXPIRED = "expired", _("verlopen")


def expected_points(*, points_required: int, start: dt.date, end: dt.date, today: dt.date) -> int:
    total_days = (end - start).days + 1
    elapsed_days = min(max((today - start).days + 1, 0), total_days)
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
    if renewal_approved or points_earned >= points_required:
        return PeriodStatus.MET
    if today > end:
        return PeriodStatus.EXPIRED
    expected = expected_points(points_required=points_required, start=start, end=end, today=today)
    return PeriodStatus.BEHIND if points_earned < expected else PeriodStatus.ON_TRACK


@dataclass(frozen=True)
class Progress:
    """A period's figures as one value, for templates, reports and the API."""

    start: dt.date
    end: dt.date
    points_earned: int
    points_required: int
    status: PeriodStatus
    days_left: int

    @property
    def percent(self) -> int:
        if self.points_required <= 0:
            return 100
        return min(100, self.points_earned * 100 // self.points_required)

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
        return cls(
            start=start,
            end=end,
            points_earned=points_earned,
            points_required=points_required,
            status=period_status(
                points_earned=points_earned,
                points_required=points_required,
                start=start,
                end=end,
                today=today,
                renewal_approved=renewal_approved,
            ),
            days_left=max((end - today).days, 0),
        )
