"""The *rapportage* on screen: a status summary over all rows and one page of the table.

Neither reads the whole report: the summary is counted in SQL (``summary.status_counts``),
the page's rows are picked in SQL (``rows.row_keys``: LIMIT/OFFSET over the report's row
order) and only those professionals go through the same row generator as the downloads.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from peregister.access import policies
from peregister.access.models import AccessGrant
from peregister.core import clock
from peregister.core.pagination import PageWindow
from peregister.registry.periods import PeriodStatus
from peregister.reports.rows import (
    NO_PERIOD,
    NO_PERIOD_LABEL,
    ReportRow,
    row_keys,
    rows_for_grants,
)
from peregister.reports.summary import status_counts

PAGE_SIZE = 50
MAX_PAGE_PARAM_LENGTH = 10


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    percent: int  # share of all rows, for the bar width


@dataclass(frozen=True)
class ScreenReport:
    total: int
    statuses: list[StatusCount]
    rows: list[ReportRow]
    page: PageWindow


def page_number(raw: str | None) -> int:
    """Garbage, zero and negative numbers mean page 1; too large is clamped later."""
    # isascii(): str.isdigit() also accepts characters such as "²" that int() refuses.
    if not raw or len(raw) > MAX_PAGE_PARAM_LENGTH or not (raw.isascii() and raw.isdigit()):
        return 1
    return max(int(raw), 1)


def _status_counts(counts: Counter[str], total: int) -> list[StatusCount]:
    labels = [(str(status.value), str(status.label)) for status in PeriodStatus]
    labels.append((NO_PERIOD, str(NO_PERIOD_LABEL)))
    return [
        StatusCount(
            status=status,
            label=label,
            count=counts[status],
            percent=counts[status] * 100 // total if total else 0,
        )
        for status, label in labels
    ]


def _page_rows(
    grants: QuerySet[AccessGrant], today: dt.date, offset: int, *, without_period: bool
) -> list[ReportRow]:
    keys = row_keys(grants, today, offset=offset, limit=PAGE_SIZE, without_period=without_period)
    if not keys:
        return []
    wanted = set(keys)
    # A professional with several registrations can start on the previous page: their
    # rows are all generated, and only the page's own kept.
    professional_ids = {professional_id for professional_id, _ in keys}
    page_grants = grants.filter(professional_id__in=professional_ids)
    return [
        row
        for row in rows_for_grants(page_grants, today)
        if (row.professional_id, row.registration_id) in wanted
    ]


def screen_report(viewer: Any, at: dt.datetime, requested_page: int) -> ScreenReport:
    grants = policies.report_grants(viewer, at)
    today = clock.local_date(at)
    counts = status_counts(grants, today)
    total = sum(counts.values())
    num_pages = max(1, -(-total // PAGE_SIZE))
    number = min(requested_page, num_pages)  # too large: the last page
    rows = []
    if total:
        offset = (number - 1) * PAGE_SIZE
        rows = _page_rows(grants, today, offset, without_period=counts[NO_PERIOD] > 0)
    return ScreenReport(
        total=total,
        statuses=_status_counts(counts, total),
        rows=rows,
        page=PageWindow(number=number, num_pages=num_pages),
    )
