"""The audited write behind *Mijn gegevens downloaden*."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_user
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.dataexport import document
from peregister.dataexport.collect import collect
from peregister.registry.models import Professional


def export_own_data(
    *, actor: Any, professional: Professional, request: HttpRequest | None = None
) -> bytes:
    """The ZIP of everything about ``professional``, for the professional only, audited.

    Collecting and rendering happen outside the transaction: on SQLite a transaction holds the
    write lock, and a PDF of a whole dossier takes a while. Nothing is handed out unless its
    audit event was written."""
    require_user(
        actor, professional.user_id, _("Alleen de professional zelf kan deze gegevens downloaden.")
    )
    at = clock.now()
    export = collect(professional, at=at, today=clock.local_date(at))
    data = document.archive(export, request=request)
    with transaction.atomic():
        record(
            AuditEvent.Action.DATA_EXPORTED,
            actor=actor,
            professionals=[professional],
            bytes=len(data),
            files=len(export.files) + 3,
        )
    return data
