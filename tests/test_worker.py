"""The production worker: django-tasks-db's queue, the outbox sweep and a heartbeat."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from peregister.core import clock
from peregister.notifications.models import OutboxMessage
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
