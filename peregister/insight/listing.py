"""The *Professionals* list: everyone who authorises this contact now, one row per current PE
period and one, marked *geen lopende PE-periode*, for a professional without one.

Who is on the list comes from ``peregister.access.policies.live_grants_to_viewer``; the rows
and the pager are the *rapportage*'s (``peregister.reports.rows``): one row source, so the
list and the report cannot disagree. This module adds search, the *risico* filter and
whitelisted sorting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from peregister.access import policies
from peregister.core import clock
from peregister.core.pagination import PageWindow, requested_page
from peregister.reports.rows import (
    ReportRow,
    RowOrder,
    RowTotals,
    row_keys,
    row_totals,
    rows_for_keys,
)

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
DEFAULT_SORT = "naam"

# URL key → what it orders by; only these keys are accepted.
SORT_COLUMNS: dict[str, RowOrder] = {
    "naam": RowOrder.NAME,
    "nummer": RowOrder.NUMBER,
    "register": RowOrder.REGISTER,
    "periode": RowOrder.PERIOD_END,
    "punten": RowOrder.POINTS,
    "prognose": RowOrder.FORECAST,
    "tot": RowOrder.AUTHORISED_UNTIL,
}


@dataclass(frozen=True)
class ListParams:
    """The list's GET parameters, cleaned: garbage is ignored, never an error."""

    search: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1
    at_risk: bool = False  # only the rows at *risico* (``?risico=1``)

    @classmethod
    def from_query(cls, query: QueryDict) -> ListParams:
        # Control characters (a NUL byte is a database error on PostgreSQL) never match a name.
        printable = "".join(c if c.isprintable() else " " for c in query.get("q", ""))
        search = " ".join(printable.split())[:MAX_SEARCH_LENGTH]
        sort = query.get("sort", DEFAULT_SORT)
        if sort.removeprefix("-") not in SORT_COLUMNS:
            sort = DEFAULT_SORT
        return cls(
            search=search,
            sort=sort,
            page=requested_page(query),
            at_risk=query.get("risico") == "1",
        )

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


@dataclass(frozen=True)
class ProfessionalsPage:
    page: PageWindow
    total: int  # rows (the pager counts them)
    professionals: int  # whose rows they are: what "N professionals gevonden" counts
    rows: list[ReportRow]


def professionals_page(viewer: Any, at: dt.datetime, params: ListParams) -> ProfessionalsPage:
    """One page of the list; a page past the end is the last page.

    The page's keys come first (ordered and cut in one statement), then its ≤ 50 rows with
    their figures. The total costs a query only when the first page is full or another page
    is asked for.
    """
    grants = policies.live_grants_to_viewer(viewer, at)
    today = clock.local_date(at)

    def keys(page: PageWindow) -> list[tuple[int, int | None]]:
        return row_keys(
            grants,
            today,
            offset=page.offset_for(PAGE_SIZE),
            limit=PAGE_SIZE,
            search=params.search,
            order=SORT_COLUMNS[params.sort_key],
            descending=params.descending,
            at_risk_only=params.at_risk,
        )

    if params.page == 1:
        page = PageWindow(number=1, num_pages=1)
        found = keys(page)
        if len(found) < PAGE_SIZE:  # the whole list is on this page
            totals = RowTotals(rows=len(found), professionals=len({key[0] for key in found}))
        else:
            totals = row_totals(grants, today, params.search, params.at_risk)
    else:
        totals = row_totals(grants, today, params.search, params.at_risk)
        page = PageWindow.clamped(params.page, totals.rows, PAGE_SIZE)
        found = keys(page)
    page = PageWindow.clamped(page.number, totals.rows, PAGE_SIZE)
    return ProfessionalsPage(
        page=page,
        total=totals.rows,
        professionals=totals.professionals,
        rows=rows_for_keys(grants, today, found),
    )


@dataclass(frozen=True)
class SortLink:
    """A sortable column header: where clicking it goes, and what ``aria-sort`` it has now."""

    query: str
    aria_sort: str


def sort_links(params: ListParams) -> dict[str, SortLink]:
    links: dict[str, SortLink] = {}
    for key in SORT_COLUMNS:
        active = params.sort_key == key
        # Clicking the active column reverses it; another column starts ascending.
        target = key if not active or params.descending else f"-{key}"
        query = _filters(params)
        query["sort"] = target
        state = "none"
        if active:
            state = "descending" if params.descending else "ascending"
        links[key] = SortLink(query=query.urlencode(), aria_sort=state)
    return links


def _filters(params: ListParams) -> QueryDict:
    """Search and the *risico* filter, kept by sorting and paging."""
    query = QueryDict(mutable=True)
    if params.search:
        query["q"] = params.search
    if params.at_risk:
        query["risico"] = "1"
    return query


def page_query(params: ListParams) -> str:
    """The query string that keeps search, filter and sort when paging (the page number is
    appended)."""
    query = _filters(params)
    query["sort"] = params.sort
    return query.urlencode()
