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

from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import QueryDict

from peregister.access import policies
from peregister.access.models import AccessGrant
from peregister.core import clock
from peregister.core.pagination import PageWindow, requested_page
from peregister.registry.models import Professional
from peregister.reports.rows import (
    ReportRow,
    RowOrder,
    RowTotals,
    row_keys,
    row_totals,
    rows_for_grants,
    rows_for_keys,
    search_professionals,
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
    total: int  # what the pager counts: professionals in name order, rows sorted on a figure
    professionals: int  # whose rows they are: what "N professionals gevonden" counts
    rows: list[ReportRow]


def professionals_page(viewer: Any, at: dt.datetime, params: ListParams) -> ProfessionalsPage:
    """One page of the list; a page past the end is the last page.

    In name order (the default) a page is 50 professionals with all their rows, picked first
    over the name index and counted from the grants alone (``_by_name``); sorted on a figure
    or filtered on *risico*, a page is 50 rows picked by ``row_keys``. Either way only the
    page's rows get their figures, and the count costs a query only when the first page is
    full or another page is asked for.
    """
    grants = policies.live_grants_to_viewer(viewer, at)
    today = clock.local_date(at)
    if SORT_COLUMNS[params.sort_key] is RowOrder.NAME and not params.at_risk:
        return _by_name(grants, today, params)

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


def _by_name(
    grants: QuerySet[AccessGrant], today: dt.date, params: ListParams
) -> ProfessionalsPage:
    """A page of 50 professionals in name order, each with all their rows (a professional's
    registrations are never split over two pages), counted from the grants alone.

    Issue 12: ordering and counting every row of a large organisation made its first page
    cost six times a small one's. The page's professionals come from one statement with
    OFFSET/LIMIT (a walk over ``prof_name_idx`` probing the grants, or a top-N of the
    viewer's grants: whichever the planner finds cheaper for this viewer), the count is a
    distinct count of the grants, and only those professionals' rows are built.
    """
    count: int | None = None
    page = PageWindow(number=1, num_pages=1)
    if params.page != 1:
        count = _professional_count(grants, params.search)
        page = PageWindow.clamped(params.page, count, PAGE_SIZE)
    ids = _page_professionals(grants, params, page.offset_for(PAGE_SIZE))
    if count is None:
        # A first page that is not full is the whole list.
        count = len(ids) if len(ids) < PAGE_SIZE else _professional_count(grants, params.search)
    return ProfessionalsPage(
        page=PageWindow.clamped(page.number, count, PAGE_SIZE),
        total=count,
        professionals=count,
        rows=_rows_in_order(grants, today, ids),
    )


def _professional_count(grants: QuerySet[AccessGrant], search: str) -> int:
    """How many professionals ``grants`` covers (searched): from the grants alone."""
    covered = search_professionals(grants, search, "professional")
    return int(covered.values("professional_id").distinct().count())


def _page_professionals(
    grants: QuerySet[AccessGrant], params: ListParams, offset: int
) -> list[int]:
    """The page's professionals, in the list's name order (``Professional.Meta.ordering``)."""
    names = ("last_name", "initials", "id")
    ordering = [F(name).desc() if params.descending else F(name).asc() for name in names]
    visible = Professional.objects.filter(Exists(grants.filter(professional_id=OuterRef("pk"))))
    first = search_professionals(visible, params.search).order_by(*ordering)
    return list(first.values_list("pk", flat=True)[offset : offset + PAGE_SIZE])


def _rows_in_order(
    grants: QuerySet[AccessGrant], today: dt.date, ids: list[int]
) -> list[ReportRow]:
    """The rows of the professionals ``ids``, in the order of ``ids``; within a professional
    in the row source's order (register, registration), as ``row_keys`` orders them."""
    if not ids:
        return []
    per_professional: dict[int, list[ReportRow]] = {}
    for row in rows_for_grants(grants.filter(professional_id__in=ids), today):
        per_professional.setdefault(row.professional_id, []).append(row)
    return [row for pk in ids for row in per_professional.get(pk, [])]


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
