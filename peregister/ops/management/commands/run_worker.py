"""``manage.py run_worker``: the production task worker (one or more per deployment)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string

from peregister.notifications.mail import deferred_delivery
from peregister.ops.worker import OutboxWorker


class Command(BaseCommand):
    help = "Run queued tasks (e-mail delivery) and retry due mails; reports a heartbeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Idle wait in seconds.")
        parser.add_argument("--once", action="store_true", help="One cycle, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not deferred_delivery() and not options["once"]:
            raise CommandError(
                "TASKS_BACKEND runs tasks in-process; set it to django_tasks_db.DatabaseBackend "
                "to use a worker (development needs none)."
            )
        worker = OutboxWorker(worker_id=get_random_string(32), interval=options["interval"])
        worker.run(once=options["once"])
