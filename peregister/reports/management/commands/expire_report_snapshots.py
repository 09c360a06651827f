"""``manage.py expire_report_snapshots``: the report files' tidy-up (a daily job; the worker's
housekeeping runs it every hour as well).

Deletes files past their time and files no snapshot names (a worker killed while saving),
gives up on snapshots that lost their worker and queues again those whose task was lost
(``snapshots.tidy_up``). Idempotent and safe when two machines run it at once (each row
changes by a conditional UPDATE).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peregister.reports.snapshots import tidy_up


class Command(BaseCommand):
    help = "Tidy up report files: remove expired and orphaned ones; give up on stalled ones."

    def handle(self, *args: Any, **options: Any) -> None:
        done = tidy_up()
        self.stdout.write(
            f"{done['removed']} report snapshot(s) removed, {done['stalled']} stalled one(s) "
            f"failed, {done['requeued']} queued again, {done['swept']} orphaned file(s) deleted."
        )
