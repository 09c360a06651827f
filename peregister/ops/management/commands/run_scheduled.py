"""``manage.py run_scheduled``: the daily jobs, once across all machines (see ops.scheduler)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peregister.ops.scheduler import run_daily


class Command(BaseCommand):
    help = "Run the daily jobs (close_periods, send_grant_reminders, …) under a database lock."

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_daily()
        if not result.ran:
            self.stdout.write("Another machine is running the daily jobs; nothing done here.")
            return
        self.stdout.write(result.output, ending="")
        if result.failed:
            raise CommandError(f"Failed: {', '.join(result.failed)} (see the log).")
        self.stdout.write("Daily jobs done.")
