"""The *Professionals* list: current PE periods of the professionals who authorise this contact.

Who is on the list comes from ``peregister.access.policies`` only; this module adds search,
whitelisted sorting and pagination. Points and renewal state are summed in SQL, so a page
costs the same number of queries whatever the number of rows; and they are summed for the
page's rows only (see ``_ListQuery``), unless the list is sorted by points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, OrderBy, OuterRef, Q, QuerySet, Subquery, Window
from django.http import QueryDict

from peregister.access import policies
from peregister.core import clock
from peregister.registry.models import PePeriod, Professional, Registration
from peregister.registry.progress import Progress
from peregister.registry.querysets import current_period_value, points_in_period

PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
# A page number longer than this is garbage, not a page; it is treated as page 1.
MAX_PAGE_PARAM_LENGTH = 10
DEFAULT_SORT = "naam"

# URL key → the columns it orders by; only these keys are accepted. The list's rows are the
# current periods, one per registration; the page's keys are the registrations (see
# ``_ListQuery``), so the paths start there. ``current_*`` and ``authorised_until`` are
# computed per row by ``_ListQuery``.
SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "naam": ("professional__last_name", "professional__first_name"),
    "nummer": ("professional__registration_number",),
    "register": ("register__name",),
    "periode": ("current_end",),
    "punten": ("current_points",),
    "tot": ("authorised_until",),
}
# Makes the order total, so a row never shows up on two pages.
_TIE_BREAKERS = ("professional__last_name", "professional__first_name", "professional_id", "id")


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


def _search(
    queryset: QuerySet[Any], term: str, professional: str = "professional"
) -> QuerySet[Any]:
    """Every word must occur in a name part; or the whole term is the registration number.

    ``professional`` is the path from the queryset's model to the professional.
    """
    if not term:
        return queryset
    words = Q()
    for word in term.split():
        words &= (
            Q(**{f"{professional}__first_name__icontains": word})
            | Q(**{f"{professional}__name_prefix__icontains": word})
            | Q(**{f"{professional}__last_name__icontains": word})
        )
    return queryset.filter(words | Q(**{f"{professional}__registration_number__iexact": term}))


_COMPUTED = ("current_end", "current_points", "authorised_until")


def _ordering(params: ListParams, registration: str = "") -> list[OrderBy]:
    """The order by ``params``; ``registration`` is the path to the registration (with ``__``)."""

    def column(name: str) -> F:
        return F(name if name in _COMPUTED else f"{registration}{name}")

    primary = [
        # "No end date" sorts as the latest date: last going up, first going down.
        column(name).desc(nulls_first=True)
        if params.descending
        else column(name).asc(nulls_last=True)
        for name in SORT_COLUMNS[params.sort_key]
    ]
    return [*primary, *(column(name).asc() for name in _TIE_BREAKERS)]


def _granting_professionals(viewer: Any, at: dt.datetime) -> QuerySet[Any]:
    return policies.live_grants_to_viewer(viewer, at).values("professional_id")


def _authorised_until(viewer: Any, at: dt.datetime, professional_ref: str) -> Subquery:
    """The latest end of the viewer's live grants from the row's professional (None: no end)."""
    latest_end = (
        policies.live_grants_to_viewer(viewer, at)
        .filter(professional_id=OuterRef(professional_ref))
        .order_by(F("valid_until").desc(nulls_first=True))
        .values("valid_until")[:1]
    )
    return Subquery(latest_end)


def _registrations(viewer: Any, at: dt.datetime, search: str) -> QuerySet[Registration]:
    """Registrations with a current period of professionals with a live grant to ``viewer``."""
    registrations = Registration.objects.with_current_period(clock.local_date(at)).filter(
        professional__in=_granting_professionals(viewer, at)
    )
    return _search(registrations, search)


@dataclass(frozen=True)
class ProfessionalsPage:
    number: int
    num_pages: int
    total: int
    rows: list[ProfessionalRow]


def _requested_page(raw: str) -> int:
    """As Django's ``Paginator.get_page``: garbage is page 1, zero or less the last page (0)."""
    try:
        number = int(raw)
    except ValueError:
        return 1
    return max(number, 0)


