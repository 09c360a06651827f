"""A large *Professionals importeren*: the request stores the file and queues the check; staff
confirm what the check found and the apply is queued. The work itself is the task worker's
(``import_checking``); applying records the import's audit event there, as a small import does.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.backoffice.models import ImportRun
from peregister.backoffice.tasks import apply_import_task, check_import_task
from peregister.core import clock
from peregister.core.refusals import Refused


def start_run(*, actor: Any, data: bytes, file_name: str) -> ImportRun:
    """Keep the uploaded file and queue its check (after commit: the worker must find it)."""
    require_staff(actor)
    with transaction.atomic():
        run = ImportRun.objects.create(
            created_at=clock.now(), created_by=actor, file_name=file_name[:200], data=data
        )
        code = str(run.code)
        transaction.on_commit(lambda: check_import_task.enqueue(code=code))
    return run


def confirm_run(*, actor: Any, run: ImportRun) -> None:
    """Queue the apply of a checked run without errors; a second click changes nothing."""
    require_staff(actor)
    with transaction.atomic():
        started = ImportRun.objects.filter(
            Q(new__gt=0) | Q(changed__gt=0), pk=run.pk, state=ImportRun.State.CHECKED, errors=0
        ).update(state=ImportRun.State.APPLYING, confirmed_by=actor)
        if not started:
            if run.state == ImportRun.State.APPLYING:
                return
            raise Refused(_("Deze import kan niet (meer) worden bevestigd."))
        code = str(run.code)
        transaction.on_commit(lambda: apply_import_task.enqueue(code=code))
