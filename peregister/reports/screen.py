"""The *rapportage* on screen: a status summary over all rows and one page of the table.

The rows come from the same generator as the downloads; they are read once, counting
statuses and keeping only the rows of the requested page, so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from peregister.insight.pagination import PageWindow
from peregister.registry.progress import PeriodStatus
from peregister.reports.rows import NO_PERIOD, NO_PERIOD_LABEL, ReportRow, report_rows

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
    if not raw or len(raw) > MAX_PAGE_PARAM_LENGTH or not raw.isdigit():
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


def screen_report(viewer: Any, at: dt.datetime, requested_page: int) -> ScreenReport:
    counts: Counter[str] = Counter()
    wanted: list[ReportRow] = []
    tail: deque[ReportRow] = deque(maxlen=PAGE_SIZE)  # the last page, if the wanted one is past it
    first, last = (requested_page - 1) * PAGE_SIZE, requested_page * PAGE_SIZE
    total = 0
    for index, row in enumerate(report_rows(viewer, at)):
        counts[row.status] += 1
        if first <= index < last:
            wanted.append(row)
        tail.append(row)
        total = index + 1
    num_pages = max(1, -(-total // PAGE_SIZE))
    number = min(requested_page, num_pages)
    if number != requested_page:
        on_last_page = total - (num_pages - 1) * PAGE_SIZE
        wanted = list(tail)[-on_last_page:] if on_last_page else []
    return ScreenReport(
        total=total,
        statuses=_status_counts(counts, total),
        rows=wanted,
        page=PageWindow(number=number, num_pages=num_pages),
    )
