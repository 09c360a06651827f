"""The *Professionals* list: current PE periods of the professionals who authorise this contact.

Who is on the list comes from ``peregister.access.policies`` only; this module adds search,
whitelisted sorting and pagination. Points and renewal state are summed in SQL, so a page
costs the same number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, OrderBy, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict

from peregister.access import policies
from peregister.core import clock
from peregister.registry.models import PePeriod, Professional, Registration
from peregister.registry.progress import Progress

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
# A page number longer than this is garbage, not a page; it is treated as page 1.
MAX_PAGE_PARAM_LENGTH = 10
DEFAULT_SORT = "naam"

_PROFESSIONAL = "registration__professional"
# URL key → the columns it orders by; only these keys are accepted.
SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "naam": (f"{_PROFESSIONAL}__last_name", f"{_PROFESSIONAL}__first_name"),
    "nummer": (f"{_PROFESSIONAL}__registration_number",),
    "register": ("registration__register__name",),
    "periode": ("end",),
    "punten": ("points_earned",),
    "tot": ("authorised_until",),
}
# Makes the order total, so a row never shows up on two pages.
_TIE_BREAKERS = (
    f"{_PROFESSIONAL}__last_name",
    f"{_PROFESSIONAL}__first_name",
    f"{_PROFESSIONAL}_id",
    "registration_id",
)


@dataclass(frozen=True)
class ListParams:
    """The list's GET parameters, cleaned: garbage is ignored, never an error."""

    search: str = ""
    sort: str = DEFAULT_SORT
    page: str = "1"

    @classmethod
    def from_query(cls, query: QueryDict) -> ListParams:
        # Control characters (a NUL byte is a database error on PostgreSQL) never match a name.
        printable = "".join(c if c.isprintable() else " " for c in query.get("q", ""))
        search = " ".join(printable.split())[:MAX_SEARCH_LENGTH]
        sort = query.get("sort", DEFAULT_SORT)
        if sort.removeprefix("-") not in SORT_COLUMNS:
            sort = DEFAULT_SORT
        page = query.get("page", "1")
        if len(page) > MAX_PAGE_PARAM_LENGTH:
            page = "1"
        return cls(search=search, sort=sort, page=page)

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


@dataclass(frozen=True)
class ProfessionalRow:
    professional: Professional
    registration: Registration
    progress: Progress
    authorised_until: dt.date | None


def _search(queryset: QuerySet[PePeriod], term: str) -> QuerySet[PePeriod]:
    """Every word must occur in a name part; or the whole term is the registration number."""
    if not term:
        return queryset
    words = Q()
    for word in term.split():
        words &= (
            Q(**{f"{_PROFESSIONAL}__first_name__icontains": word})
            | Q(**{f"{_PROFESSIONAL}__name_prefix__icontains": word})
            | Q(**{f"{_PROFESSIONAL}__last_name__icontains": word})
        )
    return queryset.filter(words | Q(**{f"{_PROFESSIONAL}__registration_number__iexact": term}))


def _ordering(params: ListParams) -> list[OrderBy]:
    primary = [
        # "No end date" sorts as the latest date: last going up, first going down.
        F(column).desc(nulls_first=True) if params.descending else F(column).asc(nulls_last=True)
        for column in SORT_COLUMNS[params.sort_key]
    ]
    return [*primary, *(F(column).asc() for column in _TIE_BREAKERS)]


def current_periods_for_contact(viewer: Any, at: dt.datetime) -> QuerySet[PePeriod]:
    """Current periods of professionals with a live grant to ``viewer``, with the grant's end."""
    grants = policies.live_grants_to_viewer(viewer, at)
    latest_end = (
        grants.filter(professional_id=OuterRef("registration__professional_id"))
        .order_by(F("valid_until").desc(nulls_first=True))
        .values("valid_until")[:1]
    )
    return (
        PePeriod.objects.with_progress()
        .current(clock.local_date(at))
        .filter(registration__professional__in=grants.values("professional_id"))
        .annotate(authorised_until=Subquery(latest_end))
    )


def professionals_page(
    viewer: Any, at: dt.datetime, params: ListParams
) -> tuple[Page[Any], list[ProfessionalRow]]:
    today = clock.local_date(at)
    queryset = _search(current_periods_for_contact(viewer, at), params.search).order_by(
        *_ordering(params)
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(params.page)
    rows = [
        ProfessionalRow(
            professional=period.registration.professional,
            registration=period.registration,
            progress=period.progress(today),
            authorised_until=period.authorised_until,
        )
        for period in page.object_list
    ]
    return page, rows


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
        query = QueryDict(mutable=True)
        if params.search:
            query["q"] = params.search
        query["sort"] = target
        state = "none"
        if active:
            state = "descending" if params.descending else "ascending"
        links[key] = SortLink(query=query.urlencode(), aria_sort=state)
    return links


def page_query(params: ListParams) -> str:
    """The query string that keeps search and sort when paging (the page number is appended)."""
    query = QueryDict(mutable=True)
    if params.search:
        query["q"] = params.search
    query["sort"] = params.sort
    return query.urlencode()
