"""Outbox rows for tests, as the outbox itself writes them."""

from __future__ import annotations

from typing import Any

from peregister.core import clock
from peregister.notifications.mail import enqueue_mail
from peregister.notifications.models import OutboxMessage


def failed_message(**overrides: Any) -> OutboxMessage:
    """A grant-created mail that the server refused for good."""
    fields: dict[str, Any] = {
        "template": "grant_created",
        "to": ["regio@brug.example"],
        "context": {
            "contact_name": "Regiomanager",
            "organisation_name": "Uitzendbureau De Brug",
            "professional_name": "Anna de Vries",
            "valid_until": "",
            "link": "https://pe.example.nl/",
        },
    }
    fields.update(overrides)
    message = enqueue_mail(**fields)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxMessage.State.FAILED,
        attempts=1,
        last_error="SMTP recipient refused: 550 5.1.1 user unknown",
        failed_at=clock.now(),
    )
    message.refresh_from_db()
    return message
