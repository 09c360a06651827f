"""The report's status summary, counted in SQL without building a row.

The status is the period rule's SQL form (``PePeriodQuerySet.with_status``, written next to
its Python form in ``peregister.registry.periods``); rows, pages and files apply the Python
form to plain values.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, QuerySet

from peregister.access.models import AccessGrant
from peregister.reports.rows import NO_PERIOD, current_periods, professionals_without_period


def status_counts(grants: QuerySet[AccessGrant], today: dt.date) -> Counter[str]:
    """How many report rows have each status (``NO_PERIOD`` included): two queries."""
    statuses = (
        current_periods(grants, today)
        .with_status(today)
        .values("period_status")
        .annotate(rows=Count("pk"))
        .order_by()
    )
    counts: Counter[str] = Counter({row["period_status"]: row["rows"] for row in statuses})
    counts[NO_PERIOD] = professionals_without_period(grants, today).count()
    return counts
