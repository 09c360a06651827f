"""The production worker: django-tasks-db's queue, the outbox sweep and a heartbeat."""

from __future__ import annotations

import datetime as dt
import logging
import signal
from typing import Any

import pytest
import time_machine
from django.db import OperationalError, connection, transaction
from django_tasks_db.models import DBTaskResult

from peregister.core import clock
from peregister.notifications import mail as outbox
from peregister.notifications.models import OutboxMessage
from peregister.ops import worker as worker_module
from peregister.ops.models import WorkerHeartbeat
from peregister.ops.worker import OutboxWorker
from tests.outbox import grant_mail

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_queued_mail_is_delivered_by_the_worker_not_by_the_request(smtp, settings) -> None:
    settings.TASKS = DATABASE_BACKEND
    with transaction.atomic():
        message = grant_mail()
    # Committed: the task waits in the database queue; nothing was sent in-process.
    assert DBTaskResult.objects.count() == 1
    assert smtp.received == []

    OutboxWorker(worker_id="test-worker", interval=0).run(once=True)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert [r.message_id for r in smtp.received] == [message.message_id]
    assert WorkerHeartbeat.objects.get(worker_id="test-worker").seen_at <= clock.now()


@pytest.mark.django_db(transaction=True)
def test_a_mail_whose_task_was_lost_is_swept_up(smtp, settings) -> None:
    settings.TASKS = DATABASE_BACKEND
    with transaction.atomic():
        message = grant_mail()
    DBTaskResult.objects.all().delete()  # the process died between commit and hand-off

    with time_machine.travel(clock.now() + dt.timedelta(seconds=20), tick=False):
        OutboxWorker(worker_id="test-worker", interval=0).run(once=True)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert len(smtp.received) == 1


class DatabaseDown:
    """Every query fails (as while PostgreSQL restarts) until ``failures`` queries have failed."""

    def __init__(self, failures: int) -> None:
        self.left = failures

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if self.left > 0:
            self.left -= 1
            raise OperationalError("connection refused: the server is starting up")
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_a_worker_started_while_the_database_is_down_waits_for_it(smtp, settings) -> None:
    settings.TASKS = DATABASE_BACKEND
    with transaction.atomic():
        message = grant_mail()
    worker = OutboxWorker(worker_id="early-riser", interval=0)
    worker.retry_wait = 0
    down = DatabaseDown(failures=5)
    with connection.execute_wrapper(down):
        worker.run(once=True)
    assert down.left == 0
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert WorkerHeartbeat.objects.filter(worker_id="early-riser").exists()


def queue_due_mails(settings: Any, count: int) -> None:
    """``count`` mails queued for a worker, due for its sweep at once (no grace)."""
    settings.TASKS = DATABASE_BACKEND
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    with transaction.atomic():
        for _ in range(count):
            grant_mail()


def _shifting_sends(monkeypatch, traveller, seconds: float) -> list[dt.timedelta | None]:
    """Each mail takes ``seconds`` (the clock moves on); returns the heartbeat's age as each
    mail starts."""
    real_send = outbox._send
    ages: list[dt.timedelta | None] = []

    def slow(message: OutboxMessage) -> None:
        seen = WorkerHeartbeat.objects.values_list("seen_at", flat=True).first()
        ages.append(clock.now() - seen if seen else None)
        traveller.shift(dt.timedelta(seconds=seconds))
        real_send(message)

    monkeypatch.setattr(outbox, "_send", slow)
    return ages


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_goes_on_between_mails_of_a_long_sweep(smtp, settings, monkeypatch) -> None:
    monkeypatch.setattr(worker_module, "HEARTBEAT_EVERY", 0)
    queue_due_mails(settings, 3)
    with time_machine.travel(clock.now() + dt.timedelta(seconds=5), tick=False) as traveller:
        ages = _shifting_sends(monkeypatch, traveller, seconds=40)
        OutboxWorker(worker_id="busy", interval=0).run(once=True)
    assert len(ages) == 3
    assert all(age is not None and age <= dt.timedelta(seconds=40) for age in ages), ages


@pytest.mark.django_db(transaction=True)
def test_a_sweep_stops_at_its_time_limit_and_goes_on_next_cycle(
    smtp, settings, monkeypatch
) -> None:
    monkeypatch.setattr(worker_module, "SWEEP_SECONDS", 0)
    queue_due_mails(settings, 3)
    DBTaskResult.objects.all().delete()  # only the sweep delivers here
    worker = OutboxWorker(worker_id="w", interval=0)
    with time_machine.travel(clock.now() + dt.timedelta(seconds=5), tick=False):
        worker.cycle()
        assert len(smtp.received) == 1
        worker.cycle()
    assert len(smtp.received) == 2


@pytest.mark.django_db(transaction=True)
def test_sigterm_during_a_sweep_stops_it_after_the_mail_in_hand(
    smtp, settings, monkeypatch
) -> None:
    queue_due_mails(settings, 4)
    worker = OutboxWorker(worker_id="w", interval=0)
    real_send = outbox._send

    def send_then_signal(message: OutboxMessage) -> None:
        real_send(message)
        if worker.running:
            worker.tasks.shutdown(signal.SIGTERM, None)  # the signal arrives mid-mail

    monkeypatch.setattr(outbox, "_send", send_then_signal)
    with time_machine.travel(clock.now() + dt.timedelta(seconds=5), tick=False):
        worker.cycle()
    assert len(smtp.received) == 1
    assert not worker.running
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING).count() == 3


@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_logs_nothing(settings, caplog) -> None:
    settings.TASKS = DATABASE_BACKEND
    worker = OutboxWorker(worker_id="idle", interval=0)
    worker.cycle()  # the first cycle says hello (heartbeat written)
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            worker.cycle()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []


@pytest.mark.django_db(transaction=True)
def test_task_rows_left_running_by_a_killed_worker_are_cleared_at_start(smtp, settings) -> None:
    settings.TASKS = DATABASE_BACKEND
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 0
    with transaction.atomic():
        message = grant_mail()
    DBTaskResult.objects.update(
        status="RUNNING", started_at=clock.now() - dt.timedelta(days=2), worker_ids=["killed"]
    )
    OutboxWorker(worker_id="w", interval=0).run(once=True)
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT  # the sweep took the mail over


@pytest.mark.django_db(transaction=True)
def test_the_housekeeping_queues_again_a_report_file_whose_task_was_lost(
    world,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """A crash between commit and enqueue leaves a snapshot queued with no task: within the
    hour the worker's housekeeping queues it again and the next cycle makes it."""
    from peregister.reports.models import ReportSnapshot
    from tests.conftest import client_for

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client_for(world.administrator.user).post("/werkgever/rapportage/bestand/")
    settings.TASKS = DATABASE_BACKEND
    assert not DBTaskResult.objects.exists()  # the task was lost
    with time_machine.travel(clock.now() + dt.timedelta(minutes=10)):
        OutboxWorker(worker_id="w", interval=0).run(once=True)
    assert ReportSnapshot.objects.get().state == ReportSnapshot.State.READY
