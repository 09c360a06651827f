"""``record()``: the one way audit events are written (inside the caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from peregister.audit.models import AuditEvent
from peregister.core import clock


def record(
    action: AuditEvent.Action | str,
    *,
    actor: Any,
    organisation: Any = None,
    contact: Any = None,
    professionals: Iterable[Any] | Iterable[int] = (),
    **data: Any,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must run inside the transaction of the change it audits.")
    event = AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        organisation=organisation,
        contact=contact,
        data=data,
    )
    professional_ids = [getattr(p, "pk", p) for p in professionals]
    if professional_ids:
        through = AuditEvent.professionals.through
        through.objects.bulk_create(
            [through(auditevent_id=event.pk, professional_id=pk) for pk in professional_ids],
            batch_size=2000,
        )
    return event
