"""``manage.py repair_period_figures``: rebuild stored period figures that differ from a recount.

Only the periods that differ are written, in one transaction; running it twice changes nothing
the second time. ``check_period_figures`` says whether it is needed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from peregister.registry.figures import repair_figures

log = logging.getLogger("peregister.registry.figures")


class Command(BaseCommand):
    help = "Rebuild the stored figures of every PE period that differs from a recount."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            repaired = repair_figures()
        if repaired:
            log.warning("Period figures repaired", extra={"periods": repaired})
        self.stdout.write(f"{repaired} period(s) repaired.")
