"""A training provider's machine access: API keys and the completion batches sent with them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """*API-sleutel*: shown once, stored as a SHA-256 digest, scoped to one provider, named,
    revocable. A key acts as the beheerder who made it: while that user may act for the
    authorised provider, the key works (the services check the same actor as on the pages)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("naam"), max_length=100)
    # The first characters of the key, to recognise it in lists and logs; not a secret.
    prefix = models.CharField(_("begint met"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("aangemaakt op"))
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


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
