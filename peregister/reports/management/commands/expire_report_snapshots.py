"""``manage.py expire_report_snapshots``: delete report files past their time (a daily job).

Idempotent and safe when two machines run it at once (each row changes by a conditional
UPDATE); every finished snapshot also does it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peregister.reports.snapshot_files import expire_snapshots, give_up_stalled


class Command(BaseCommand):
    help = "Delete the files of report snapshots past their time; give up on stalled ones."

    def handle(self, *args: Any, **options: Any) -> None:
        stalled = give_up_stalled()
        removed = expire_snapshots()
        self.stdout.write(f"{removed} report snapshot(s) removed, {stalled} stalled one(s) failed.")
