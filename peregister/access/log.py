"""*Wie bekeek mijn dossier*: the events that showed a professional's data to someone else.

One definition for the page and for the professional's data export. The export keeps every
event; the page groups repeats of one kind by one contact (or organisation) on one Amsterdam
day into one line with a count ("rapportage 3× gedownload"), counted in SQL so a busy
beheerder's downloads never fill the professional's pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate

from peregister.audit.models import AuditEvent
from peregister.core.clock import AMSTERDAM
from peregister.organisations.models import Contact, Organisation
from peregister.registry.models import Professional

ACCESS_LOG_ACTIONS = (
    AuditEvent.Action.DOSSIER_VIEWED,
    AuditEvent.Action.REPORT_DOWNLOADED,
    AuditEvent.Action.REPORT_VIEWED,
    AuditEvent.Action.ALERT_SENT,
    AuditEvent.Action.STATEMENT_VERIFIED,
    AuditEvent.Action.HR_API_READ,
    AuditEvent.Action.ATTENDANCE_CHECKED,
)


def _events(professional: Professional) -> QuerySet[AuditEvent]:
    """Events linked to the professional, and events that concern the professionals of one
    that is (every download of a report snapshot: its professionals are linked once, to the
    snapshot's ``report.generated`` event)."""
    linked = (
        AuditEvent.professionals.through.objects.filter(professional_id=professional.pk)
        .order_by()
        .values("auditevent_id")
    )
    # One sub-select of the two halves (UNION ALL), each driven by an index (the link rows by
    # professional, the downloads by ``professionals_of``). An OR of two ``IN (sub-select)``
    # conditions makes PostgreSQL scan the whole audit table (docs/benchmarks.md).
    downloads = AuditEvent.objects.filter(professionals_of__in=linked).order_by().values("pk")
    return AuditEvent.objects.filter(
        pk__in=linked.union(downloads, all=True), action__in=ACCESS_LOG_ACTIONS
    )


def access_log(professional: Professional) -> QuerySet[AuditEvent]:
    """Newest first, with the organisation and contact that looked (none for a statement's
    share link: only the moment is kept)."""
    return (
        _events(professional)
        .select_related("contact__organisation", "organisation")
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class LogLine:
    """One line of the page: ``times`` events of one kind by one contact on ``day``."""

    day: dt.date
    first: dt.datetime
    last: dt.datetime
    action: str
    times: int
    organisation: Organisation | None
    contact: Contact | None
    statement: str | None = None
    token: str | None = None  # the HR API token's name (``hr_api.read``)

    @property
    def statement_reference(self) -> str:
        """The kenmerk a professional sees on their statement list (its code's first 8)."""
        return (self.statement or "")[:8]


def grouped_access_log(professional: Professional) -> QuerySet[AuditEvent, dict[str, Any]]:
    """One row per (Amsterdam day, action, organisation, contact, statement, token), newest
    day first; ``statement`` is the opened PE-verklaring's code, ``token`` the name of the HR
    API token that read the dossier (None for other events): one line per token per day."""
    return (
        _events(professional)
        .annotate(
            day=TruncDate("at", tzinfo=AMSTERDAM),
            statement=KT("data__statement"),
            token=KT("data__token_name"),
            token_code=KT("data__token"),
        )
        .values(
            "day", "action", "organisation_id", "contact_id", "statement", "token_code", "token"
        )
        .annotate(times=Count("id"), first=Min("at"), last=Max("at"))
        .order_by("-day", "-last", "action", "contact_id")
    )


def log_lines(rows: list[dict[str, Any]]) -> list[LogLine]:
    """A page of grouped rows with their organisations and contacts (two queries at most)."""
    contacts = Contact.objects.select_related("organisation").in_bulk(
        {row["contact_id"] for row in rows if row["contact_id"]}
    )
    organisations = Organisation.objects.in_bulk(
        {row["organisation_id"] for row in rows if row["organisation_id"]}
    )
    return [
        LogLine(
            day=row["day"],
            first=row["first"],
            last=row["last"],
            action=row["action"],
            times=row["times"],
            organisation=organisations.get(row["organisation_id"]),
            contact=contacts.get(row["contact_id"]),
            statement=row["statement"],
            token=row["token"],
        )
        for row in rows
    ]
