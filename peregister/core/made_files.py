"""The life of a file the task worker makes for someone: a data export, a *rapportage*.

One model row follows each file through the states queued → running → ready → removed (or
failed). The rows differ per feature; what happens to them in time is the same and lives here:

- ``made_file_storage``: where the files wait (the ``exports`` storage, never under a served
  URL);
- ``give_up_stalled``: a row queued or running longer than ``GIVE_UP_AFTER`` lost its worker
  and is marked failed (its page then offers a retry instead of a bar that never moves); the
  files it may have left are deleted;
- ``remove_expired``: the files of ready rows past their ``expires_at`` are deleted and the
  rows stay (state *removed*); ``remove_files`` does so for any ready rows (a feature's own
  reason);
- ``sweep_orphans``: files in a folder that no row names (a worker killed between saving a
  file and recording its name) are deleted once they are older than the files' lifetime.

The rows need ``state`` (with the values below), ``requested_at`` and ``expires_at``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.core.files.storage import Storage, storages
from django.db.models import Model, QuerySet

from peregister.core import clock

STORAGE_ALIAS = "exports"
KEEP_FOR = dt.timedelta(hours=24)
# Seconds of work at most: a file this old and not finished has lost its worker.
GIVE_UP_AFTER = dt.timedelta(hours=1)

QUEUED, RUNNING, READY, FAILED, REMOVED = "queued", "running", "ready", "failed", "removed"
IN_PROGRESS = (QUEUED, RUNNING)


def made_file_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def delete_files(names: Iterable[str]) -> None:
    storage = made_file_storage()
    for name in names:
        if name:
            storage.delete(name)


def give_up_stalled(
    rows: QuerySet[Any],
    *,
    leftovers: Callable[[Any], Iterable[str]] = lambda row: (),
    **changes: Any,
) -> int:
    """Mark the rows of ``rows`` queued or running for more than ``GIVE_UP_AFTER`` as failed
    (with ``changes``), delete the files each may have left (``leftovers(row)``); how many."""
    now = clock.now()
    given_up = 0
    for row in rows.filter(state__in=IN_PROGRESS, requested_at__lt=now - GIVE_UP_AFTER):
        # Conditional: a worker finishing at this moment wins, and its files stay.
        if rows.model._default_manager.filter(pk=row.pk, state__in=IN_PROGRESS).update(
            state=FAILED, finished_at=now, **changes
        ):
            delete_files(leftovers(row))
            given_up += 1
    return given_up


def remove_files(rows: QuerySet[Any], name_fields: Collection[str]) -> int:
    """Delete the files of the ready rows of ``rows``; the rows stay as *removed* with their
    ``name_fields`` emptied. How many."""
    model: type[Model] = rows.model
    removed = 0
    for pk, *names in rows.filter(state=READY).values_list("pk", *name_fields):
        delete_files(names)
        removed += model._default_manager.filter(pk=pk, state=READY).update(
            state=REMOVED, **dict.fromkeys(name_fields, "")
        )
    return removed


def remove_expired(
    rows: QuerySet[Any], name_fields: Collection[str], at: dt.datetime | None = None
) -> int:
    """``remove_files`` of the rows of ``rows`` past their ``expires_at``."""
    return remove_files(rows.filter(expires_at__lte=at or clock.now()), name_fields)


def sweep_orphans(folder: str, named: Collection[str], at: dt.datetime | None = None) -> int:
    """Delete files in ``folder`` that no row names (``named``) and that are older than
    ``KEEP_FOR`` (a file being made right now is younger); how many."""
    storage = made_file_storage()
    if not storage.exists(folder):
        return 0
    before = (at or clock.now()) - KEEP_FOR
    swept = 0
    for file_name in storage.listdir(folder)[1]:
        name = f"{folder}/{file_name}"
        if name not in named and storage.get_modified_time(name) < before:
            storage.delete(name)
            swept += 1
    return swept
