"""The audit side of a report download, shared by the download views and the CLI command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from peregister.access.policies import ReportScope
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.organisations.models import Organisation
from peregister.reports.rows import row_count


def record_download(
    *, actor: Any, scope: ReportScope, file_format: str, rows: int | None = None, **extra: Any
) -> AuditEvent:
    """``report.downloaded``, linked to every included professional (their access log).

    ``rows`` is the number written when the file already exists (XLSX, CLI); a streamed CSV
    is audited before it is sent, with the count the snapshot gives (one query). The
    professionals are linked in the database, from the report's own grants queryset, with
    one ``INSERT … SELECT``: a constant number of queries whatever the number of rows.
    """
    with transaction.atomic():
        return record(
            AuditEvent.Action.REPORT_DOWNLOADED,
            actor=actor,
            organisation=scope.organisation,
            contact=scope.contact,
            professionals=scope.professionals,
            rows=row_count(scope.grants, scope.today) if rows is None else rows,
            format=file_format,
            **extra,
        )


def record_screen_view(
    *, actor: Any, scope: ReportScope, professional_ids: Collection[int], page: int
) -> AuditEvent:
    """``report.viewed``: the *rapportage* page was shown, linked to the professionals whose
    rows were on it (the summary above the table counts statuses and names nobody). The
    professionals see it in *Wie bekeek mijn dossier* like a download."""
    with transaction.atomic():
        return record(
            AuditEvent.Action.REPORT_VIEWED,
            actor=actor,
            organisation=scope.organisation,
            contact=scope.contact,
            professionals=sorted(professional_ids),
            rows=len(professional_ids),
            page=page,
        )


def report_filename(organisation: Organisation, at: dt.datetime, extension: str) -> str:
    slug = slugify(organisation.name) or "organisatie"
    return f"rapportage-{slug}-{clock.local_date(at):%Y-%m-%d}.{extension}"
