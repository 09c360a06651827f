"""A professional's requested data export: made by the task worker, kept briefly, then removed."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """One *Mijn gegevens downloaden* request and the ZIP the worker made for it.

    The file lives in the ``exports`` storage under ``file_name`` until ``expires_at``; then it
    is removed and the row stays (state *removed*) as the record of what was handed out.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("wordt gemaakt")
        READY = "ready", _("klaar")
        FAILED = "failed", _("mislukt")
        REMOVED = "removed", _("verwijderd")

    class Step(models.TextChoices):
        """Where a running export is; the page shows it as progress."""

        COLLECTING = "collecting", _("gegevens verzamelen")
        DOCUMENT = "document", _("PDF opmaken")
        PACKING = "packing", _("bestanden inpakken")
        SAVING = "saving", _("bestand opslaan")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    professional = models.ForeignKey(
        "registry.Professional", on_delete=models.CASCADE, related_name="data_exports"
    )
    requested_at = models.DateTimeField(_("aangevraagd op"))
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    step = models.CharField(_("stap"), max_length=12, choices=Step.choices, blank=True)
    started_at = models.DateTimeField(_("begonnen op"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("grootte (bytes)"), null=True, blank=True)
    expires_at = models.DateTimeField(_("beschikbaar tot"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("aantal keer gedownload"), default=0)
    first_downloaded_at = models.DateTimeField(_("eerst gedownload op"), null=True, blank=True)

    class Meta:
        verbose_name = _("gegevensexport")
        verbose_name_plural = _("gegevensexports")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # A double click or a second tab never starts a second export.
            models.UniqueConstraint(
                fields=["professional"],
                condition=Q(state__in=["queued", "running"]),
                name="data_export_one_in_progress",
            ),
            models.CheckConstraint(
                condition=~Q(state="ready") | (~Q(file_name="") & Q(expires_at__isnull=False)),
                name="data_export_ready_has_file",
            ),
        ]
        indexes = [
            models.Index(fields=["professional", "-requested_at"], name="data_export_prof_idx"),
            models.Index(fields=["state", "expires_at"], name="data_export_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.state})"

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def step_number(self) -> int:
        """1-based position of the running step (0 while queued)."""
        steps = list(self.Step)
        return steps.index(self.Step(self.step)) + 1 if self.step else 0

    @property
    def step_count(self) -> int:
        return len(self.Step)
