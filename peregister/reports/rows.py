"""The one row source of the *rapportage* (screen, XLSX, CSV, ``export_report``) and of the
*Professionals* list, with the one pager both use (``row_keys``, ``row_totals``).

Who is in it comes from the grants the caller passes, decided by ``peregister.access.policies``:
a ``ReportScope``'s grants for the report (``report_scope``), the grants to the viewer's own
contact for the list (``live_grants_to_viewer``), both live at one snapshot time: a grant
revoked (or created) after it does not change a report being written.

Two queries are streamed side by side in the same order — the live grants (one group per
professional, which gives the authorised contacts) and the current PE periods with their
stored figures (``registry/figures.py``), as the driver's plain tuples (``_fetch``: no
converter chain, no model instances) — and merged, so the number of queries and the memory used
stay the same whatever the number of rows (``rows_for_grants``, by name). A page of known
professionals (``rows_for_page``: the list, the report's screen, the HR API) reads its ids'
rows at once, merged by id and put in the page's order. The status and the forecast come from
``periods.period_forecast`` (the one definition) applied to the plain values; files resolve
the labels once (``status_labels``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from peregister.access.models import AccessGrant
from peregister.access.policies import ReportScope
from peregister.core import clock
from peregister.core.lookups import IdsIn
from peregister.registry.models import PePeriod, Professional, Registration, RenewalSubmission
from peregister.registry.periods import (
    PeriodStatus,
    current_period_value,
    has_no_started_period,
    period_forecast,
)
from peregister.registry.progress import points_percent
from peregister.registry.querysets import PePeriodQuerySet, current_at_risk, current_forecast

CHUNK_SIZE = 2000
# Status of a professional in the report whose registration has no started PE period yet.
NO_PERIOD = "no_period"
NO_PERIOD_LABEL = _("geen lopende PE-periode")
CONTACT_SEPARATOR = ", "

# Both streams are ordered by exactly these professional columns (the id makes the order
# total), which is what lets them be merged without holding either in memory.
_GRANT_ORDER = ("professional__last_name", "professional__initials", "professional_id")
_PERIOD_ORDER = tuple(f"registration__{column}" for column in _GRANT_ORDER)
# A page's rows (``rows_for_page``) are merged by professional id alone, which the database
# gets from its index probes without sorting by name; the page is put in its order after.
_PAGE_GRANT_ORDER = ("professional_id",)
_PAGE_PERIOD_ORDER = ("registration__professional_id",)


@dataclass(slots=True)
class ReportRow:
    """One professional + registration; the period fields are empty without a current period.

    Read-only by convention (not ``frozen``: a frozen dataclass costs a ``__setattr__`` call
    per field, and a report builds tens of thousands of rows).
    """

    professional_id: int
    name: str
    registration_number: str
    register: str
    period_start: dt.date | None
    period_end: dt.date | None
    points_earned: int | None
    points_required: int | None
    status: str  # a PeriodStatus value, or NO_PERIOD
    dossier_submitted: bool
    submitted_on: dt.date | None
    contacts: str
    authorised_until: dt.date | None  # None: at least one grant has no end date
    registration_id: int | None = None  # None without a current period
    professional_code: str = ""  # for the *open dossier* link
    registration_status: str = ""  # a Registration.Status value; "" without a current period
    # ``period_forecast``: points at the period's end at the pace so far (None without a
    # current period), and *risico* (forecast short of the required points while running).
    forecast_points: int | None = None
    at_risk: bool = False

    @property
    def percent(self) -> int:
        """Points earned as a share of the required points (for a progress bar)."""
        if self.points_required is None or self.points_earned is None:
            return 0
        return points_percent(self.points_earned, self.points_required)

    @property
    def registration_status_label(self) -> str:
        """The registration's status where it is not active (*vervallen*, *beëindigd*)."""
        if self.registration_status in ("", _ACTIVE):
            return ""
        return str(Registration.Status(self.registration_status).label)

    @property
    def status_label(self) -> str:
        """For a few rows (the screen); files resolve ``status_labels()`` once instead."""
        return status_labels()[self.status]


def status_labels() -> dict[str, str]:
    """Every row status with its label in the active language (look up once per file)."""
    labels = {str(status.value): str(status.label) for status in PeriodStatus}
    labels[NO_PERIOD] = str(NO_PERIOD_LABEL)
    return labels


