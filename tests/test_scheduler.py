"""``run_scheduled``: the daily jobs under one database lock, so several machines with the same
timer do the work once (PostgreSQL advisory lock; a lock row on SQLite)."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from peregister.core import clock
from peregister.notifications.mail import deliver_mail
from peregister.notifications.models import OutboxMessage
from peregister.ops import scheduler
from peregister.ops.models import SchedulerLock
from peregister.registry.models import Registration
from tests.outbox import grant_mail
from tests.test_close_periods import registration_with_period


@pytest.mark.django_db(transaction=True)
def test_two_machines_at_once_run_the_daily_jobs_once(monkeypatch) -> None:
    overdue = registration_with_period(end=clock.today() - dt.timedelta(days=1), points=0)
    inside = threading.Event()
    release = threading.Event()
    calls: list[str] = []
    real_call = scheduler.call_command

    def slow_call(name: str, *args: Any, **kwargs: Any) -> None:
        calls.append(name)
        if name == "close_periods":
            inside.set()
            release.wait(10)
        real_call(name, *args, **kwargs)

    monkeypatch.setattr(scheduler, "call_command", slow_call)
    results: dict[str, scheduler.RunResult] = {}

    def machine(name: str) -> None:
        try:
            results[name] = scheduler.run_daily()
        finally:
            connection.close()

    first = threading.Thread(target=machine, args=("first",))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=machine, args=("second",))
    second.start()
    second.join(10)
    release.set()
    first.join(10)

    assert results["first"].ran
    assert not results["first"].failed
    assert not results["second"].ran
    assert calls == [
        "close_periods",
        "send_grant_reminders",
        "send_period_reminders",
        "send_employer_alerts",
        "prune_outbox",
        "remove_expired_exports",
        "expire_import_runs",
        "expire_report_snapshots",
    ]
    overdue.refresh_from_db()
    assert overdue.status == Registration.Status.LAPSED
    assert OutboxMessage.objects.filter(template="registration_lapsed").count() == 1
    # The lock is free again for tomorrow's run, which finds no work left.
    assert scheduler.run_daily().ran
    assert OutboxMessage.objects.filter(template="registration_lapsed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_machine_died_does_not_block_the_next(settings) -> None:
    if connection.vendor == "postgresql":
        # The dead machine's session lock goes with its connection.
        db = settings.DATABASES["default"]
        other = psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
        )
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [scheduler.zlib.crc32(b"daily-jobs")])
        assert not scheduler.run_daily(()).ran
        other.close()
        # The server frees the lock once it has noticed the session ended (a moment later).
        deadline = time.monotonic() + 10
        while not scheduler.run_daily(()).ran:
            assert time.monotonic() < deadline, "the dead session's lock was never freed"
            time.sleep(0.05)
        return
    else:
        SchedulerLock.objects.create(
            name=scheduler.DAILY_LOCK,
            holder="dead-machine",
            expires_at=clock.now() - dt.timedelta(seconds=1),
        )
    assert scheduler.run_daily(()).ran


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others_and_the_command_fails(monkeypatch) -> None:
    calls: list[str] = []

    def call(name: str, *args: Any, **kwargs: Any) -> None:
        calls.append(name)
        if name == "close_periods":
            raise RuntimeError("boom")

    monkeypatch.setattr(scheduler, "call_command", call)
    with pytest.raises(Exception, match="close_periods"):
        call_command("run_scheduled", stdout=io.StringIO())
    assert calls == [
        "close_periods",
        "send_grant_reminders",
        "send_period_reminders",
        "send_employer_alerts",
        "prune_outbox",
        "remove_expired_exports",
        "expire_import_runs",
        "expire_report_snapshots",
    ]


@pytest.mark.django_db
def test_with_a_task_queue_the_daily_run_also_prunes_finished_task_results(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    old, recent = grant_mail(), grant_mail()
    # Their tasks, as the commit would queue them: one finished 8 days ago, one yesterday.
    for message, age in ((old, 8), (recent, 1)):
        deliver_mail.enqueue(message.pk)
        DBTaskResult.objects.filter(args_kwargs__args=[message.pk]).update(
            status="SUCCESSFUL", finished_at=clock.now() - dt.timedelta(days=age)
        )
    result = scheduler.run_daily()
    assert result.ran
    assert not result.failed
    assert [r.args_kwargs["args"] for r in DBTaskResult.objects.all()] == [[recent.pk]]
