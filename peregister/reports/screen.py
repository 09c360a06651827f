"""The *rapportage* on screen: a status summary over all rows and one page of the table.

Neither reads the whole report: the summary is counted in SQL (``summary.status_counts``),
the page's rows are picked in SQL (``rows.row_keys``: LIMIT/OFFSET over the report's row
order) and only those professionals go through the same row generator as the downloads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from peregister.access.policies import ReportScope
from peregister.core.pagination import PageWindow
from peregister.registry.periods import PeriodStatus
from peregister.reports.rows import (
    NO_PERIOD,
    NO_PERIOD_LABEL,
    ReportRow,
    row_keys,
    rows_for_keys,
)
from peregister.reports.summary import status_counts

PAGE_SIZE = 50


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


def screen_report(scope: ReportScope, requested_page: int) -> ScreenReport:
    counts = status_counts(scope.grants, scope.today)
    total = sum(counts.values())
    page = PageWindow.clamped(requested_page, total, PAGE_SIZE)
    rows = []
    if total:
        keys = row_keys(
            scope.grants,
            scope.today,
            offset=page.offset_for(PAGE_SIZE),
            limit=PAGE_SIZE,
            without_period=counts[NO_PERIOD] > 0,
        )
        rows = rows_for_keys(scope.grants, scope.today, keys)
    return ScreenReport(total=total, statuses=_status_counts(counts, total), rows=rows, page=page)
