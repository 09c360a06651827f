"""An employer contact's alert settings, and the alerts sent (each once)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertSettings(models.Model):
    """What one contact wants mailed; everything off by default (``insight/alerts.py``)."""

    contact = models.OneToOneField(
        "organisations.Contact", on_delete=models.CASCADE, related_name="alert_settings"
    )
    weekly_digest = models.BooleanField(_("wekelijks overzicht"), default=False)
    # Beheerder and 2e contactpersoon only: the digest over the whole organisation report.
    whole_organisation = models.BooleanField(_("voor de hele organisatie"), default=False)
    status_changes = models.BooleanField(_("statuswijzigingen"), default=False)
    # Status changes after this moment are new to the contact: set when switched on, moved
    # forward by every run, so switching on never mails the past.
    status_changes_since = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"alerts of {self.contact_id}"


class AlertSent(models.Model):
    """One alert to one contact: a weekly digest (``key`` the ISO week) or one status change
    (``key`` names it). The unique constraint is what makes a second run send nothing."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("wekelijks overzicht")
        STATUS = "status", _("statuswijziging")

    contact = models.ForeignKey(
        "organisations.Contact", on_delete=models.CASCADE, related_name="alerts_sent"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=60)
    sent_at = models.DateTimeField()
    professionals = models.PositiveIntegerField(default=0)  # how many it named

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "kind", "key"], name="alert_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.contact_id}"
