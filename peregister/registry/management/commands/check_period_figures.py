"""``manage.py check_period_figures``: do the stored period figures equal a recount?

Exits 1 and names the periods (by id, nothing of the dossier) whose stored points or latest
renewal differ from the completions and renewals; ``repair_period_figures`` rebuilds them.
Safe to run on a live register (it only reads).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from peregister.registry.figures import stale_periods

SHOWN = 20


class Command(BaseCommand):
    help = "Compare every PE period's stored figures with a recount; exit 1 when any differ."

    def handle(self, *args: Any, **options: Any) -> None:
        stale = list(stale_periods().values_list("pk", flat=True))
        if stale:
            shown = ", ".join(str(pk) for pk in stale[:SHOWN])
            more = f" and {len(stale) - SHOWN} more" if len(stale) > SHOWN else ""
            raise CommandError(
                f"{len(stale)} period(s) with stored figures that differ from a recount: "
                f"{shown}{more}. Run repair_period_figures."
            )
        self.stdout.write("Every period's stored figures equal a recount.")