# professional id, name, registration number, contacts, authorised until (None: no end), code
_Grants = tuple[int, str, str, str, dt.date | None, str]
# Plain values as the database driver returns them (``_fetch``); the converters below turn the
# few that need it into Python values, once per value and without Django's converter chain.
_PERIOD_COLUMNS = (
    "registration__professional_id",
    "registration_id",
    "registration__status",
    "registration__register__name",
    "start",
    "end",
    "points_required",
    "points_earned",
    "renewal_status",
    "renewal_submitted_at",
)
_GRANT_COLUMNS = (
    "professional_id",
    "professional__initials",
    "professional__name_prefix",
    "professional__last_name",
    "professional__registration_number",
    "contact__name",
    "valid_until",
    "professional__code",
)
_SUBMITTED = frozenset(
    str(status.value)
    for status in (RenewalSubmission.Status.SUBMITTED, RenewalSubmission.Status.APPROVED)
)
_ACTIVE = str(Registration.Status.ACTIVE.value)
_APPROVED = str(RenewalSubmission.Status.APPROVED.value)
_STATUS_VALUE = {status: str(status.value) for status in PeriodStatus}


def _full_name(initials: str, name_prefix: str, last_name: str) -> str:
    return " ".join(filter(None, (initials, name_prefix, last_name)))


@dataclass(frozen=True, slots=True)
class _Convert:
    """How the driver's plain values become moments and codes: PostgreSQL returns them typed;
    SQLite returns a UTC moment without its zone and a UUID as 32 hex digits (its dates come
    typed from the column's declared type, see Django's SQLite backend)."""

    moment: Callable[[Any], dt.datetime]
    code: Callable[[Any], str]


def _sqlite_moment(value: dt.datetime | str) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC)


def _sqlite_code(value: str) -> str:
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


_SQLITE = _Convert(moment=_sqlite_moment, code=_sqlite_code)
_TYPED = _Convert(moment=lambda value: value, code=str)


def _fetch(
    queryset: QuerySet[Any], *, stream: bool = True
) -> tuple[Iterator[tuple[Any, ...]], _Convert]:
    """The rows of a ``values_list`` queryset as the driver returns them: the report's rows
    are built from plain tuples without a converter call per value. The SQL is the queryset's
    own, so who is in it stays the policy's decision (``access.policies``).

    ``stream``: a whole report, read in chunks (a server-side cursor on PostgreSQL, as
    ``QuerySet.iterator`` uses), so memory stays flat; else one page's, bounded by its size,
    read at once (a server-side cursor's extra round trips cost more than the page itself)."""
    connection = connections[queryset.db]
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return iter(()), _TYPED

    def rows() -> Iterator[tuple[Any, ...]]:
        with connection.chunked_cursor() if stream else connection.cursor() as cursor:
            cursor.execute(sql, params)
            if not stream:
                yield from cursor.fetchall()
                return
            while chunk := cursor.fetchmany(CHUNK_SIZE):
                yield from chunk

    return rows(), _SQLITE if connection.vendor == "sqlite" else _TYPED


def _grant_groups(
    grants: QuerySet[AccessGrant], order: tuple[str, ...] = _GRANT_ORDER, *, stream: bool = True
) -> Iterator[_Grants]:
    rows, convert = _fetch(
        grants.order_by(*order, "contact__name", "contact_id").values_list(*_GRANT_COLUMNS),
        stream=stream,
    )
    code = convert.code
    for professional_id, group_rows in itertools.groupby(rows, key=operator.itemgetter(0)):
        # The grants of one professional: a handful at most.
        first, *more = group_rows
        name = _full_name(first[1], first[2], first[3])
        if not more:
            yield professional_id, name, first[4], first[5], first[6], code(first[7])
            continue
        group = [first, *more]
        # The same contact twice (an old grant closed in the future) is shown once.
        contacts = list(dict.fromkeys(row[5] for row in group))
        ends = [row[6] for row in group]
        dated = [end for end in ends if end is not None]
        yield (
            professional_id,
            name,
            first[4],
            CONTACT_SEPARATOR.join(contacts),
            max(dated) if len(dated) == len(ends) else None,
            code(first[7]),
        )


def current_periods(grants: QuerySet[AccessGrant], today: dt.date) -> PePeriodQuerySet:
    """The current PE period of every registration of the professionals ``grants`` cover."""
    return (
        PePeriod.objects.current(today)
        .filter(registration__professional__in=grants.values("professional_id"))
        .order_by()
    )


