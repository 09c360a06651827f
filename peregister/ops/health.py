"""``/healthz`` (the process answers) and ``/readyz`` (it can do its work).

Both are open to anyone, carry no personal data, are not rate limited and not audited: a load
balancer or an orchestrator calls them every few seconds.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from peregister.accounts.guards import public
from peregister.core import clock
from peregister.notifications.mail import deferred_delivery
from peregister.ops.models import WorkerHeartbeat


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


def _worker() -> str:
    if not deferred_delivery():
        return "in-process"
    recent = clock.now() - dt.timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    return "ok" if WorkerHeartbeat.objects.filter(seen_at__gte=recent).exists() else "stale"


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
    try:
        checks["database"] = _database()
        checks["migrations"] = _migrations()
        checks["worker"] = _worker()
    except DatabaseError:
        checks.setdefault("database", "unreachable")
    ready = all(value in {"ok", "in-process"} for value in checks.values()) and len(checks) == 3
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
