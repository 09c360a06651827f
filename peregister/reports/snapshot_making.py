"""The task worker's part of a report snapshot: read the rows once, write XLSX and CSV.

``make_snapshot`` resolves a manager's report scope again through the access rule
(``policies.report_scope``: the requester's, or when the requester lost the role another active
manager's of the organisation; an organisation suspended meanwhile gets nothing), fixes the
report's moment, writes both files (fixed names, ``snapshot_files.file_names``) from one pass over
``reports.rows.report_rows`` into the ``exports`` storage, keeping its progress on the
snapshot, and then, in one transaction, links the included professionals once to the
snapshot's ``report.generated`` event and marks it ready. Memory stays flat whatever the
number of rows (XlsxWriter's ``constant_memory``; the CSV is written as the rows pass).

``fingerprint`` is what "nothing changed" means (``reports/snapshots.py`` reuses a snapshot
only while it is unchanged).
"""

from __future__ import annotations

import hashlib
import io
import logging
import tempfile
from collections.abc import Iterable, Iterator

from django.core.files import File
from django.db import transaction
from django.db.models import Case, Q, When
from django.utils import translation
from django.utils.translation import gettext_lazy

from peregister.access import policies
from peregister.access.policies import ReportScope
from peregister.accounts.roles import acting_as_contact
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.made_files import delete_files, made_file_storage
from peregister.organisations.models import Contact
from peregister.reports.render import tee_csv, write_xlsx
from peregister.reports.rows import ReportRow, report_rows, row_count
from peregister.reports.snapshot_files import (
    available_until,
    expire_snapshots,
    file_names,
    remove_outdated,
)
from peregister.reports.snapshot_models import ReportSnapshot

logger = logging.getLogger(__name__)
# The page's progress is written after every this many rows.
PROGRESS_EVERY = 2000
GENERATION_FAILED = gettext_lazy(
    "Het bestand kon niet worden gemaakt. Probeer het opnieuw; lukt het dan weer niet, neem "
    "contact op met het register."
)
NO_LONGER_ALLOWED = gettext_lazy("U kunt deze rapportage niet (meer) opvragen.")
# Nobody of the organisation may fetch this report any more (suspended, no manager left).
NO_MANAGER = gettext_lazy(
    "Het bestand kon niet worden gemaakt: de rapportage van deze organisatie is nu niet "
    "beschikbaar."
)


def fingerprint(scope: ReportScope) -> str:
    """The report's "nothing changed" marker: the organisation, what the scope covers, the
    Amsterdam day (statuses and live grants change with it) and every live grant of the scope
    as (grant, contact, *geautoriseerd tot*). A grant given, revoked or changed, a contact
    deactivated or an organisation suspended changes it. One query over the scope's grants
    (ids only), never over the completions. Figures and names are not in it: those changes
    show in the next snapshot after ``snapshots.REUSE_FOR``."""
    digest = hashlib.sha256(
        f"{scope.organisation.pk}|{scope.covers}|{scope.today.isoformat()}".encode()
    )
    grants = (
        scope.grants.order_by("pk")
        .values_list("pk", "contact_id", "valid_until")
        .iterator(chunk_size=5000)
    )
    for grant_id, contact_id, until in grants:
        digest.update(f"|{grant_id},{contact_id},{until}".encode())
    return digest.hexdigest()


def _counted(rows: Iterable[ReportRow], snapshot_id: int) -> Iterator[ReportRow]:
    running = ReportSnapshot.objects.filter(pk=snapshot_id, state=ReportSnapshot.State.RUNNING)
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            running.update(rows_done=done)


