"""``manage.py close_periods``: lapse registrations whose PE period ran out unmet.

Run it daily (cron, systemd timer). It is idempotent and safe when two machines run it at the
same moment; see ``peregister.backoffice.closing``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peregister.backoffice.closing import lapse_overdue_registrations


class Command(BaseCommand):
    help = "Lapse PE registrations whose period ended without an approved renewal or enough points."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Close as of this day (YYYY-MM-DD); default today in Europe/Amsterdam.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date expects YYYY-MM-DD.") from exc
        result = lapse_overdue_registrations(today=today)
        self.stdout.write(
            f"{result.lapsed} registration(s) lapsed "
            f"({result.candidates} overdue when the run started)."
        )
