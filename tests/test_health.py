"""/healthz and /readyz: open, no personal data, no audit; readiness means database,
migrations and (with a separate worker) a recent worker heartbeat."""

from __future__ import annotations

import datetime as dt
import json
import logging
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
        "checks": {"database": "ok", "migrations": "ok"},
        "worker": {"status": "in-process", "seen_seconds_ago": None},
    }


@pytest.mark.django_db
def test_a_stale_worker_is_reported_but_keeps_the_app_in_the_load_balancer(settings) -> None:
    """The app serves pages without a worker; taking every app machine out of the load
    balancer because the worker (or its mail server) is slow would only make things worse."""
    settings.TASKS = DATABASE_BACKEND
    status, body = get("/readyz")
    assert (status, body["worker"]) == (200, {"status": "stale", "seen_seconds_ago": None})

    now = clock.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="app-1", pid=1, started_at=now, seen_at=now
    )
    assert get("/readyz")[1]["worker"]["status"] == "ok"

    WorkerHeartbeat.objects.update(seen_at=now - dt.timedelta(minutes=5))
    status, body = get("/readyz")
    assert (status, body["worker"]) == (200, {"status": "stale", "seen_seconds_ago": 300})


@pytest.mark.django_db
def test_a_failing_readyz_logs_once_per_change_not_every_probe(monkeypatch, caplog) -> None:
    applied = health._known_migrations()
    shipped = applied | {("notifications", "9999_not_applied")}
    monkeypatch.setattr(health, "_known_migrations", lambda: shipped)
    monkeypatch.setattr(health, "_last_state", None)
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            assert get("/readyz")[0] == 503
    records = [(r.name, r.levelname) for r in caplog.records]
    assert records == [("peregister.health", "WARNING")], records

    monkeypatch.setattr(health, "_known_migrations", lambda: applied)  # migrated: ready again
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            assert get("/readyz")[0] == 200
    assert [(r.name, r.levelname) for r in caplog.records] == [("peregister.health", "INFO")]


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
def test_every_response_carries_a_request_id_and_accepts_a_proxys(settings) -> None:
    settings.TRUST_REQUEST_ID_HEADER = True
    own = Client().get("/healthz")["X-Request-ID"]
    assert len(own) == 32
    given = Client().get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21")["X-Request-ID"]
    assert given == "lb-7f3a9c21"
    # Not an id: a header value with spaces and markup is replaced, not echoed.
    odd = Client().get("/healthz", HTTP_X_REQUEST_ID="<script> x")["X-Request-ID"]
    assert odd != "<script> x"
    assert len(odd) == 32


@pytest.mark.django_db
def test_a_clients_request_id_is_ignored_unless_a_proxy_is_trusted_to_set_it(settings) -> None:
    settings.TRUST_REQUEST_ID_HEADER = False
    given = Client().get("/healthz", HTTP_X_REQUEST_ID="chosen-by-a-client")["X-Request-ID"]
    assert given != "chosen-by-a-client"
    assert len(given) == 32
