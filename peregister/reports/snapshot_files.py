"""Where report snapshots' files wait, and when they go (the shared lifecycle of a made file,
``core/made_files.py``).

A snapshot's files are kept until ``expires_at``: ``KEEP_FOR`` after they were made, but never
past the end of that Amsterdam day (the day is part of what "nothing changed" means, so a file
made at 20:00 could not be handed out after midnight: the page shows the moment it really
stops). Until then it is handed out as promised, even when a colleague made a newer one.
``expire_snapshots`` deletes the files and keeps the row (state *removed*); the daily jobs and
the worker's housekeeping run it (``expire_report_snapshots``, ``snapshots.tidy_up``): give up on
snapshots that lost their worker, queue again those whose task was lost, delete files that
no snapshot names.

A snapshot's files have fixed names (``file_names``), so whatever happens to the worker that
made them, they can be found and deleted.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy

from peregister.core import clock, made_files
from peregister.reports.snapshot_models import ReportSnapshot

FOLDER = "rapportages"
# A snapshot still queued this long after its request: its task was lost (a crash between
# commit and enqueue) or no worker runs. Queued again, and the page says it still waits.
WAITING_LONG = dt.timedelta(minutes=5)
STALLED = gettext_lazy(
    "Het bestand is niet op tijd gemaakt. Probeer het opnieuw; lukt het dan weer niet, neem "
    "contact op met het register."
)


def file_names(code: object) -> tuple[str, str]:
    """The snapshot's XLSX and CSV in the storage (fixed: found again after any crash)."""
    return f"{FOLDER}/{code}.xlsx", f"{FOLDER}/{code}.csv"


def available_until(finished: dt.datetime) -> dt.datetime:
    """``KEEP_FOR`` after ``finished``, but not past the end of its Amsterdam day."""
    midnight = clock.start_of_day(clock.local_date(finished) + dt.timedelta(days=1))
    return min(finished + made_files.KEEP_FOR, midnight)


def give_up_stalled() -> int:
    """Mark snapshots queued or being made for too long as failed; delete what they left."""
    return made_files.give_up_stalled(
        ReportSnapshot.objects.all(),
        leftovers=lambda snapshot: file_names(snapshot.code),
        message=str(STALLED),
    )


def remove_outdated(snapshot: ReportSnapshot) -> int:
    """Delete the files of the older ready snapshots of ``snapshot``'s organisation and scope
    made under other grants (they can never be handed out again: a professional's revoked
    grant leaves no file behind). Unchanged ones stay until their time, as their pages
    promise."""
    return made_files.remove_files(
        ReportSnapshot.objects.filter(
            organisation_id=snapshot.organisation_id,
            covers=snapshot.covers,
            finished_at__lt=snapshot.finished_at,
        ).exclude(fingerprint=snapshot.fingerprint),
        ("xlsx_name", "csv_name"),
    )


def expire_snapshots(at: dt.datetime | None = None) -> int:
    """Delete the files of snapshots past their time; the rows stay as *removed*."""
    return made_files.remove_expired(ReportSnapshot.objects.all(), ("xlsx_name", "csv_name"), at)
