"""``manage.py prune_outbox``: forget delivered mails after ``OUTBOX_KEEP_DAYS`` (daily job).

A delivered mail's row holds names and addresses; once it is delivered and old enough to have
stopped mattering for support questions, it goes. Failed mails stay until staff deal with them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from peregister.core import clock
from peregister.notifications.models import OutboxMessage


class Command(BaseCommand):
    help = "Delete delivered outbox mails older than OUTBOX_KEEP_DAYS."

    def handle(self, *args: Any, **options: Any) -> None:
        before = clock.now() - dt.timedelta(days=settings.OUTBOX_KEEP_DAYS)
        deleted, _by_model = OutboxMessage.objects.filter(
            state=OutboxMessage.State.SENT, sent_at__lt=before
        ).delete()
        self.stdout.write(f"{deleted} delivered mail(s) older than {before:%Y-%m-%d} removed.")
