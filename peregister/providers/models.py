"""A training provider's machine access: API keys and the completion batches sent with them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from peregister.core.models import SecretKey


class ApiKey(SecretKey):
    """*API-sleutel*: scoped to one provider. A key acts as the beheerder who made it: while
    that user may act for the authorised provider, the key works (the services check the
    same actor as on the pages)."""

    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="api_keys"
    )

    class Meta(SecretKey.Meta):
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")


class CompletionBatch(models.Model):
    """A batch of completions posted through the API with its ``Idempotency-Key``: the same key
    with the same body answers the stored receipt (no double points); with another body, 409."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="completion_batches"
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="batches")
    idempotency_key = models.CharField(max_length=100)
    body_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    receipt = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("batch afgeronde activiteiten")
        verbose_name_plural = _("batches afgeronde activiteiten")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "idempotency_key"], name="batch_idempotency_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.idempotency_key}"
