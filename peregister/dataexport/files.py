"""Where finished data exports wait for their download, and when they go (the shared lifecycle
of a made file, ``core/made_files.py``).

A file is kept ``made_files.KEEP_FOR`` after it was made, or ``KEEP_AFTER_DOWNLOAD`` after its first
download, whichever comes first; then ``remove_expired`` deletes it and the row stays (state
*removed*). An export neither finished nor failed within ``made_files.GIVE_UP_AFTER`` (a worker that
died) is marked failed, so the page never promises a file that will not come.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import Storage

from peregister.core import made_files
from peregister.dataexport.models import DataExport
from peregister.registry.models import Professional

KEEP_AFTER_DOWNLOAD = dt.timedelta(hours=1)


def export_storage() -> Storage:
    return made_files.made_file_storage()


def file_name(code: object) -> str:
    """The export's ZIP in the storage (fixed: found again after any crash)."""
    return f"{code}.zip"


def give_up_stalled(professional: Professional | None = None) -> int:
    """Mark exports that have been queued or running for too long as failed."""
    exports = DataExport.objects.all()
    if professional is not None:
        exports = exports.filter(professional=professional)
    return made_files.give_up_stalled(
        exports, leftovers=lambda export: (file_name(export.code),), step=""
    )


def remove_expired(at: dt.datetime | None = None) -> int:
    """Remove the files of exports past their time (any professional's); the rows stay."""
    return made_files.remove_expired(DataExport.objects.all(), ("file_name",), at)
