"""Daily job: remind professionals GRANT_REMINDER_DAYS days before a grant ends.

Safe to run as often as you like: each grant's reminder is claimed once (``reminder_sent_at``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from peregister.access.services import send_grant_reminders


class Command(BaseCommand):
    help = "E-mail professionals whose employer access (inzage werkgever) ends soon."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_grant_reminders()
        self.stdout.write(
            f"{sent} reminder(s) queued for grants ending within "
            f"{settings.GRANT_REMINDER_DAYS} days."
        )
