"""Tasks the worker runs for the employer alerts."""

from __future__ import annotations

from django_tasks import task

from peregister.insight.alerts import status_alerts_for_event


@task()
def status_alerts_task(*, event_id: int) -> int:
    return status_alerts_for_event(event_id)
