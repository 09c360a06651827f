"""``manage.py remove_expired_exports``: remove data-export files past their time.

Run it daily (cron, systemd timer); every finished export also does it. Idempotent and safe
when two machines run it at once (each row changes by a conditional UPDATE).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peregister.dataexport.files import give_up_stalled, remove_expired


class Command(BaseCommand):
    help = "Remove the files of data exports past their time, and give up on stalled exports."

    def handle(self, *args: Any, **options: Any) -> None:
        stalled = give_up_stalled()
        removed = remove_expired()
        self.stdout.write(f"{removed} export file(s) removed, {stalled} stalled export(s) failed.")
