"""Queue the reminders of PE periods ending while points are short (a daily job).

Safe to run as often as you like: each moment of a period is sent once (``PeriodReminder``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peregister.registry.reminders import send_period_reminders


class Command(BaseCommand):
    help = "Queue reminders to professionals whose PE period ends while points are short."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_period_reminders()
        self.stdout.write(f"{sent} period reminder(s) queued.")