def _num_pages(total: int) -> int:
    return max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


class _ListQuery:
    """The list in two queries whatever the number of rows (three for a page past the end).

    1. The page's keys (registrations, one current period each), ordered and cut on the cheap
       columns (name, number, register, grant end), with the total as a window count over the
       same rows: no second pass for the count. A registration with a current period is one
       index probe (``with_current_period``), not the anti-join over all its periods.
    2. The current periods of those ≤ 50 registrations, with points, renewal state and the
       grant's end: the figures are computed for the page's rows only.

    Sorting by period end costs one more index probe per row. Sorting by points needs every
    row's sum: that key query runs on the current periods, whose dates it has at hand, and the
    covering index ``completion_prof_date_pts_idx`` answers each sum from the index alone.
    """

    def __init__(self, viewer: Any, at: dt.datetime, params: ListParams) -> None:
        self._viewer, self._at, self._params = viewer, at, params
        self._today = clock.local_date(at)
        keys: QuerySet[Any]
        if params.sort_key == "punten":
            keys = (
                _search(
                    PePeriod.objects.current(self._today).filter(
                        registration__professional__in=_granting_professionals(viewer, at)
                    ),
                    params.search,
                    professional="registration__professional",
                )
                .alias(
                    current_points=points_in_period("registration__professional_id", "start", "end")
                )
                .order_by(*_ordering(params, registration="registration__"))
            )
            key = "registration_id"
        else:
            figures: dict[str, Any] = {}
            if params.sort_key == "periode":
                figures["current_end"] = current_period_value(self._today, "end")
            if params.sort_key == "tot":
                figures["authorised_until"] = _authorised_until(viewer, at, "professional_id")
            keys = (
                _registrations(viewer, at, params.search)
                .alias(**figures)
                .order_by(*_ordering(params))
            )
            key = "pk"
        self._keys = keys.annotate(total=Window(Count("*"))).values_list(key, "total")

    def keys(self, number: int) -> tuple[list[int], int]:
        """The registrations on page ``number`` and the total (0 when past the end)."""
        offset = (number - 1) * PAGE_SIZE
        found = list(self._keys[offset : offset + PAGE_SIZE])
        return [pk for pk, _ in found], (found[0][1] if found else 0)

    def count(self) -> int:
        """The total alone: for a page past the end, which has no row to carry it."""
        return _registrations(self._viewer, self._at, self._params.search).count()

    def rows(self, keys: list[int]) -> list[Any]:
        """The current periods of the registrations ``keys``, in that order, with figures."""
        if not keys:
            return []
        periods = (
            PePeriod.objects.current(self._today)
            .with_progress()
            .annotate(
                authorised_until=_authorised_until(
                    self._viewer, self._at, "registration__professional_id"
                )
            )
            .filter(registration_id__in=keys)
            .order_by()
        )
        position = {pk: index for index, pk in enumerate(keys)}
        return sorted(periods, key=lambda period: position[period.registration_id])


def professionals_page(viewer: Any, at: dt.datetime, params: ListParams) -> ProfessionalsPage:
    today = clock.local_date(at)
    query = _ListQuery(viewer, at, params)
    number = _requested_page(params.page)
    keys, total = query.keys(number) if number else ([], 0)
    if not keys and number != 1:
        # Past the end, or zero and less: the last page, as Paginator.get_page answers.
        total = query.count()
        number = _num_pages(total)
        keys, _ = query.keys(number)
    rows = [
        ProfessionalRow(
            professional=period.registration.professional,
            registration=period.registration,
            progress=period.progress(today),
            authorised_until=period.authorised_until,
        )
        for period in query.rows(keys)
    ]
    return ProfessionalsPage(number=number, num_pages=_num_pages(total), total=total, rows=rows)


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
