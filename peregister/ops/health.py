"""``/healthz`` (the process answers) and ``/readyz`` (it can serve requests).

Both are open to anyone, carry no personal data, are not rate limited and not audited: a load
balancer or an orchestrator calls them every few seconds.

``/readyz`` answers 503 only for what stops this app machine from serving: the database, and
migrations not yet applied. The task worker's heartbeat is in its body, for monitoring; it does
not make the app unready (a stopped worker or a slow mail server would otherwise take every app
machine out of the load balancer at once). A failing probe logs one line when the state changes,
not one per probe.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peregister.accounts.guards import public
from peregister.core import clock
from peregister.notifications.mail import deferred_delivery
from peregister.ops.models import WorkerHeartbeat

logger = logging.getLogger("peregister.health")
# This process's last answer, to log changes only (each process logs its own).
_last_state: str | None = None


@cache
def _known_migrations() -> frozenset[tuple[str, str]]:
    """The migrations this code ships (read from disk once per process)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _migrations() -> str:
    applied = set(MigrationRecorder(connection).applied_migrations())
    return "ok" if _known_migrations() <= applied else "pending"


def _worker() -> dict[str, Any]:
    """The latest heartbeat of any worker: "ok" when recent, else "stale" (none, or too old)."""
    if not deferred_delivery():
        return {"status": "in-process", "seen_seconds_ago": None}
    seen = WorkerHeartbeat.objects.aggregate(latest=Max("seen_at"))["latest"]
    age = None if seen is None else max(int((clock.now() - seen).total_seconds()), 0)
    fresh = age is not None and age <= settings.WORKER_HEARTBEAT_MAX_AGE
    return {"status": "ok" if fresh else "stale", "seen_seconds_ago": age}


def _log_change(state: str, checks: dict[str, str]) -> None:
    global _last_state
    if state == _last_state:
        return
    if state == "ok":
        if _last_state is not None:
            logger.info("ready again", extra=checks)
    else:
        logger.warning("not ready", extra=checks)
    _last_state = state


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@public
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    body: dict[str, Any] = {}
    try:
        checks["database"] = _database()
        checks["migrations"] = _migrations()
        body["worker"] = _worker()
    except DatabaseError:
        checks.setdefault("database", "unreachable")
        checks.setdefault("migrations", "unknown")
    ready = all(value == "ok" for value in checks.values())
    state = "ok" if ready else "unavailable"
    _log_change(state, checks)
    response = JsonResponse(
        {"status": state, "checks": checks, **body}, status=200 if ready else 503
    )
    # Logged above, once per change: keep django.request from adding an ERROR every probe.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