def _period_stream(
    grants: QuerySet[AccessGrant], today: dt.date, professional_ids: Collection[int] | None
) -> tuple[Iterator[tuple[Any, ...]], _Convert]:
    """Plain tuples (no model instances): the periods' stored figures. With a page's
    ``professional_ids`` the periods of those professionals only: the merge in
    ``rows_for_grants`` keeps a period only for a professional of the grant stream, which is
    the one that decides who is in."""
    if professional_ids is None:
        periods, order = current_periods(grants, today), _PERIOD_ORDER
    else:
        periods = PePeriod.objects.current(today).filter(
            IdsIn("registration__professional_id", professional_ids)
        )
        order = _PAGE_PERIOD_ORDER
    return _fetch(
        periods.order_by(*order, "registration__register__name", "registration_id").values_list(
            *_PERIOD_COLUMNS
        ),
        stream=professional_ids is None,
    )


def _no_period_row(grants: _Grants) -> ReportRow:
    return ReportRow(
        grants[0],
        grants[1],
        grants[2],
        "",
        None,
        None,
        None,
        None,
        NO_PERIOD,
        False,
        None,
        grants[3],
        grants[4],
        None,
        grants[5],
    )


def rows_for_grants(grants: QuerySet[AccessGrant], today: dt.date) -> Iterator[ReportRow]:
    """The rows of the professionals ``grants`` covers (all of a report), by name."""
    return _rows(grants, today, None)


def rows_for_page(
    grants: QuerySet[AccessGrant], today: dt.date, professional_ids: list[int]
) -> list[ReportRow]:
    """The rows of those of ``professional_ids`` that ``grants`` covers (one page's), in the
    order of ``professional_ids``: two index-driven queries whatever the report's size."""
    if not professional_ids:
        return []
    by_professional: dict[int, list[ReportRow]] = {}
    for row in _rows(grants, today, professional_ids):
        by_professional.setdefault(row.professional_id, []).append(row)
    return [row for pk in professional_ids for row in by_professional.get(pk, ())]


def _page_grants(
    grants: QuerySet[AccessGrant], professional_ids: Collection[int]
) -> QuerySet[AccessGrant]:
    """The grants of a page's professionals, reached through the professional index.

    SQLite plans ``grants.filter(professional_id IN page)`` from the organisation: contact by
    contact, probing ``grant_contact_prof_idx`` for every id of the page (30 contacts × 1,000
    probes for the large organisation; its statistics say an organisation has three contacts).
    Asked as "the page's grants that are in ``grants``" (a correlated ``EXISTS`` on the
    policy's own queryset, so the rule stays ``access.policies``'), it reads the page's grants
    by professional and checks each one by primary key: about half the time at full scale.
    PostgreSQL plans the plain filter well and the ``EXISTS`` form three times slower, so it
    keeps the filter."""
    page = grants.filter(IdsIn("professional_id", professional_ids))
    if connections[grants.db].vendor != "sqlite":
        return page
    return AccessGrant.objects.filter(
        IdsIn("professional_id", professional_ids), Exists(grants.filter(pk=OuterRef("pk")))
    )


def _rows(
    grants: QuerySet[AccessGrant], today: dt.date, professional_ids: Collection[int] | None
) -> Iterator[ReportRow]:
    """Both streams merged: by name for a whole report, by id for a page's professionals."""
    order: tuple[str, ...] = _GRANT_ORDER
    if professional_ids is not None:
        grants = _page_grants(grants, professional_ids)
        order = _PAGE_GRANT_ORDER
    periods, convert = _period_stream(grants, today, professional_ids)
    moment = convert.moment
    local_date = clock.local_date
    pending = next(periods, None)
    for group in _grant_groups(grants, order, stream=professional_ids is None):
        professional_id = group[0]
        if pending is None or pending[0] != professional_id:
            yield _no_period_row(group)
            continue
        while pending is not None and pending[0] == professional_id:
            (
                _,
                registration_id,
                registration_status,
                register,
                start,
                end,
                required,
                earned,
                renewal,
                submitted_at,
            ) = pending
            submitted = renewal in _SUBMITTED
            # The one definition of the status and the forecast (``periods``), on plain values.
            forecast = period_forecast(
                points_earned=earned,
                points_required=required,
                start=start,
                end=end,
                today=today,
                renewal_approved=renewal == _APPROVED,
            )
            # Positional: the field order of ``ReportRow``.
            yield ReportRow(
                professional_id,
                group[1],
                group[2],
                register,
                start,
                end,
                earned,
                required,
                _STATUS_VALUE[forecast.status],
                submitted,
                local_date(moment(submitted_at)) if submitted and submitted_at else None,
                group[3],
                group[4],
                registration_id,
                group[5],
                registration_status,
                forecast.points,
                forecast.at_risk,
            )
            pending = next(periods, None)


