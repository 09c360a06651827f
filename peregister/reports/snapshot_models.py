"""The report snapshot: one *rapportage* file made by the task worker (``reports/snapshots.py``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSnapshot(models.Model):
    """One *rapportage* file for an organisation at one moment, made by the task worker.

    A download request creates one, or reuses one when nothing changed
    (``reports/snapshots.py``); the worker writes the XLSX and the CSV from the same rows into
    the ``exports`` storage and links the included professionals once, to the snapshot's
    ``report.generated`` audit event. Every download points at that event. At ``expires_at``
    the files are deleted and the row stays (state *removed*).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("wordt gemaakt")
        READY = "ready", _("klaar")
        FAILED = "failed", _("mislukt")
        REMOVED = "removed", _("verwijderd")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # Who asked first; any manager whose scope covers the same may use it.
    contact = models.ForeignKey("organisations.Contact", on_delete=models.PROTECT, related_name="+")
    covers = models.CharField(max_length=20)  # ``ReportScope.covers``
    language = models.CharField(max_length=10)
    requested_at = models.DateTimeField(_("aangevraagd op"))
    # The report's moment: set by the worker when it starts (the rows and the links read it).
    at = models.DateTimeField(_("peilmoment"), null=True, blank=True)
    # ``snapshots.fingerprint`` of the scope: at the request, then as the worker read it.
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    expires_at = models.DateTimeField(_("beschikbaar tot"), null=True, blank=True)
    xlsx_name = models.CharField(max_length=200, blank=True)
    csv_name = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    event = models.ForeignKey(
        "audit.AuditEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rapportagebestand")
        verbose_name_plural = _("rapportagebestanden")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "covers", "fingerprint", "-requested_at"],
                name="report_snapshot_reuse_idx",
            ),
            models.Index(fields=["state", "expires_at"], name="report_snapshot_expiry_idx"),
        ]
        constraints = [
            # Two requests at once make one snapshot (``snapshots.request_snapshot``).
            models.UniqueConstraint(
                fields=["organisation", "covers", "language", "fingerprint"],
                condition=models.Q(state__in=["queued", "running"]),
                name="report_snapshot_one_in_progress",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.state})"

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        return self.rows_done * 100 // self.rows_total if self.rows_total else 0
