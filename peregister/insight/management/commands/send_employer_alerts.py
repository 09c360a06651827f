"""Send employer contacts their alerts: the weekly digest and status changes (a daily job).

Safe to run as often as you like: each digest week and each status change is sent once
(``AlertSent``), and only to contacts holding a live grant at the moment of sending.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peregister.insight.alerts import send_employer_alerts


class Command(BaseCommand):
    help = "Send the employer contacts' opted-in alerts (weekly digest, status changes)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = send_employer_alerts()
        self.stdout.write(
            f"{run.digests} digest(s) and {run.status_changes} status change(s) sent."
        )
