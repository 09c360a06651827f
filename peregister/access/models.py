from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peregister.core import clock


class AccessGrant(models.Model):
    """A professional lets one contact see their PE-dossier (inzage werkgever).

    Nothing is deleted to revoke: ``revoked_at`` is set. ``valid_until`` is an inclusive
    Europe/Amsterdam date; empty means without end.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("actief")
        EXPIRED = "expired", _("verlopen")
        REVOKED = "revoked", _("ingetrokken")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    professional = models.ForeignKey(
        "registry.Professional", on_delete=models.CASCADE, related_name="grants"
    )
    contact = models.ForeignKey(
        "organisations.Contact", on_delete=models.CASCADE, related_name="grants"
    )
    granted_at = models.DateTimeField(_("verleend op"))
    valid_until = models.DateField(_("geautoriseerd tot"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set (by a conditional UPDATE) when the "your grant ends soon" mail was queued, so the
    # reminder command never sends the same reminder twice; cleared when the end date changes.
    reminder_sent_at = models.DateTimeField(_("herinnering verstuurd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("inzage werkgever")
        verbose_name_plural = _("inzages werkgever")
        ordering = ["-granted_at", "-id"]
        constraints = [
            # One open grant per professional and contact; an expired one is closed (revoked_at)
            # when the professional grants again, so history stays.
            models.UniqueConstraint(
                fields=["professional", "contact"],
                condition=Q(revoked_at__isnull=True),
                name="grant_one_open_per_contact",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("granted_at")),
                name="grant_revoked_after_granted",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "professional"], name="grant_contact_prof_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.professional} → {self.contact}"

    def state(self, at: dt.datetime | None = None) -> AccessGrant.State:
        """Expired wins over revoked when the end date had already passed at revocation."""
        moment = at or clock.now()
        closed = self.revoked_at is not None and self.revoked_at <= moment
        reference_day = clock.local_date(self.revoked_at if closed and self.revoked_at else moment)
        if self.valid_until is not None and self.valid_until < reference_day:
            return self.State.EXPIRED
        if closed:
            return self.State.REVOKED
        return self.State.ACTIVE
