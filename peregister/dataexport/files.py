"""Where finished data exports wait for their download, and when they go.

A file is kept ``KEEP_FOR`` after it was made, or ``KEEP_AFTER_DOWNLOAD`` after its first
download, whichever comes first; then ``remove_expired`` deletes it and the row stays (state
*removed*). An export neither finished nor failed within ``GIVE_UP_AFTER`` (a worker that
died) is marked failed, so the page never promises a file that will not come.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import Storage, storages
from django.db.models import Q

from peregister.core import clock
from peregister.dataexport.models import DataExport
from peregister.registry.models import Professional

STORAGE_ALIAS = "exports"
KEEP_FOR = dt.timedelta(hours=24)
KEEP_AFTER_DOWNLOAD = dt.timedelta(hours=1)
GIVE_UP_AFTER = dt.timedelta(hours=1)


def export_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def give_up_stalled(professional: Professional | None = None) -> int:
    """Mark exports that have been queued or running for too long as failed."""
    stalled = DataExport.objects.filter(
        state__in=[DataExport.State.QUEUED, DataExport.State.RUNNING],
        requested_at__lt=clock.now() - GIVE_UP_AFTER,
    )
    if professional is not None:
        stalled = stalled.filter(professional=professional)
    return stalled.update(state=DataExport.State.FAILED, step="", finished_at=clock.now())


def remove_expired(at: dt.datetime | None = None) -> int:
    """Remove the files of exports past their time (any professional's); the rows stay."""
    moment = at or clock.now()
    removed = 0
    expired = DataExport.objects.filter(
        Q(state=DataExport.State.READY), Q(expires_at__lte=moment)
    ).values_list("pk", "file_name")
    for pk, name in expired:
        if name:
            export_storage().delete(name)
        removed += DataExport.objects.filter(pk=pk, state=DataExport.State.READY).update(
            state=DataExport.State.REMOVED, file_name=""
        )
    return removed
