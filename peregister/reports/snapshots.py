"""Report snapshots: a download request makes (or reuses) one; downloads read its files.

*Nothing changed*, and a snapshot may be reused, while all of these hold:

- the same organisation, the same ``ReportScope.covers`` (a narrower scope never shares a
  whole-organisation snapshot) and the same language (the files' headers and labels);
- the same ``snapshot_making.fingerprint``: the Amsterdam day and every live grant of the scope
  (grant, contact, end date). A grant given, revoked, ended or changed, a contact deactivated:
  a new snapshot;
- made less than ``REUSE_FOR`` ago (points, names and renewals changed since show in the next
  one: a report is at most this old), or still being made.

A download checks the fingerprint again: a snapshot whose grants changed since it was made is
never handed out again (the page offers a new one), so a revoked grant never appears in a
download after its revocation. Files are deleted ``KEEP_FOR`` after they were made
(``expire_report_snapshots``, one of the daily jobs) and never handed out after that moment.

Access goes only through ``access.policies.report_scope``: a snapshot is found by its code
*within* the viewer's scope (organisation and ``covers``); any other code answers 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import translation

from peregister.access.policies import ReportScope
from peregister.accounts.actors import require_user
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.reports.snapshot_files import snapshot_storage
from peregister.reports.snapshot_making import NO_LONGER_ALLOWED, fingerprint
from peregister.reports.snapshot_models import ReportSnapshot
from peregister.reports.tasks import make_snapshot_task

REUSE_FOR = dt.timedelta(minutes=5)
FORMATS = ("xlsx", "csv")


def request_snapshot(*, actor: Any, scope: ReportScope) -> ReportSnapshot:
    """A snapshot of ``scope`` in the active language: an unchanged one, or a new one queued
    for the worker (after commit: the worker must find it)."""
    # A scope is the actor's own, resolved by the page (or command) from that user.
    require_user(actor, scope.contact.user_id, str(NO_LONGER_ALLOWED))
    language = translation.get_language() or "nl"
    print_ = fingerprint(scope)
    with transaction.atomic():
        reusable = (
            ReportSnapshot.objects.filter(
                organisation_id=scope.organisation.pk,
                covers=scope.covers,
                language=language,
                fingerprint=print_,
            )
            .filter(
                Q(state__in=[ReportSnapshot.State.QUEUED, ReportSnapshot.State.RUNNING])
                | Q(
                    state=ReportSnapshot.State.READY,
                    finished_at__gte=scope.at - REUSE_FOR,
                    expires_at__gt=scope.at,
                )
            )
            .order_by("-requested_at", "-id")
            .first()
        )
        if reusable is not None:
            return reusable
        snapshot = ReportSnapshot.objects.create(
            organisation=scope.organisation,
            contact=scope.contact,
            covers=scope.covers,
            language=language,
            requested_at=scope.at,
            fingerprint=print_,
        )
        code = str(snapshot.code)
        transaction.on_commit(lambda: make_snapshot_task.enqueue(code=code))
    return snapshot


def snapshot_or_404(scope: ReportScope, code: uuid.UUID) -> ReportSnapshot:
    """The snapshot ``code`` if it is one of ``scope``'s (its organisation, what it covers)."""
    snapshot = ReportSnapshot.objects.filter(
        code=code, organisation_id=scope.organisation.pk, covers=scope.covers
    ).first()
    if snapshot is None:
        raise Http404
    return snapshot


def is_current(snapshot: ReportSnapshot, scope: ReportScope) -> bool:
    """May its files be handed out to ``scope`` now: ready, not expired, grants unchanged."""
    return (
        snapshot.state == ReportSnapshot.State.READY
        and snapshot.expires_at is not None
        and snapshot.expires_at > scope.at
        and snapshot.fingerprint == fingerprint(scope)
    )


def open_download(
    *, actor: Any, scope: ReportScope, snapshot: ReportSnapshot, file_format: str, **extra: Any
) -> IO[bytes]:
    """The snapshot's file in ``file_format``, audited as one ``report.downloaded`` event that
    concerns the snapshot's professionals (linked once, to its ``report.generated`` event).

    The caller has checked ``is_current``. The event is written before the first byte is
    sent: a broken-off download still counts as one."""
    if file_format not in FORMATS or snapshot.state != ReportSnapshot.State.READY:
        raise Http404
    name = snapshot.xlsx_name if file_format == "xlsx" else snapshot.csv_name
    handle = snapshot_storage().open(name, "rb")
    try:
        with transaction.atomic():
            record(
                AuditEvent.Action.REPORT_DOWNLOADED,
                actor=actor,
                organisation=scope.organisation,
                contact=scope.contact,
                professionals_of=snapshot.event,
                rows=snapshot.rows_done,
                format=file_format,
                snapshot=str(snapshot.code),
                **extra,
            )
    except BaseException:
        handle.close()
        raise
    return handle
