"""A large *Professionals importeren*: the request stores the file and queues the check; staff
confirm what the check found and the apply is queued. The work itself is the task worker's
(``import_checking``); applying records the import's audit event there, as a small import does.
Starting and confirming are staff's own acts: each records its event here, in the request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.backoffice.models import ImportRun
from peregister.backoffice.professional_import import ALREADY_APPLIED
from peregister.backoffice.tasks import apply_import_task, check_import_task
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.core.tabular import CHECKED_MAX_AGE

# A check of 100,000 rows takes minutes and an apply about ten: a run far beyond these has lost
# its worker. The apply writes in one transaction, so a dead worker wrote nothing.
GIVE_UP_CHECK_AFTER = dt.timedelta(hours=2)
GIVE_UP_APPLY_AFTER = dt.timedelta(hours=6)
EXPIRED = gettext_lazy(
    "De controle is verlopen: een gecontroleerde import kan 12 uur worden bevestigd. Het "
    "bestand is verwijderd en er is niets gewijzigd; lees het bestand opnieuw in."
)


def _expired_runs() -> Any:
    """Checked runs nobody confirmed in time, like the small import's signed set (review 14
    F15): the file is personal data, and a check long ago is not what staff confirm now."""
    limit = clock.now() - CHECKED_MAX_AGE
    return ImportRun.objects.filter(state=ImportRun.State.CHECKED).filter(
        Q(checked_at__lt=limit) | Q(checked_at__isnull=True, created_at__lt=limit)
    )


def expire_checked_runs() -> int:
    """End every expired checked run and delete its file (the daily jobs); how many."""
    return _expired_runs().update(state=ImportRun.State.FAILED, message=str(EXPIRED), data=b"")


def expire_checked(run: ImportRun) -> bool:
    """End ``run`` when its check expired; True when it did."""
    if (
        not _expired_runs()
        .filter(pk=run.pk)
        .update(state=ImportRun.State.FAILED, message=str(EXPIRED), data=b"")
    ):
        return False
    run.refresh_from_db(fields=["state", "message"])
    return True


def start_run(*, actor: Any, data: bytes, file_name: str) -> ImportRun:
    """Keep the uploaded file and queue its check (after commit: the worker must find it)."""
    require_staff(actor)
    with transaction.atomic():
        run = ImportRun.objects.create(
            created_at=clock.now(), created_by=actor, file_name=file_name[:200], data=data
        )
        code = str(run.code)
        record(
            AuditEvent.Action.IMPORT_STARTED,
            actor=actor,
            import_code=code,
            file_name=run.file_name,
            size=len(data),
        )
        transaction.on_commit(lambda: check_import_task.enqueue(code=code))
    return run


def confirm_run(*, actor: Any, run: ImportRun) -> None:
    """Queue the apply of a checked run without errors; a second click changes nothing."""
    require_staff(actor)
    if expire_checked(run):
        raise Refused(EXPIRED, conflict=True, code="expired")
    with transaction.atomic():
        started = ImportRun.objects.filter(
            Q(new__gt=0) | Q(changed__gt=0), pk=run.pk, state=ImportRun.State.CHECKED, errors=0
        ).update(state=ImportRun.State.APPLYING, confirmed_by=actor, confirmed_at=clock.now())
        if not started:
            if run.state == ImportRun.State.APPLYING:
                return
            if run.state in (ImportRun.State.APPLIED, ImportRun.State.UNCHANGED):
                raise Refused(ALREADY_APPLIED, conflict=True, code="already_applied")
            raise Refused(_("Deze import kan niet (meer) worden bevestigd."))
        code = str(run.code)
        record(
            AuditEvent.Action.IMPORT_CONFIRMED,
            actor=actor,
            import_code=code,
            file_name=run.file_name,
            new=run.new,
            changed=run.changed,
            unchanged=run.unchanged,
        )
        transaction.on_commit(lambda: apply_import_task.enqueue(code=code))


def give_up_stalled(run: ImportRun) -> bool:
    """Mark ``run`` failed when its worker has been gone too long, so the page says what
    happened instead of showing a bar that never moves; True when it did."""
    now = clock.now()
    stalled = ImportRun.objects.filter(pk=run.pk).filter(
        Q(state=ImportRun.State.CHECKING, created_at__lt=now - GIVE_UP_CHECK_AFTER)
        | Q(state=ImportRun.State.APPLYING, confirmed_at__lt=now - GIVE_UP_APPLY_AFTER)
    )
    message = _(
        "De verwerking is onderbroken en niet afgemaakt. Er is niets gewijzigd; lees het "
        "bestand opnieuw in."
    )
    if not stalled.update(state=ImportRun.State.FAILED, message=message, data=b""):
        return False
    run.refresh_from_db(fields=["state", "message"])
    return True
