"""*PE-verklaring*: a professional's signed statement of their PE status, shared by link."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PublishedKey(models.Model):
    """A public signing key the register has signed statements with.

    Written the first time a key signs, and never removed on rotation: the JWKS keeps listing
    it, so statements signed before a rotation stay verifiable, until it is retired. Only the
    public half is here; the private key lives outside the database (see ``statements.keys``).
    """

    kid = models.CharField(_("sleutel-id"), max_length=64, unique=True)
    public_jwk = models.JSONField(_("publieke sleutel (JWK)"))
    first_used_at = models.DateTimeField(_("eerst gebruikt op"))
    # Retired (a key that leaked, or one the register no longer vouches for): it leaves the
    # JWKS and no longer verifies, so statements signed with it say *klopt niet*.
    retired_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        verbose_name = _("publieke ondertekeningssleutel")
        verbose_name_plural = _("publieke ondertekeningssleutels")
        ordering = ["first_used_at", "id"]

    def __str__(self) -> str:
        return self.kid


class Statement(models.Model):
    """One *PE-verklaring*. ``jwt`` is the signed credential: the one source of what it says.

    The share link's token is stored only as its SHA-256 (``token_hash``): the link is the
    secret and is shown to the professional once, when the statement is made.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    professional = models.ForeignKey(
        "registry.Professional", on_delete=models.CASCADE, related_name="statements"
    )
    registration = models.ForeignKey(
        "registry.Registration", on_delete=models.CASCADE, related_name="statements"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(_("gemaakt op"))
    valid_until = models.DateTimeField(_("link geldig tot"))
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    include_registration_number = models.BooleanField(_("registratienummer"))
    include_period = models.BooleanField(_("huidige PE-periode"))
    include_points = models.BooleanField(_("PE-punten"))
    kid = models.CharField(_("sleutel-id"), max_length=64)
    jwt = models.TextField(_("ondertekende verklaring (JWT)"))
    verification_count = models.PositiveIntegerField(_("aantal keer bekeken"), default=0)
    last_verified_at = models.DateTimeField(_("laatst bekeken op"), null=True, blank=True)

    class Meta:
        verbose_name = _("PE-verklaring")
        verbose_name_plural = _("PE-verklaringen")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("issued_at")), name="statement_valid_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("issued_at")),
                name="statement_withdrawn_after_issue",
            ),
        ]
        indexes = [
            models.Index(fields=["professional", "-issued_at"], name="statement_prof_issued_idx")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.issued_at:%Y-%m-%d})"
