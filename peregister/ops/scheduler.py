"""The daily jobs and the lock that lets only one machine run them at a time.

Every app machine may have the same cron entry or systemd timer for ``manage.py run_scheduled``:
the first to take the lock runs the jobs, the others see it taken and do nothing. Each job is
also idempotent on its own (a registration is lapsed once, a reminder sent once), so a run
that starts after another has finished finds no work left.

Jobs are management commands called by name, so this module depends on no domain app; add a
daily job by adding its command to ``DAILY_JOBS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from peregister.core import clock
from peregister.notifications.mail import deferred_delivery
from peregister.ops.models import SchedulerLock

logger = logging.getLogger("peregister.scheduler")


@dataclass(frozen=True)
class Job:
    command: str
    args: tuple[str, ...] = ()
    # Only where tasks are queued in the database (production), not with in-process tasks.
    needs_task_queue: bool = False


DAILY_JOBS: tuple[Job, ...] = (
    Job("close_periods"),
    Job("send_grant_reminders"),
    Job("send_period_reminders"),
    Job("send_employer_alerts"),
    Job("prune_outbox"),
    Job("remove_expired_exports"),
    Job("expire_import_runs"),
    Job("expire_report_snapshots"),
    Job("prune_db_task_results", ("--min-age-days", "7"), needs_task_queue=True),
)
DAILY_LOCK = "daily-jobs"
# A lock row (SQLite) outlives a holder that died for at most this long.
LOCK_ROW_TTL = dt.timedelta(hours=1)


@contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Yield True to the one caller that holds the lock ``name``; the others get False."""
    if connection.vendor == "postgresql":
        # A session lock: PostgreSQL drops it by itself when the holder's connection ends.
        key = zlib.crc32(name.encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    holder = uuid.uuid4().hex
    now = clock.now()
    try:
        with transaction.atomic():
            SchedulerLock.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # created by a concurrent run a moment ago
    held = bool(
        SchedulerLock.objects.filter(name=name)
        .filter(Q(holder="") | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=now + LOCK_ROW_TTL)
    )
    try:
        yield held
    finally:
        if held:
            SchedulerLock.objects.filter(name=name, holder=holder).update(
                holder="", expires_at=None
            )


@dataclass(frozen=True)
class RunResult:
    ran: bool
    failed: tuple[str, ...] = ()
    output: str = ""


def run_daily(jobs: tuple[Job, ...] | None = None) -> RunResult:
    """Run every daily job under the lock; a failing job does not stop the ones after it."""
    with exclusive(DAILY_LOCK) as held:
        if not held:
            logger.info("scheduled run skipped: another run holds the lock")
            return RunResult(ran=False)
        output = StringIO()
        failed: list[str] = []
        for job in DAILY_JOBS if jobs is None else jobs:
            if job.needs_task_queue and not deferred_delivery():
                continue
            try:
                call_command(job.command, *job.args, stdout=output)
            except Exception:
                logger.exception("scheduled job failed", extra={"job": job.command})
                failed.append(job.command)
            else:
                logger.info("scheduled job done", extra={"job": job.command})
        return RunResult(ran=True, failed=tuple(failed), output=output.getvalue())
