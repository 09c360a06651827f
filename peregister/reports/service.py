"""The audit side of the *rapportage* on screen, and the downloaded files' names.

A download's audit event is written where its file is opened: ``snapshots.open_download``."""

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