def rows_for_keys(
    grants: QuerySet[AccessGrant], today: dt.date, keys: list[tuple[int, int | None]]
) -> list[ReportRow]:
    """The rows of one page's ``keys`` (from ``row_keys``), in the keys' order."""
    if not keys:
        return []
    # A professional with several registrations can start on the previous page: their
    # rows are all generated, and only the page's own kept.
    professional_ids = list(dict.fromkeys(professional_id for professional_id, _ in keys))
    built = {
        (row.professional_id, row.registration_id): row
        for row in rows_for_page(grants, today, professional_ids)
    }
    return [built[key] for key in keys if key in built]


def report_rows(
    scope: ReportScope, *, professional_ids: Collection[int] | None = None
) -> Iterator[ReportRow]:
    """The rows of a report scope at its snapshot time.

    ``professional_ids`` narrows it to the rows of those professionals (one page).
    """
    grants = scope.grants
    if professional_ids is not None:
        grants = grants.filter(IdsIn("professional_id", professional_ids))
    return rows_for_grants(grants, scope.today)


# --- which rows, without building them: the one pager --------------------------------------


class RowOrder(StrEnum):
    """What rows can be ordered by; name, then id, register and registration break ties."""

    NAME = "name"
    NUMBER = "number"
    REGISTER = "register"
    PERIOD_END = "period_end"
    POINTS = "points"
    FORECAST = "forecast"
    AUTHORISED_UNTIL = "authorised_until"


