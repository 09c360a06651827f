"""``manage.py expire_import_runs``: end checked large imports nobody confirmed within 12 hours
and delete their stored files (personal data). Run daily (``run_scheduled``); idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peregister.backoffice.import_runs import expire_checked_runs


class Command(BaseCommand):
    help = "End checked imports not confirmed in time and delete their stored files."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{expire_checked_runs()} import(s) expired")
