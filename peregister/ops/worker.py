"""The task worker: django-tasks-db's worker, plus a heartbeat and the outbox sweep.

Each cycle it reports in (``/readyz`` reads that), delivers mails whose task was lost (a crash
between commit and enqueue, a worker killed mid-task) or whose retry is due, and then runs
every task that is ready, with django-tasks-db's own ``Worker`` in batch mode. A lost database
connection (PostgreSQL restarting) is waited out, not fatal.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time

from django.db import DatabaseError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Worker

from peregister.core import clock
from peregister.notifications.mail import deliver_due
from peregister.ops.models import WorkerHeartbeat

logger = logging.getLogger("peregister.worker")
HEARTBEAT_EVERY = 10.0  # seconds; /readyz allows WORKER_HEARTBEAT_MAX_AGE


class OutboxWorker:
    def __init__(self, *, worker_id: str, interval: float) -> None:
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = clock.now()
        self.last_beat = 0.0
        self.tasks = Worker(
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

    def cycle(self) -> None:
        """One round: heartbeat, sweep, ready tasks."""
        close_old_connections()
        self.beat()
        # A signal during the sweep waits for the mail in hand, as it does for a task.
        self.tasks.running_task = True
        try:
            deliver_due()
        finally:
            self.tasks.running_task = False
        if self.tasks.running:
            self.tasks.run()

    def run(self, *, once: bool = False) -> None:
        self.tasks.configure_signals()
        # Heartbeats of workers long gone say nothing any more.
        WorkerHeartbeat.objects.filter(seen_at__lt=clock.now() - dt.timedelta(days=1)).delete()
        logger.info("worker started", extra={"worker": self.worker_id})
        while self.running:
            try:
                self.cycle()
            except DatabaseError:
                logger.warning(
                    "database unavailable; worker waits", extra={"worker": self.worker_id}
                )
                for connection in connections.all():
                    connection.close_if_unusable_or_obsolete()
                self.last_beat = 0.0
            if once:
                return
            time.sleep(self.interval)
