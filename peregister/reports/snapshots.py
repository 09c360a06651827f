"""Report snapshots: a download request makes (or reuses) one; downloads read its files.

*Nothing changed*, and a snapshot may be reused, while all of these hold:

- the same organisation, the same ``ReportScope.covers`` (a narrower scope never shares a
  whole-organisation snapshot) and the same language (the files' headers and labels);
- the same ``snapshot_making.fingerprint``: the Amsterdam day and every live grant of the scope
  (grant, contact, end date). A grant given, revoked, ended or changed, a contact deactivated:
  a new snapshot;
- made less than ``REUSE_FOR`` ago (points, names and renewals changed since show in the next
  one asked for), or still being made (at most one is, per organisation, scope, language and
  fingerprint: a unique constraint, so two requests at once share one).

A download checks the fingerprint again: a snapshot whose grants changed since it was made is
never handed out again (the page offers a new one), so a revoked grant never appears in a
download after its revocation. Files are handed out until ``expires_at``
(``snapshot_files.available_until``) and deleted then (``tidy_up``: the daily job
``expire_report_snapshots`` and the worker's hourly housekeeping); ``unavailable_because``
tells the page which of the two reasons holds.

Access goes only through ``access.policies.report_scope``: a snapshot is found by its code
*within* the viewer's scope (organisation and ``covers``); any other code answers 404.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import IO, Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import translation

from peregister.access.policies import ReportScope
from peregister.accounts.actors import require_user
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, made_files
from peregister.reports import snapshot_files
from peregister.reports.snapshot_making import NO_LONGER_ALLOWED, fingerprint
from peregister.reports.snapshot_models import ReportSnapshot
from peregister.reports.tasks import make_snapshot_task

logger = logging.getLogger(__name__)
REUSE_FOR = dt.timedelta(minutes=5)
FORMATS = ("xlsx", "csv")
EXPIRED, CHANGED = "expired", "changed"


def _reusable(scope: ReportScope, language: str, print_: str) -> ReportSnapshot | None:
    return (
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


def request_snapshot(*, actor: Any, scope: ReportScope, enqueue: bool = True) -> ReportSnapshot:
    """A snapshot of ``scope`` in the active language: an unchanged one, or a new one queued
    for the worker (after commit: the worker must find it; ``enqueue=False``: the caller makes
    it itself).

    Two requests at once (a double click, two managers) get one snapshot: at most one per
    organisation, scope, language and fingerprint is queued or being made (a unique
    constraint); the second request's insert waits for the first's commit, fails, and it
    takes the first's snapshot."""
    # A scope is the actor's own, resolved by the page (or command) from that user.
    require_user(actor, scope.contact.user_id, str(NO_LONGER_ALLOWED))
    language = translation.get_language() or "nl"
    print_ = fingerprint(scope)
    # One that lost its worker is never handed out again as "being made".
    snapshot_files.give_up_stalled()
    with transaction.atomic():
        reusable = _reusable(scope, language, print_)
        if reusable is not None:
            return reusable
        try:
            with transaction.atomic():
                snapshot = ReportSnapshot.objects.create(
                    organisation=scope.organisation,
                    contact=scope.contact,
                    covers=scope.covers,
                    language=language,
                    requested_at=scope.at,
                    fingerprint=print_,
                )
        except IntegrityError:
            # Another request created it a moment ago (and has committed: the insert waited).
            reusable = _reusable(scope, language, print_)
            if reusable is None:
                raise
            return reusable
        if enqueue:
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
    return snapshot.state == ReportSnapshot.State.READY and not unavailable_because(snapshot, scope)


def unavailable_because(snapshot: ReportSnapshot, scope: ReportScope) -> str:
    """Why a ready (or removed) snapshot's files are not handed out to ``scope`` now:
    ``EXPIRED``, ``CHANGED`` (the scope's grants changed since it was made) or "" (they are;
    also "" while it is being made or failed: its page says so)."""
    if snapshot.state not in (ReportSnapshot.State.READY, ReportSnapshot.State.REMOVED):
        return ""
    if snapshot.expires_at is None or snapshot.expires_at <= scope.at:
        return EXPIRED
    # Removed before its time: only because a snapshot under other grants replaced it.
    if snapshot.state == ReportSnapshot.State.REMOVED or snapshot.fingerprint != fingerprint(scope):
        return CHANGED
    return ""


def waiting_long(snapshot: ReportSnapshot, at: dt.datetime) -> bool:
    """Still queued ``WAITING_LONG`` after the request: no worker took it (yet). The first
    time a process sees it (its page is polled every 2 seconds), it is logged as an error,
    where staff look, whether or not a worker runs the tidy-up that logs it too."""
    waiting = (
        snapshot.state == ReportSnapshot.State.QUEUED
        and snapshot.requested_at < at - snapshot_files.WAITING_LONG
    )
    if waiting and cache.add(f"report-snapshot-waiting:{snapshot.code}", 1, timeout=3600):
        logger.error("report snapshots waiting for a worker", extra={"snapshots": 1})
    return waiting


def stalled(snapshot: ReportSnapshot, at: dt.datetime) -> bool:
    """In progress past ``GIVE_UP_AFTER``: as good as failed (the tidy-up marks it so)."""
    return snapshot.in_progress and snapshot.requested_at < at - made_files.GIVE_UP_AFTER


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
    handle = made_files.made_file_storage().open(name, "rb")
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


def requeue_lost() -> int:
    """Queue again the snapshots still queued ``WAITING_LONG`` after their request (a second
    task for one snapshot does nothing: the worker claims it once); how many."""
    waiting = list(
        ReportSnapshot.objects.filter(
            state=ReportSnapshot.State.QUEUED,
            requested_at__lt=clock.now() - snapshot_files.WAITING_LONG,
        ).values_list("code", flat=True)
    )
    for code in waiting:
        make_snapshot_task.enqueue(code=str(code))
    if waiting:
        # Where staff look (the log's alerts, next to /readyz's worker heartbeat).
        logger.error("report snapshots waiting for a worker", extra={"snapshots": len(waiting)})
    return len(waiting)


def tidy_up() -> dict[str, int]:
    """What the daily jobs and the worker's housekeeping do for report files."""
    stalled = snapshot_files.give_up_stalled()
    removed = snapshot_files.expire_snapshots()
    requeued = requeue_lost()
    named = set(
        ReportSnapshot.objects.filter(state=ReportSnapshot.State.READY)
        .values_list("xlsx_name", "csv_name")
        .iterator()
    )
    swept = made_files.sweep_orphans(
        snapshot_files.FOLDER, {name for pair in named for name in pair}
    )
    return {"removed": removed, "stalled": stalled, "requeued": requeued, "swept": swept}
