"""Tasks the worker runs for the *rapportage*."""

from __future__ import annotations

from django_tasks import task

from peregister.reports.snapshot_making import make_snapshot


@task()
def make_snapshot_task(*, code: str) -> str:
    return make_snapshot(code)
