"""The task worker: django-tasks-db's worker, plus a heartbeat and the outbox sweep.

Each cycle it reports in (``/readyz`` shows that, for monitoring), delivers mails whose task was
lost (a crash between commit and enqueue, a worker killed mid-task) or whose retry is due, and
then runs every task that is ready, with django-tasks-db's own ``Worker`` in batch mode. It
reports in again between mails and between tasks, stops a sweep after ``SWEEP_SECONDS`` (the
rest waits for the next cycle) and, after ``SIGTERM``, stops after the mail or task in hand.

A database that is down, at start-up or later (PostgreSQL restarting), is waited out: the
worker tries again every ``retry_wait`` seconds and logs the outage once, not every try.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from io import StringIO

from django.core.management import call_command
from django.db import DatabaseError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from peregister.core import clock
from peregister.notifications.mail import deliver_due
from peregister.ops.models import WorkerHeartbeat

logger = logging.getLogger("peregister.worker")
HEARTBEAT_EVERY = 10.0  # seconds; /readyz calls a worker stale after WORKER_HEARTBEAT_MAX_AGE
SWEEP_SECONDS = 30.0  # one sweep's time limit
HOUSEKEEPING_EVERY = 3600.0  # seconds between clearing what dead workers left behind
# A task row RUNNING for longer belongs to a worker that was killed (``kill -9``, a lost
# machine): no task runs this long (a mail attempt's lease is minutes; a data export is given
# up after an hour).
STALE_TASK_AGE = dt.timedelta(hours=2)
HEARTBEAT_KEEP = dt.timedelta(days=1)
MADE_FILE_TIDY_UPS = ("expire_report_snapshots", "remove_expired_exports")


class _TaskRunner(Worker):
    """django-tasks-db's worker, reporting in after every task."""

    def __init__(self, *, after_task: OutboxWorker, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.after_task = after_task

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        finally:
            self.after_task.beat()


class OutboxWorker:
    def __init__(self, *, worker_id: str, interval: float) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.retry_wait = max(interval, 1.0)  # while the database is unreachable
        self.started_at = clock.now()
        self.last_beat = 0.0
        self.last_housekeeping: float | None = None
        self.database_down = False
        self.tasks = _TaskRunner(
            after_task=self,
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    @property
    def running(self) -> bool:
        return self.tasks.running

    def beat(self) -> None:
        if time.monotonic() - self.last_beat < HEARTBEAT_EVERY:
            return
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "seen_at": clock.now(),
            },
        )
        self.last_beat = time.monotonic()

    def housekeeping(self) -> None:
        """Clear what dead workers left: old heartbeats, task rows they never finished (their
        mails are the sweep's; the rows would otherwise stay RUNNING for ever)."""
        if (
            self.last_housekeeping is not None
            and time.monotonic() - self.last_housekeeping < HOUSEKEEPING_EVERY
        ):
            return
        now = clock.now()
        WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_KEEP).delete()
        abandoned = DBTaskResult.objects.filter(
            status="RUNNING", started_at__lt=now - STALE_TASK_AGE
        ).update(
            status="FAILED",
            finished_at=now,
            exception_class_path="peregister.ops.worker.WorkerLost",
            traceback="The worker running this task stopped without finishing it.",
        )
        if abandoned:
            logger.warning("task rows of a lost worker closed", extra={"tasks": abandoned})
        # Made files (called by name: ops depends on no feature): give up on what lost its
        # worker, queue again what lost its task, delete what expired, within the hour rather
        # than with the next daily run.
        for command in MADE_FILE_TIDY_UPS:
            call_command(command, stdout=StringIO())
        self.last_housekeeping = time.monotonic()

    def _go_on(self, deadline: float) -> bool:
        """Asked between mails: report in; go on unless stopped or out of time."""
        self.beat()
        return self.running and time.monotonic() < deadline

    def cycle(self) -> None:
        """One round: heartbeat, housekeeping, sweep, ready tasks."""
        close_old_connections()
        self.beat()
        self.housekeeping()
        # A signal during the sweep waits for the mail in hand, as it does for a task.
        self.tasks.running_task = True
        try:
            deadline = time.monotonic() + SWEEP_SECONDS
            deliver_due(between=lambda: self._go_on(deadline))
        finally:
            self.tasks.running_task = False
        if self.tasks.running:
            self.tasks.run()

    def run(self, *, once: bool = False) -> None:
        """Work until stopped (``once``: until one full cycle is done)."""
        self.tasks.configure_signals()
        logger.info("worker started", extra={"worker": self.worker_id})
        while self.running:
            try:
                self.cycle()
            except DatabaseError:
                self._database_unavailable()
                time.sleep(self.retry_wait)
                continue
            if self.database_down:
                self.database_down = False
                logger.info("database available again", extra={"worker": self.worker_id})
            if once:
                return
            time.sleep(self.interval)

    def _database_unavailable(self) -> None:
        if not self.database_down:
            self.database_down = True
            logger.warning("database unavailable; worker waits", extra={"worker": self.worker_id})
        for connection in connections.all():
            connection.close_if_unusable_or_obsolete()
        self.last_beat = 0.0
