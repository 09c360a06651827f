"""The task worker's part of a large *Professionals importeren* (``ImportRun``).

``check_run`` reads the stored file twice as a stream (first to count and refuse a bad file,
then to check every row a batch at a time), keeping its progress on the run so the page can
show it; ``apply_run`` applies the file through the same service as a small import, which
checks it again and compares what staff saw. Memory stays flat whatever the length.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from peregister.backoffice.models import ImportRun
from peregister.backoffice.professional_forms import import_error_message
from peregister.backoffice.professional_import import import_professionals
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.core.tabular import TableError
from peregister.registry.professional_import import (
    CHECK_BATCH,
    LARGE_MAX_ROWS,
    CheckedRow,
    Fingerprint,
    Row,
    Status,
    check_stream,
    stream_rows,
)

# Rows the page lists after the check: every error and change up to this many of each.
logger = logging.getLogger(__name__)
CHECK_FAILED = gettext_lazy(
    "Het bestand kon niet worden gelezen. Er is niets gewijzigd; sla het opnieuw op (CSV UTF-8 "
    "of Excel-werkmap) en lees het opnieuw in."
)
SHOWN_ROWS = 200


def _rows(run: ImportRun) -> Iterator[Row]:
    return stream_rows(io.BytesIO(bytes(run.data)), name=run.file_name, max_rows=LARGE_MAX_ROWS)


def _shown(checked: CheckedRow) -> dict[str, Any]:
    cells = checked.row.cells
    return {
        "position": checked.row.position,
        "number": cells[0][:24],
        "name": " ".join(part[:40] for part in cells[2:5] if part),
        "register": checked.register.name if checked.register else cells[1][:24],
        "status": str(checked.status),
        "reason": checked.reason,
        "changes": [str(change) for change in checked.changes],
    }


def check_run(code: str) -> str:
    """Check the run's file; its state afterwards (a run not waiting for a check is left)."""
    run = ImportRun.objects.filter(code=code, state=ImportRun.State.CHECKING).first()
    if run is None:
        return ""
    # Every write asks the state again: a run given up on meanwhile stays as the page said.
    runs = ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.CHECKING)
    try:
        total = sum(1 for _row in _rows(run))
        runs.update(rows_total=total)
        print_ = Fingerprint()
        counts = Counter[Status]()
        errors: list[dict[str, Any]] = []
        others: list[dict[str, Any]] = []
        for done, checked in enumerate(check_stream(_rows(run), today=clock.today()), start=1):
            print_.add(checked)
            counts[checked.status] += 1
            listed = errors if checked.status is Status.ERROR else others
            if checked.status is not Status.UNCHANGED and len(listed) < SHOWN_ROWS:
                listed.append(_shown(checked))
            if done % CHECK_BATCH == 0:
                runs.update(rows_done=done)
    except TableError as error:
        runs.update(state=ImportRun.State.REFUSED, message=import_error_message(error), data=b"")
        return ImportRun.State.REFUSED
    except Exception:
        # Never leave the page promising progress for hours: say it failed, keep nothing.
        logger.exception("import check failed", extra={"run": code})
        runs.update(state=ImportRun.State.FAILED, message=str(CHECK_FAILED), data=b"")
        return ImportRun.State.FAILED
    runs.update(
        state=ImportRun.State.CHECKED,
        checked_at=clock.now(),
        rows_done=total,
        new=counts[Status.NEW],
        changed=counts[Status.CHANGED],
        unchanged=counts[Status.UNCHANGED],
        errors=counts[Status.ERROR],
        seen=print_.hexdigest(),
        shown=errors + others,
        # A file with errors can never be confirmed: keep nothing of it.
        **({"data": b""} if counts[Status.ERROR] else {}),
    )
    return ImportRun.State.CHECKED


def apply_run(code: str) -> str:
    """Apply a confirmed run, all rows or none; its state afterwards."""
    run = (
        ImportRun.objects.filter(code=code, state=ImportRun.State.APPLYING)
        .select_related("confirmed_by")
        .first()
    )
    if run is None:
        return ""
    runs = ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.APPLYING)
    try:
        # The run's outcome commits with the apply (review F17): a worker killed in between
        # cannot leave written professionals under a run later called "niets gewijzigd".
        with transaction.atomic():
            applied = import_professionals(
                actor=run.confirmed_by, rows=_rows(run), seen=run.seen, file_name=run.file_name
            )
            if applied is None:
                runs.update(state=ImportRun.State.UNCHANGED, data=b"")
            else:
                runs.update(state=ImportRun.State.APPLIED, result=applied, data=b"")
    except Refused as refused:
        runs.update(state=ImportRun.State.FAILED, message=refused.message, data=b"")
        return ImportRun.State.FAILED
    except TableError as error:  # the stored file no longer reads as it did (never expected)
        runs.update(state=ImportRun.State.FAILED, message=import_error_message(error), data=b"")
        return ImportRun.State.FAILED
    return ImportRun.State.UNCHANGED if applied is None else ImportRun.State.APPLIED
