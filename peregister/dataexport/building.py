"""The task worker's part of *Mijn gegevens downloaden*: make the ZIP for a queued export.

Collect once, render the PDF into a temporary file, write the ZIP into another one as it goes
(``document.write_archive``), and save that to the ``exports`` storage; the row says which
step it is at, for the page that follows it. Nothing about the dossier is logged.
"""

from __future__ import annotations

import logging
import tempfile

from django.core.files import File
from django.utils import translation

from peregister.core import clock
from peregister.core.made_files import KEEP_FOR
from peregister.core.pdf import write_pdf
from peregister.dataexport import document
from peregister.dataexport.collect import certificates, collect
from peregister.dataexport.files import export_storage, file_name, remove_expired
from peregister.dataexport.models import DataExport

logger = logging.getLogger(__name__)


def _step(export: DataExport, step: DataExport.Step) -> None:
    DataExport.objects.filter(pk=export.pk).update(step=step)


def build_export(code: str) -> bool:
    """The worker's part: make the ZIP for a queued export. False when there was nothing to do
    (unknown, already taken by another worker, or given up on)."""
    claimed = DataExport.objects.filter(code=code, state=DataExport.State.QUEUED).update(
        state=DataExport.State.RUNNING,
        step=DataExport.Step.COLLECTING,
        started_at=clock.now(),
    )
    if not claimed:
        return False
    export = DataExport.objects.select_related("professional__user").get(code=code)
    professional = export.professional
    language = professional.user.language if professional.user else "nl"
    try:
        with tempfile.TemporaryFile() as pdf, tempfile.TemporaryFile() as bundle:
            at = clock.now()
            collected = collect(professional, at=at, today=clock.local_date(at))
            _step(export, DataExport.Step.DOCUMENT)
            with translation.override(language):
                write_pdf("dataexport/export_pdf.html", {"export": collected}, pdf)
            _step(export, DataExport.Step.PACKING)
            document.write_archive(
                collected, bundle, pdf=pdf, certificates=certificates(professional)
            )
            _step(export, DataExport.Step.SAVING)
            size = bundle.tell()
            bundle.seek(0)
            name = export_storage().save(file_name(export.code), File(bundle))
    except Exception:
        # The page shows the failure; the log holds the cause (never the dossier's contents).
        logger.exception("Data export %s failed", code)
        DataExport.objects.filter(pk=export.pk).update(
            state=DataExport.State.FAILED, step="", finished_at=clock.now()
        )
        raise
    done = clock.now()
    updated = DataExport.objects.filter(pk=export.pk, state=DataExport.State.RUNNING).update(
        state=DataExport.State.READY,
        step="",
        file_name=name,
        size=size,
        finished_at=done,
        expires_at=done + KEEP_FOR,
    )
    if not updated:  # given up on meanwhile: nobody will fetch this file
        export_storage().delete(name)
        return False
    remove_expired()
    return True
