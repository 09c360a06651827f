"""The one row generator behind the *rapportage*: screen, XLSX, CSV and the CLI all read it.

Who is in the report comes from ``peregister.access.policies.report_grants`` at one snapshot
time ``at``: a grant revoked (or created) after ``at`` does not change a report being
written. Two queries are streamed side by side in the same order — the live grants (one group
per professional, which gives the authorised contacts) and the current PE periods with their
points summed in SQL, as plain tuples — and merged, so the number of queries and the memory
used stay the same whatever the number of rows. The status comes from ``period_status`` (the
one definition) applied to the plain values; files resolve the labels once (``status_labels``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from peregister.access import policies
from peregister.access.models import AccessGrant
from peregister.core import clock
from peregister.registry.models import PePeriod, Professional, RenewalSubmission
from peregister.registry.periods import PeriodStatus, period_status
from peregister.registry.querysets import PePeriodQuerySet

CHUNK_SIZE = 2000
# Status of a professional in the report whose registration has no started PE period yet.
NO_PERIOD = "no_period"
NO_PERIOD_LABEL = _("geen lopende PE-periode")
CONTACT_SEPARATOR = ", "

# Both streams are ordered by exactly these professional columns (the id makes the order
# total), which is what lets them be merged without holding either in memory.
_GRANT_ORDER = ("professional__last_name", "professional__first_name", "professional_id")
_PERIOD_ORDER = tuple(f"registration__{column}" for column in _GRANT_ORDER)


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

    @property
    def status_label(self) -> str:
        """For a few rows (the screen); files resolve ``status_labels()`` once instead."""
        return status_labels()[self.status]


def status_labels() -> dict[str, str]:
    """Every row status with its label in the active language (look up once per file)."""
    labels = {str(status.value): str(status.label) for status in PeriodStatus}
    labels[NO_PERIOD] = str(NO_PERIOD_LABEL)
    return labels


# professional id, name, registration number, contacts, authorised until (None: no end)
_Grants = tuple[int, str, str, str, dt.date | None]
# professional id, registration id, register, start, end, required, earned, renewal status,
# renewal submitted at
_Period = tuple[int, int, str, dt.date, dt.date, int, int, str | None, dt.datetime | None]
_PERIOD_COLUMNS = (
    "registration__professional_id",
    "registration_id",
    "registration__register__name",
    "start",
    "end",
    "points_required",
    "points_earned",
    "renewal_status",
    "renewal_submitted_at",
)
_STATUS_VALUE = {status: str(status.value) for status in PeriodStatus}
_APPROVED = str(RenewalSubmission.Status.APPROVED.value)
_SUBMITTED = frozenset(
    str(status.value)
    for status in (RenewalSubmission.Status.SUBMITTED, RenewalSubmission.Status.APPROVED)
)


def _full_name(first_name: str, name_prefix: str, last_name: str) -> str:
    return " ".join(filter(None, (first_name, name_prefix, last_name)))


def _grant_groups(grants: QuerySet[AccessGrant]) -> Iterator[_Grants]:
    rows = (
        grants.order_by(*_GRANT_ORDER, "contact__name", "contact_id")
        .values_list(
            "professional_id",
            "professional__first_name",
            "professional__name_prefix",
            "professional__last_name",
            "professional__registration_number",
            "contact__name",
            "valid_until",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for professional_id, group_rows in itertools.groupby(rows, key=operator.itemgetter(0)):
        group = list(group_rows)  # the grants of one professional: a handful at most
        first = group[0]
        name = _full_name(first[1], first[2], first[3])
        if len(group) == 1:
            yield professional_id, name, first[4], first[5], first[6]
            continue
        # The same contact twice (an old grant closed in the future) is shown once.
        contacts = list(dict.fromkeys(row[5] for row in group))
        ends: list[dt.date | None] = [row[6] for row in group]
        dated = [end for end in ends if end is not None]
        yield (
            professional_id,
            name,
            first[4],
            CONTACT_SEPARATOR.join(contacts),
            max(dated) if len(dated) == len(ends) else None,
        )


def current_periods(grants: QuerySet[AccessGrant], today: dt.date) -> PePeriodQuerySet:
    """The current PE period of every registration of the professionals ``grants`` cover."""
    return (
        PePeriod.objects.current(today)
        .filter(registration__professional__in=grants.values("professional_id"))
        .order_by()
    )


def _period_stream(grants: QuerySet[AccessGrant], today: dt.date) -> Iterator[_Period]:
    """Plain tuples (no model instances), points and latest renewal computed in SQL."""
    return (
        current_periods(grants, today)
        .with_points()
        .with_renewal()
        .order_by(*_PERIOD_ORDER, "registration__register__name", "registration_id")
        .values_list(*_PERIOD_COLUMNS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _period_row(grants: _Grants, period: _Period, today: dt.date) -> ReportRow:
    _, registration_id, register, start, end, required, earned, renewal, submitted_at = period
    submitted = renewal in _SUBMITTED
    return ReportRow(
        professional_id=grants[0],
        name=grants[1],
        registration_number=grants[2],
        register=register,
        period_start=start,
        period_end=end,
        points_earned=earned,
        points_required=required,
        # The one definition of the status, from the plain values.
        status=_STATUS_VALUE[
            period_status(
                points_earned=earned,
                points_required=required,
                start=start,
                end=end,
                today=today,
                renewal_approved=renewal == _APPROVED,
            )
        ],
        dossier_submitted=submitted,
        submitted_on=clock.local_date(submitted_at) if submitted and submitted_at else None,
        contacts=grants[3],
        authorised_until=grants[4],
        registration_id=registration_id,
    )


def _no_period_row(grants: _Grants) -> ReportRow:
    return ReportRow(
        professional_id=grants[0],
        name=grants[1],
        registration_number=grants[2],
        register="",
        period_start=None,
        period_end=None,
        points_earned=None,
        points_required=None,
        status=NO_PERIOD,
        dossier_submitted=False,
        submitted_on=None,
        contacts=grants[3],
        authorised_until=grants[4],
    )


def rows_for_grants(grants: QuerySet[AccessGrant], today: dt.date) -> Iterator[ReportRow]:
    """The rows of the professionals ``grants`` covers (all of a report, or one page's)."""
    periods = _period_stream(grants, today)
    pending = next(periods, None)
    for group in _grant_groups(grants):
        professional_id = group[0]
        if pending is None or pending[0] != professional_id:
            yield _no_period_row(group)
            continue
        while pending is not None and pending[0] == professional_id:
            yield _period_row(group, pending, today)
            pending = next(periods, None)


def report_rows(
    viewer: Any, at: dt.datetime, *, professional_ids: Collection[int] | None = None
) -> Iterator[ReportRow]:
    """The report of ``viewer``'s organisation at ``at``; nothing unless beheerder or deputy.

    ``professional_ids`` narrows it to the rows of those professionals (one page).
    """
    grants = policies.report_grants(viewer, at)
    if professional_ids is not None:
        grants = grants.filter(professional_id__in=professional_ids)
    return rows_for_grants(grants, clock.local_date(at))


# --- which rows, without building them ------------------------------------------------------


def professionals_without_period(
    grants: QuerySet[AccessGrant], today: dt.date
) -> QuerySet[Professional]:
    """Professionals ``grants`` covers without any current PE period: one row each."""
    current = PePeriod.objects.current(today).filter(registration__professional=OuterRef("pk"))
    return (
        Professional.objects.filter(pk__in=grants.values("professional_id"))
        .exclude(Exists(current))
        .order_by()
    )


def row_keys(
    grants: QuerySet[AccessGrant],
    today: dt.date,
    *,
    offset: int,
    limit: int,
    without_period: bool = True,
) -> list[tuple[int, int | None]]:
    """(professional id, registration id or None) of rows ``offset`` to ``offset + limit``.

    The same rows in the same order as ``rows_for_grants``: a row per current period, a row
    per professional without one; by name and id, then register and registration.
    ``without_period=False`` when it is known that every professional has a current period
    (the summary counted none without): the second half of the query is then left out.
    """
    order = (
        "registration__professional__last_name",
        "registration__professional__first_name",
        "registration__professional_id",
        "registration__register__name",
        "registration_id",
    )
    keys = current_periods(grants, today).values_list(*order)
    if without_period:
        keys = keys.union(
            professionals_without_period(grants, today).values_list(
                "last_name",
                "first_name",
                "pk",
                Value("", output_field=CharField()),
                Value(None, output_field=IntegerField()),
            ),
            all=True,
        )
    return [(row[2], row[4]) for row in keys.order_by(*order)[offset : offset + limit]]


@dataclass(frozen=True)
class ReportScope:
    """Who a download includes, known before the file is streamed (for its audit event)."""

    professionals: QuerySet[AccessGrant, Any]  # one column of professional ids, for ``record()``
    grants: QuerySet[AccessGrant]
    today: dt.date

    @property
    def row_count(self) -> int:
        """The number of rows ``report_rows`` yields, counted in one query."""
        return report_row_count(self.grants, self.today)


def report_row_count(grants: QuerySet[AccessGrant], today: dt.date) -> int:
    periods = (
        PePeriod.objects.current(today)
        .filter(registration__professional=OuterRef("pk"))
        .order_by()
        .values("registration__professional")
        .annotate(count=Count("pk"))
        .values("count")
    )
    per_professional = Greatest(
        Coalesce(Subquery(periods), Value(0)), Value(1), output_field=IntegerField()
    )
    total = Professional.objects.filter(pk__in=grants.values("professional_id")).aggregate(
        rows=Sum(per_professional)
    )["rows"]
    return int(total or 0)


def report_scope(viewer: Any, at: dt.datetime) -> ReportScope:
    """The professionals a download includes and (lazily, one query) its row count."""
    grants = policies.report_grants(viewer, at)
    return ReportScope(
        professionals=grants.values("professional_id"),
        grants=grants,
        today=clock.local_date(at),
    )
