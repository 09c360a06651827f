"""What the processes of a deployment tell each other through the database."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A task worker's sign of life; ``/readyz`` wants one recent enough."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} {self.seen_at:%Y-%m-%d %H:%M:%S}"


class SchedulerLock(models.Model):
    """The lock row of a scheduled run on SQLite (PostgreSQL uses an advisory lock instead).

    A holder that died keeps it only until ``expires_at``.
    """

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '-'}"
