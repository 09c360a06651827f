"""Back-office records of work the task worker does for staff."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProfessionalImport(models.Model):
    """One applied *Professionals importeren*: who, when, and the professionals it took on or
    changed (for *alle nieuwe professionals uitnodigen*)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("geïmporteerd op"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("bestand"), max_length=200, blank=True)
    created = models.PositiveIntegerField(_("nieuw"), default=0)
    changed = models.PositiveIntegerField(_("gewijzigd"), default=0)
    unchanged = models.PositiveIntegerField(_("ongewijzigd"), default=0)
    # The id of the signed check it applied: a second confirmation of that check (a double
    # click, an old tab) is recognised and writes nothing (review 14 F22).
    checked_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    professionals = models.ManyToManyField(
        "registry.Professional", related_name="imports", blank=True
    )

    class Meta:
        verbose_name = _("import van professionals")
        verbose_name_plural = _("imports van professionals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.file_name}"


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
    # Who is invited (``invitation_sending.selection``): one professional, or every
    # professional an import took on or changed.
    professional = models.ForeignKey(
        "registry.Professional",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitation_runs",
    )
    professional_import = models.ForeignKey(
        ProfessionalImport,
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
            ),
            models.CheckConstraint(
                condition=Q(professional__isnull=True) ^ Q(professional_import__isnull=True),
                name="invitation_run_one_selection",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.state}"


class ImportRun(models.Model):
    """A *Professionals importeren* too large for one request: the task worker reads and checks
    the stored file, then (once staff confirm) applies it. Its progress is kept here, so the
    page shows it again after a reload; the file is dropped once the run has ended."""

    class State(models.TextChoices):
        CHECKING = "checking", _("wordt gecontroleerd")
        CHECKED = "checked", _("gecontroleerd")
        REFUSED = "refused", _("geweigerd")
        APPLYING = "applying", _("wordt verwerkt")
        APPLIED = "applied", _("verwerkt")
        UNCHANGED = "unchanged", _("niets gewijzigd")
        FAILED = "failed", _("mislukt")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("ingelezen op"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    # When the apply was queued: how long a run may stay *wordt verwerkt* counts from here.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the check finished: a checked run can be confirmed for ``CHECKED_MAX_AGE`` from here.
    checked_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(_("bestand"), max_length=200, blank=True)
    data = models.BinaryField(editable=False)
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.CHECKING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(_("nieuw"), default=0)
    changed = models.PositiveIntegerField(_("gewijzigd"), default=0)
    unchanged = models.PositiveIntegerField(_("ongewijzigd"), default=0)
    errors = models.PositiveIntegerField(_("fout"), default=0)
    # What staff saw (``registry.professional_import.Fingerprint``); compared when applying.
    seen = models.CharField(max_length=64, blank=True)
    # The rows staff need to read: every error and change, up to ``SHOWN_ROWS``.
    shown = models.JSONField(default=list)
    message = models.TextField(blank=True)
    result = models.ForeignKey(
        ProfessionalImport, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("grote import van professionals")
        verbose_name_plural = _("grote imports van professionals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} ({self.state})"

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.APPLYING)

    @property
    def percent(self) -> int:
        return self.rows_done * 100 // self.rows_total if self.rows_total else 0
