"""Outbox rows for tests, as the outbox itself writes them."""

from __future__ import annotations

from typing import Any

from peregister.core import clock
from peregister.notifications.mail import enqueue_mail
from peregister.notifications.models import OutboxMessage


def grant_mail(**overrides: Any) -> OutboxMessage:
    """A grant-created mail to a contact, queued in the current transaction."""
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
    return enqueue_mail(**{**fields, **overrides})


def failed_message() -> OutboxMessage:
    """A grant-created mail that the server refused for good."""
    message = grant_mail()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxMessage.State.FAILED,
        attempts=1,
        last_error="SMTP recipient refused: 550 5.1.1 user unknown",
        failed_at=clock.now(),
    )
    message.refresh_from_db()
    return message
