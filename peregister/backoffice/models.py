"""Back-office records of work the task worker does for staff."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InvitationRun(models.Model):
    """Staff asked to invite one professional, or every professional of an import.

    The worker sends in batches (``backoffice.invitations.send_invitations``); each batch
    commits its mails, its audit event and ``last_professional_id`` together, so a run that
    stops half-way goes on where it stopped and nobody is invited twice by one run.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("wordt verstuurd")
        DONE = "done", _("verstuurd")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("aangevraagd op"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Who is invited (``invitations.selection`` reads it).
    professional = models.ForeignKey(
        "registry.Professional",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitation_runs",
    )
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    total = models.PositiveIntegerField(_("aantal"), default=0)
    sent = models.PositiveIntegerField(_("verstuurd"), default=0)
    skipped = models.PositiveIntegerField(_("overgeslagen"), default=0)
    last_professional_id = models.BigIntegerField(default=0)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    class Meta:
        verbose_name = _("uitnodigingsronde")
        verbose_name_plural = _("uitnodigingsrondes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent__lte=models.F("total")) & Q(skipped__lte=models.F("total")),
                name="invitation_run_counts_sane",
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.state}"
