"""*Mijn gegevens downloaden*: ask for an export, and hand it out.

The request only writes a row and queues the task after commit; the worker makes the ZIP
(``building``). The file is handed out to the professional alone, each download audited, and
kept as ``files`` says.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_user
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.dataexport.files import KEEP_AFTER_DOWNLOAD, export_storage, give_up_stalled
from peregister.dataexport.models import DataExport
from peregister.dataexport.tasks import build_export_task
from peregister.registry.models import Professional

logger = logging.getLogger(__name__)


def _require_owner(actor: Any, professional: Professional) -> None:
    require_user(
        actor, professional.user_id, _("Alleen de professional zelf kan deze gegevens downloaden.")
    )


def request_export(*, actor: Any, professional: Professional) -> DataExport:
    """Queue an export of everything about ``professional``; while one is on its way, that one."""
    _require_owner(actor, professional)
    give_up_stalled(professional)
    try:
        with transaction.atomic():
            export = DataExport.objects.create(professional=professional, requested_at=clock.now())
            code = str(export.code)
            transaction.on_commit(lambda: _enqueue(code))
    except IntegrityError:  # one is already queued or running (a double click, a second tab)
        return DataExport.objects.get(
            professional=professional,
            state__in=[DataExport.State.QUEUED, DataExport.State.RUNNING],
        )
    return export


def _enqueue(code: str) -> None:
    build_export_task.enqueue(code=code)


def open_download(*, actor: Any, export: DataExport) -> File:
    """The ZIP, opened for the professional, with the download audited first; it is kept at
    most ``KEEP_AFTER_DOWNLOAD`` longer. Raises ``FileNotFoundError`` when it is gone."""
    _require_owner(actor, export.professional)
    now = clock.now()
    if export.state != DataExport.State.READY or not export.file_name:
        raise FileNotFoundError(str(export.code))
    try:
        # Opened first: an open file outlives its removal, so what is audited is handed out.
        handle = export_storage().open(export.file_name, "rb")
    except FileNotFoundError:
        # Storage not shared between the worker's machine and this one, or emptied by hand.
        logger.warning("Data export %s: its file is not in the exports storage", export.code)
        DataExport.objects.filter(pk=export.pk, state=DataExport.State.READY).update(
            state=DataExport.State.REMOVED, file_name=""
        )
        raise
    with transaction.atomic():
        # One conditional UPDATE: a file past its time (or removed meanwhile) is not handed out.
        counted = DataExport.objects.filter(
            pk=export.pk, state=DataExport.State.READY, expires_at__gt=now
        ).update(
            downloads=F("downloads") + 1,
            first_downloaded_at=Coalesce(F("first_downloaded_at"), Value(now)),
            expires_at=Least(F("expires_at"), Value(now + KEEP_AFTER_DOWNLOAD)),
        )
        if counted:
            record(
                AuditEvent.Action.DATA_EXPORTED,
                actor=actor,
                professionals=[export.professional],
                export=str(export.code),
                bytes=export.size,
            )
    if not counted:
        handle.close()
        raise FileNotFoundError(str(export.code))
    return handle
