"""/healthz and /readyz: open, no personal data, no audit; readiness means database,
migrations and (with a separate worker) a recent worker heartbeat."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.ops import health
from peregister.ops.models import WorkerHeartbeat

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def get(path: str) -> tuple[int, dict[str, Any]]:
    response = Client().get(path)
    assert response["Cache-Control"].startswith("max-age=0")
    return response.status_code, json.loads(response.content)


@pytest.mark.django_db
def test_healthz_answers_anyone_without_a_session() -> None:
    assert get("/healthz") == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readyz_with_in_process_delivery_needs_no_worker() -> None:
    status, body = get("/readyz")
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "in-process"},
    }


@pytest.mark.django_db
def test_readyz_fails_without_a_recent_worker_heartbeat(settings) -> None:
    settings.TASKS = DATABASE_BACKEND
    status, body = get("/readyz")
    assert (status, body["checks"]["worker"]) == (503, "stale")

    now = clock.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="app-1", pid=1, started_at=now, seen_at=now
    )
    assert get("/readyz")[0] == 200

    WorkerHeartbeat.objects.update(seen_at=now - dt.timedelta(minutes=5))
    assert get("/readyz")[0] == 503


@pytest.mark.django_db
def test_readyz_fails_while_a_migration_is_not_applied(monkeypatch) -> None:
    shipped = health._known_migrations() | {("notifications", "9999_not_applied")}
    monkeypatch.setattr(health, "_known_migrations", lambda: shipped)
    status, body = get("/readyz")
    assert (status, body["checks"]["migrations"]) == (503, "pending")


@pytest.mark.django_db
def test_probes_are_not_audited_and_not_rate_limited() -> None:
    for _ in range(200):
        assert Client().get("/readyz").status_code == 200
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_accepts_a_proxys() -> None:
    own = Client().get("/healthz")["X-Request-ID"]
    assert len(own) == 32
    given = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21")["X-Request-ID"]
    assert given == "lb-7f3a9c21"
    # Not an id: a header value with spaces and markup is replaced, not echoed.
    odd = Client().get("/healthz", HTTP_X_REQUEST_ID="<script> x")["X-Request-ID"]
    assert odd != "<script> x"
    assert len(odd) == 32