def search_professionals(queryset: QuerySet[Any], term: str, path: str = "") -> QuerySet[Any]:
    """Every word must occur in a name part; or the whole term is the registration number.

    ``path`` leads from the queryset's model to the professional (``""``: professionals).
    """
    if not term:
        return queryset
    prefix = f"{path}__" if path else ""
    words = Q()
    for word in term.split():
        words &= (
            Q(**{f"{prefix}initials__icontains": word})
            | Q(**{f"{prefix}name_prefix__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
        )
    return queryset.filter(words | Q(**{f"{prefix}registration_number__iexact": term}))


def professionals_without_period(
    grants: QuerySet[AccessGrant], today: dt.date
) -> QuerySet[Professional]:
    """Professionals ``grants`` covers without any current PE period: one row each."""
    return Professional.objects.filter(
        has_no_started_period(today), pk__in=grants.values("professional_id")
    ).order_by()


def _authorised_until(grants: QuerySet[AccessGrant], professional_ref: str) -> Subquery:
    """The latest end of ``grants`` from the row's professional (None: one has no end)."""
    return Subquery(
        grants.filter(professional_id=OuterRef(professional_ref))
        .order_by(F("valid_until").desc(nulls_first=True))
        .values("valid_until")[:1]
    )


# The key columns of both halves, in order: name, professional, register, registration.
_KEY_COLUMNS = (
    "key_last_name",
    "key_initials",
    "key_professional",
    "key_register",
    "key_registration",
)


def _registrations(
    grants: QuerySet[AccessGrant], today: dt.date, search: str, at_risk_only: bool
) -> QuerySet[Registration]:
    """Registrations with a current period (one index probe each, ``with_current_period``),
    of the professionals ``grants`` covers; ``at_risk_only``: whose current period is at
    *risico* (``periods.at_risk_expression``, one more probe each)."""
    registrations = search_professionals(
        Registration.objects.with_current_period(today).filter(
            professional__in=grants.values("professional_id")
        ),
        search,
        "professional",
    )
    if at_risk_only:
        registrations = registrations.annotate(risk=current_at_risk(today)).filter(risk=True)
    return registrations


def _period_keys(
    grants: QuerySet[AccessGrant],
    today: dt.date,
    search: str,
    order: RowOrder,
    at_risk_only: bool = False,
) -> QuerySet[Any]:
    """A row per registration with a current period; the sort value only computed when
    sorted by it."""
    registrations = _registrations(grants, today, search, at_risk_only)
    value: Any = Value(None, output_field=CharField())
    if order is RowOrder.NUMBER:
        value = F("professional__registration_number")
    elif order is RowOrder.REGISTER:
        value = F("register__name")
    elif order is RowOrder.PERIOD_END:
        value = current_period_value(today, "end")
    elif order is RowOrder.POINTS:
        value = current_period_value(today, "points_earned")
    elif order is RowOrder.FORECAST:
        value = current_forecast(today)
    elif order is RowOrder.AUTHORISED_UNTIL:
        value = _authorised_until(grants, "professional_id")
    return registrations.annotate(
        key_last_name=F("professional__last_name"),
        key_initials=F("professional__initials"),
        key_professional=F("professional_id"),
        key_register=F("register__name"),
        key_registration=F("pk"),
        sort_value=value,
    ).values_list(*_KEY_COLUMNS, "sort_value")


def _no_period_keys(
    grants: QuerySet[AccessGrant], today: dt.date, search: str, order: RowOrder
) -> QuerySet[Any]:
    """A row per professional without a current period (*geen lopende PE-periode*)."""
    professionals = search_professionals(professionals_without_period(grants, today), search)
    value: Any = Value(None, output_field=CharField())
    if order is RowOrder.NUMBER:
        value = F("registration_number")
    elif order is RowOrder.AUTHORISED_UNTIL:
        value = _authorised_until(grants, "pk")
    return professionals.annotate(
        key_last_name=F("last_name"),
        key_initials=F("initials"),
        key_professional=F("pk"),
        key_register=Value("", output_field=CharField()),
        key_registration=Value(None, output_field=IntegerField()),
        sort_value=value,
    ).values_list(*_KEY_COLUMNS, "sort_value")


def row_keys(
    grants: QuerySet[AccessGrant],
    today: dt.date,
    *,
    offset: int,
    limit: int,
    search: str = "",
    order: RowOrder = RowOrder.NAME,
    descending: bool = False,
    without_period: bool = True,
    at_risk_only: bool = False,
) -> list[tuple[int, int | None]]:
    """(professional id, registration id or None) of rows ``offset`` to ``offset + limit``.

    The one pager of the *Professionals* list and the *rapportage*: a row per current period,
    a row per professional without one, in one statement. ``without_period=False`` when it is
    known that every professional has a current period: that half is then left out.
    ``at_risk_only``: only the rows at *risico* (a row without a period never is).
    """
    keys = _period_keys(grants, today, search, order, at_risk_only)
    if without_period and not at_risk_only:
        keys = keys.union(_no_period_keys(grants, today, search, order), all=True)
    ties = [F(column).asc() for column in _KEY_COLUMNS]
    primary = []
    if order is not RowOrder.NAME:
        # No value (no end date, no period) sorts as the largest: last going up.
        primary = [
            F("sort_value").desc(nulls_first=True)
            if descending
            else F("sort_value").asc(nulls_last=True)
        ]
    elif descending:
        ties = [F(column).desc() for column in _KEY_COLUMNS[:3]] + ties[3:]
    found = keys.order_by(*primary, *ties)[offset : offset + limit]
    return [(row[2], row[4]) for row in found]


@dataclass(frozen=True, slots=True)
class RowTotals:
    rows: int  # what ``row_keys`` pages through
    professionals: int  # whose rows they are (a professional has a row per current period)


def row_totals(
    grants: QuerySet[AccessGrant], today: dt.date, search: str = "", at_risk_only: bool = False
) -> RowTotals:
    """How many rows ``row_keys`` pages through, and of how many professionals, in one query:
    per professional the number of current periods, or one without any.

    A registration has one current period exactly when it has started one
    (``with_current_period``: one index probe), so the periods are not compared with each
    other here (the anti-join of ``PePeriodQuerySet.current``)."""
    if at_risk_only:
        at_risk = _registrations(grants, today, search, at_risk_only=True).aggregate(
            rows=Count("pk"), professionals=Count("professional_id", distinct=True)
        )
        return RowTotals(rows=int(at_risk["rows"]), professionals=int(at_risk["professionals"]))
    periods = (
        Registration.objects.with_current_period(today)
        .filter(professional=OuterRef("pk"))
        .order_by()
        .values("professional")
        .annotate(count=Count("pk"))
        .values("count")
    )
    per_professional = Greatest(
        Coalesce(Subquery(periods), Value(0)), Value(1), output_field=IntegerField()
    )
    professionals = search_professionals(
        Professional.objects.filter(pk__in=grants.values("professional_id")), search
    )
    totals = professionals.aggregate(rows=Sum(per_professional), professionals=Count("pk"))
    return RowTotals(rows=int(totals["rows"] or 0), professionals=int(totals["professionals"]))


def row_count(grants: QuerySet[AccessGrant], today: dt.date, search: str = "") -> int:
    """How many rows ``row_keys`` pages through (``row_totals``)."""
    return row_totals(grants, today, search).rows
