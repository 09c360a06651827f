"""Write an organisation's report to a file, for scheduled runs (cron, a task runner).

It runs as the organisation's beheerder: the same access rule, the same report snapshot (made
or reused, ``reports/snapshots.py``) and the same ``report.downloaded`` audit event as a
download in the browser.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path
from time import sleep
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peregister.access import policies
from peregister.accounts.roles import acting_as_contact
from peregister.core import clock
from peregister.core.numbers import ascii_digits
from peregister.organisations.models import Contact, Organisation
from peregister.reports import snapshots
from peregister.reports.snapshot_making import make_snapshot
from peregister.reports.snapshot_models import ReportSnapshot

FORMATS = ("xlsx", "csv")
WAIT_SECONDS = 600  # 20,000 rows take seconds; a busy worker's queue minutes
POLL_SECONDS = 1.0


def find_organisation(key: str) -> Organisation:
    """By KvK number (8 digits) or by the organisation's code (UUID)."""
    key = key.strip()
    # A provider has the same KvK shape but no rapportage.
    organisations = Organisation.objects.exclude(status=Organisation.Status.REJECTED).filter(
        kind=Organisation.Kind.EMPLOYER
    )
    if ascii_digits(key):
        found = organisations.filter(kvk_number=key).first()
    else:
        try:
            found = organisations.filter(code=uuid.UUID(key)).first()
        except ValueError:
            found = None
    if found is None:
        raise CommandError(f"Geen organisatie met KvK-nummer of code {key!r}.")
    if found.status != Organisation.Status.AUTHORISED:
        raise CommandError(f"Organisatie {found.name!r} is niet geautoriseerd.")
    return found


class Command(BaseCommand):
    help = "Schrijf de rapportage van een organisatie naar een XLSX- of CSV-bestand."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="KvK-nummer of code (UUID)")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--output", required=True, type=Path, help="pad van het bestand")
        parser.add_argument(
            "--wait",
            type=int,
            default=WAIT_SECONDS,
            help="seconden wachten op een bestand dat de worker al maakt",
        )

    def _finished(self, snapshot: ReportSnapshot, wait: int) -> ReportSnapshot:
        """The snapshot once the task worker is done with it, or after ``wait`` seconds."""
        deadline = time.monotonic() + wait
        snapshot.refresh_from_db()
        while snapshot.in_progress and time.monotonic() < deadline:
            sleep(POLL_SECONDS)
            snapshot.refresh_from_db()
        if snapshot.in_progress:
            raise CommandError(
                f"Het bestand wordt na {wait} seconden nog gemaakt; probeer het later opnieuw."
            )
        return snapshot

    def handle(self, *args: Any, **options: Any) -> None:
        found = find_organisation(options["organisation"])
        file_format: str = options["format"]
        output = Path(options["output"])
        administrator = Contact.objects.select_related("user", "organisation").get(
            organisation=found, role=Contact.Role.ADMINISTRATOR
        )
        if not output.parent.is_dir():
            raise CommandError(f"Map {output.parent} bestaat niet.")
        # Acting for this organisation: its beheerder may be a contact of others as well.
        scope = policies.report_scope(
            acting_as_contact(administrator.user, administrator), clock.now()
        )
        if scope is None:
            raise CommandError(f"Organisatie {found.name!r} is niet geautoriseerd.")
        # The same snapshot as a download in the browser (an unchanged one is reused). The
        # command is no web worker: what the task worker has not started is made here; what
        # it is making right now is waited for.
        snapshot = snapshots.request_snapshot(actor=administrator.user, scope=scope, enqueue=False)
        if snapshot.state == ReportSnapshot.State.QUEUED:
            make_snapshot(str(snapshot.code))
        snapshot = self._finished(snapshot, options["wait"])
        if not snapshots.is_current(snapshot, scope):
            raise CommandError(
                f"Het bestand kon niet worden gemaakt ({snapshot.get_state_display()}): "
                f"{snapshot.message or 'probeer het opnieuw'}."
            )
        # Written next to the target and moved into place, so a reader never sees half a file.
        partial = output.with_name(f".{output.name}.partial")
        try:
            with (
                snapshots.open_download(
                    actor=administrator.user,
                    scope=scope,
                    snapshot=snapshot,
                    file_format=file_format,
                    source="command",
                ) as source,
                partial.open("wb") as target,
            ):
                shutil.copyfileobj(source, target)
            os.replace(partial, output)
        except FileNotFoundError as exc:  # its time was up a moment ago
            raise CommandError("Het bestand is net verwijderd: probeer het opnieuw.") from exc
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"{snapshot.rows_done} rijen geschreven naar {output}")
