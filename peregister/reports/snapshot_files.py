"""Where report snapshots' files wait, and when they go.

A snapshot's files are kept ``KEEP_FOR`` after they were made; a newer ready snapshot of the
same organisation, scope and language makes the older ones' files go at once (they can no
longer be handed out). ``expire_snapshots`` deletes them and keeps the row (state *removed*):
the daily jobs run it (``expire_report_snapshots``) and so does every finished snapshot. A
snapshot neither ready nor failed within ``GIVE_UP_AFTER`` lost its worker: it is marked
failed, so the page offers a retry instead of a bar that never moves.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import Storage, storages
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from peregister.core import clock
from peregister.reports.snapshot_models import ReportSnapshot

# The data exports' storage (never under a served URL), in a folder of its own.
STORAGE_ALIAS = "exports"
FOLDER = "rapportages"
KEEP_FOR = dt.timedelta(hours=24)
# 20,000 rows take seconds: a snapshot this old and not finished has lost its worker.
GIVE_UP_AFTER = dt.timedelta(hours=1)
STALLED = gettext_lazy(
    "Het bestand is niet op tijd gemaakt. Probeer het opnieuw; lukt het dan weer niet, neem "
    "contact op met het register."
)


def snapshot_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def give_up_stalled(snapshot: ReportSnapshot | None = None) -> int:
    """Mark snapshots queued or being made for too long as failed; how many."""
    stalled = ReportSnapshot.objects.filter(
        state__in=[ReportSnapshot.State.QUEUED, ReportSnapshot.State.RUNNING],
        requested_at__lt=clock.now() - GIVE_UP_AFTER,
    )
    if snapshot is not None:
        stalled = stalled.filter(pk=snapshot.pk)
    given_up = stalled.update(
        state=ReportSnapshot.State.FAILED, message=str(STALLED), finished_at=clock.now()
    )
    if snapshot is not None and given_up:
        snapshot.refresh_from_db(fields=["state", "message", "finished_at"])
    return given_up


def expire_snapshots(at: dt.datetime | None = None) -> int:
    """Delete the files of snapshots past their time or superseded by a newer ready one; the
    rows stay as *removed*. How many snapshots' files were removed."""
    moment = at or clock.now()
    newer = ReportSnapshot.objects.filter(
        state=ReportSnapshot.State.READY,
        organisation_id=OuterRef("organisation_id"),
        covers=OuterRef("covers"),
        language=OuterRef("language"),
        finished_at__gt=OuterRef("finished_at"),
    )
    removed = 0
    expired = ReportSnapshot.objects.filter(
        Q(expires_at__lte=moment) | Exists(newer), state=ReportSnapshot.State.READY
    ).values_list("pk", "xlsx_name", "csv_name")
    for pk, *names in expired:
        for name in names:
            if name:
                snapshot_storage().delete(name)
        removed += ReportSnapshot.objects.filter(pk=pk, state=ReportSnapshot.State.READY).update(
            state=ReportSnapshot.State.REMOVED, xlsx_name="", csv_name=""
        )
    return removed
