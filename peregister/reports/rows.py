"""The one row generator behind the *rapportage*: screen, XLSX, CSV and the CLI all read it.

Who is in the report comes from ``peregister.access.policies.report_grants`` at one snapshot
time ``at``: a grant revoked (or created) after ``at`` does not change a report being
written. Two queries are streamed side by side in the same order — the live grants (one group
per professional, which gives the authorised contacts) and the current PE periods with their
points summed in SQL — and merged, so the number of queries and the memory used stay the same
whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peregister.access import policies
from peregister.access.models import AccessGrant
from peregister.core import clock
from peregister.registry.models import PePeriod, RenewalSubmission
from peregister.registry.progress import PeriodStatus

CHUNK_SIZE = 2000
# Status of a professional in the report whose registration has no started PE period yet.
NO_PERIOD = "no_period"
NO_PERIOD_LABEL = _("geen lopende PE-periode")
CONTACT_SEPARATOR = ", "

# Both streams are ordered by exactly these professional columns (the id makes the order
# total), which is what lets them be merged without holding either in memory.
_GRANT_ORDER = ("professional__last_name", "professional__first_name", "professional_id")
_PERIOD_ORDER = tuple(f"registration__{column}" for column in _GRANT_ORDER)


@dataclass(frozen=True)
class ReportRow:
    """One professional + registration; the period fields are empty without a current period."""

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

    @property
    def status_label(self) -> str:
        if self.status == NO_PERIOD:
            return str(NO_PERIOD_LABEL)
        return str(PeriodStatus(self.status).label)


@dataclass(frozen=True)
class _Grants:
    """The live grants of one professional to contacts of the organisation."""

    professional_id: int
    name: str
    registration_number: str
    contacts: str
    authorised_until: dt.date | None


def _full_name(first_name: str, name_prefix: str, last_name: str) -> str:
    return " ".join(part for part in (first_name, name_prefix, last_name) if part)


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
    for professional_id, group_rows in itertools.groupby(rows, key=lambda row: row[0]):
        group = list(group_rows)  # the grants of one professional: a handful at most
        first = group[0]
        # The same contact twice (an old grant closed in the future) is shown once.
        contacts = list(dict.fromkeys(row[5] for row in group))
        ends: list[dt.date | None] = [row[6] for row in group]
        dated = [end for end in ends if end is not None]
        yield _Grants(
            professional_id=professional_id,
            name=_full_name(first[1], first[2], first[3]),
            registration_number=first[4],
            contacts=CONTACT_SEPARATOR.join(contacts),
            authorised_until=max(dated) if len(dated) == len(ends) else None,
        )


def _current_periods(grants: QuerySet[AccessGrant], today: dt.date) -> Iterator[PePeriod]:
    return (
        PePeriod.objects.with_progress()
        .current(today)
        .filter(registration__professional__in=grants.values("professional_id"))
        .order_by(*_PERIOD_ORDER, "registration__register__name", "registration_id")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _period_row(grants: _Grants, period: PePeriod, today: dt.date) -> ReportRow:
    progress = period.progress(today)
    renewal_status = getattr(period, "renewal_status", None)
    submitted_at: dt.datetime | None = getattr(period, "renewal_submitted_at", None)
    submitted = renewal_status in (
        RenewalSubmission.Status.SUBMITTED,
        RenewalSubmission.Status.APPROVED,
    )
    return ReportRow(
        professional_id=grants.professional_id,
        name=grants.name,
        registration_number=grants.registration_number,
        register=period.registration.register.name,
        period_start=period.start,
        period_end=period.end,
        points_earned=progress.points_earned,
        points_required=progress.points_required,
        status=str(progress.status),
        dossier_submitted=submitted,
        submitted_on=clock.local_date(submitted_at) if submitted and submitted_at else None,
        contacts=grants.contacts,
        authorised_until=grants.authorised_until,
    )


def _no_period_row(grants: _Grants) -> ReportRow:
    return ReportRow(
        professional_id=grants.professional_id,
        name=grants.name,
        registration_number=grants.registration_number,
        register="",
        period_start=None,
        period_end=None,
        points_earned=None,
        points_required=None,
        status=NO_PERIOD,
        dossier_submitted=False,
        submitted_on=None,
        contacts=grants.contacts,
        authorised_until=grants.authorised_until,
    )


def report_rows(viewer: Any, at: dt.datetime) -> Iterator[ReportRow]:
    """The report of ``viewer``'s organisation at ``at``; nothing unless beheerder or deputy."""
    today = clock.local_date(at)
    grants = policies.report_grants(viewer, at)
    periods = _current_periods(grants, today)
    pending = next(periods, None)
    for group in _grant_groups(grants):
        found = False
        while pending is not None and pending.registration.professional_id == group.professional_id:
            found = True
            yield _period_row(group, pending, today)
            pending = next(periods, None)
        if not found:
            yield _no_period_row(group)


@dataclass(frozen=True)
class ReportScope:
    """Who a download includes, known before the file is streamed (for its audit event)."""

    professional_ids: list[int]
    row_count: int


def report_scope(viewer: Any, at: dt.datetime) -> ReportScope:
    """The professionals and the number of rows ``report_rows(viewer, at)`` yields."""
    grants = policies.report_grants(viewer, at)
    professional_ids = list(
        grants.order_by("professional_id").values_list("professional_id", flat=True).distinct()
    )
    periods = (
        PePeriod.objects.current(clock.local_date(at))
        .filter(registration__professional__in=grants.values("professional_id"))
        .order_by()
    )
    without_period = (
        grants.exclude(professional_id__in=periods.values("registration__professional_id"))
        .order_by()
        .values("professional_id")
        .distinct()
        .count()
    )
    return ReportScope(
        professional_ids=professional_ids, row_count=periods.count() + without_period
    )