def _scope(snapshot: ReportSnapshot) -> ReportScope | None:
    """A manager's scope now, through the access rule, if it covers this snapshot: the
    requester's, or, when the requester lost the role meanwhile, any other active manager's
    of the organisation (the rows are the organisation's, the same for each; every
    downloader's own scope is checked again at the download)."""
    managers = (
        Contact.objects.select_related("user", "organisation")
        .filter(
            Q(pk=snapshot.contact_id)
            | Q(
                organisation_id=snapshot.organisation_id,
                active=True,
                role__in=[Contact.Role.ADMINISTRATOR, Contact.Role.DEPUTY],
            )
        )
        # The requester first.
        .order_by(Case(When(pk=snapshot.contact_id, then=0), default=1), "pk")
    )
    for contact in managers:
        scope = policies.report_scope(acting_as_contact(contact.user, contact), clock.now())
        if (
            scope is not None
            and scope.organisation.pk == snapshot.organisation_id
            and scope.covers == snapshot.covers
        ):
            return scope
    return None


def _fail(snapshot: ReportSnapshot, message: str) -> str:
    # Whatever was saved (the names are fixed), nothing of a failed snapshot is kept.
    delete_files(file_names(snapshot.code))
    ReportSnapshot.objects.filter(pk=snapshot.pk, state=ReportSnapshot.State.RUNNING).update(
        state=ReportSnapshot.State.FAILED, message=message, finished_at=clock.now()
    )
    return ReportSnapshot.State.FAILED


def make_snapshot(code: str) -> str:
    """Make the queued snapshot ``code``; its state afterwards ("" when it was not queued)."""
    snapshot = ReportSnapshot.objects.filter(code=code, state=ReportSnapshot.State.QUEUED).first()
    if snapshot is None:
        return ""
    # Claimed with a conditional UPDATE: a second worker handed the same task does nothing.
    if not ReportSnapshot.objects.filter(pk=snapshot.pk, state=ReportSnapshot.State.QUEUED).update(
        state=ReportSnapshot.State.RUNNING
    ):
        return ""
    names = file_names(code)
    try:
        scope = _scope(snapshot)
        if scope is None:
            return _fail(snapshot, str(NO_MANAGER))
        print_ = fingerprint(scope)
        ReportSnapshot.objects.filter(pk=snapshot.pk).update(
            at=scope.at, fingerprint=print_, rows_total=row_count(scope.grants, scope.today)
        )
        storage = made_file_storage()
        with (
            translation.override(snapshot.language),
            tempfile.TemporaryFile() as xlsx,
            tempfile.TemporaryFile() as raw_csv,
        ):
            text = io.TextIOWrapper(raw_csv, encoding="utf-8", newline="")
            count = write_xlsx(_counted(tee_csv(report_rows(scope), text), snapshot.pk), xlsx)
            text.flush()
            for handle, name in zip((xlsx, raw_csv), names, strict=True):
                handle.seek(0)
                if storage.save(name, File(handle)) != name:
                    raise RuntimeError(f"{name} existed already")
            text.detach()
        finished = clock.now()
        with transaction.atomic():
            event = record(
                AuditEvent.Action.REPORT_GENERATED,
                actor=scope.contact.user,
                organisation=scope.organisation,
                contact=scope.contact,
                professionals=scope.professionals,
                rows=count,
                snapshot=str(snapshot.code),
            )
            if not ReportSnapshot.objects.filter(
                pk=snapshot.pk, state=ReportSnapshot.State.RUNNING
            ).update(
                state=ReportSnapshot.State.READY,
                rows_done=count,
                finished_at=finished,
                expires_at=available_until(finished),
                xlsx_name=names[0],
                csv_name=names[1],
                event=event,
            ):
                # Given up on meanwhile (the page said so): keep nothing of it.
                transaction.set_rollback(True)
                delete_files(names)
                return ""
    except BaseException as exc:
        # Never leave the page promising a file for ever: say it failed, keep nothing (also
        # when the process is being stopped: then it stops after that).
        logger.exception("report snapshot failed", extra={"snapshot": code})
        state = _fail(snapshot, str(GENERATION_FAILED))
        if not isinstance(exc, Exception):
            raise
        return state
    # Files past their time, and older ones of other grants, go now, not with the daily job.
    snapshot.refresh_from_db()
    remove_outdated(snapshot)
    expire_snapshots()
    return ReportSnapshot.State.READY
