from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "peregister.insight"
    label = "insight"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from peregister.audit.models import AuditEvent

        post_save.connect(
            queue_status_alerts, sender=AuditEvent, dispatch_uid="insight-status-alerts"
        )


def queue_status_alerts(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A status change (*dossier ingediend*, *verlenging goedgekeurd*, *vervallen*, points
    that may make a period *behaald*) is told by the audit event its service records in the
    change's own transaction; once that commits, the alerts it is due go to the task worker
    (``alerts.status_alerts_for_event``), so an opted-in contact hears of it soon, not only
    with the daily run (which stays as the catch-up). Hooked here, on the event, because the
    services that make these changes sit in a layer below the alerts and may not call them."""
    from django.db import transaction

    from peregister.insight.alerts import tells_status_change

    if not created or not tells_status_change(instance.action):
        return
    event_id = instance.pk

    def queue_status_alerts_task() -> None:  # named: Django logs a robust callback's name
        from peregister.insight.tasks import status_alerts_task

        status_alerts_task.enqueue(event_id=event_id)

    transaction.on_commit(queue_status_alerts_task, robust=True)
