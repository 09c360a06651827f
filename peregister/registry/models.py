"""The register's own data: professionals, their registrations, periods and PE points."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from peregister.core import dates
from peregister.registry.progress import Progress
from peregister.registry.querysets import (
    CompletionQuerySet,
    PePeriodQuerySet,
    RegistrationQuerySet,
)

# Points of one activity: also a database constraint on activities and completions.
MAX_POINTS = 100
# Days before a period's end that a professional short of points is reminded (per register).
DEFAULT_REMINDER_DAYS = (180, 90, 30)


def default_reminder_days() -> list[int]:
    return list(DEFAULT_REMINDER_DAYS)


class Register(models.Model):
    """A PE register (e.g. SEU Uitzendprofessional); its rules are data, not code."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    points_required = models.PositiveSmallIntegerField(_("vereiste PE-punten per periode"))
    period_months = models.PositiveSmallIntegerField(_("lengte PE-periode (maanden)"))
    requires_date_of_birth = models.BooleanField(_("geboortedatum verplicht"), default=False)
    # Whole days before the end of a PE period; read through ``registry.reminders.moments``,
    # which ignores what is not a sane day count.
    reminder_days = models.JSONField(
        _("herinneringen (dagen voor einde)"), default=default_reminder_days
    )

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_required__gt=0) & Q(period_months__gt=0),
                name="register_rules_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name


def full_name(initials: str, name_prefix: str, last_name: str) -> str:
    return " ".join(p for p in (initials, name_prefix, last_name) if p)


def short_name(initials: str, name_prefix: str, last_name: str) -> str:
    """What a training provider sees on its check step (with the number): "J. de V."."""
    parts = [f"{initials[:1]}.", name_prefix, f"{last_name[:1]}."]
    return " ".join(part for part in parts if part and part != ".")


class Professional(models.Model):
    """A PE-registered person; URLs use ``code``, never the primary key."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="professional",
    )
    # The number as the register wrote it (leading zeros kept, case as entered). Registers
    # number their people each on their own: a number is unique within the register that
    # gave it (``register``), compared without regard to case (AB-77 is ab-77).
    registration_number = models.CharField(
        _("registratienummer"),
        max_length=20,
        help_text=_("Tekst: voorloopnullen tellen mee."),
    )
    register = models.ForeignKey(
        Register,
        on_delete=models.PROTECT,
        related_name="numbered_professionals",
        verbose_name=_("register van het registratienummer"),
    )
    # Voorletters ("J.P."), as Dutch registers keep a name (with tussenvoegsel and achternaam).
    # Intake takes at most 20 characters; the column is wider for data from before it.
    initials = models.CharField(_("voorletters"), max_length=100)
    name_prefix = models.CharField(_("tussenvoegsel"), max_length=30, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=150)
    email = models.EmailField(_("e-mailadres"), blank=True)
    date_of_birth = models.DateField(_("geboortedatum"), null=True, blank=True)
    # The last invitation to set a password (staff, *uitnodigen*), sent by the task worker.
    invited_at = models.DateTimeField(_("uitgenodigd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("professional")
        verbose_name_plural = _("professionals")
        ordering = ["last_name", "initials", "id"]
        indexes = [models.Index(fields=["last_name", "initials", "id"], name="prof_name_idx")]
        constraints = [
            # Also the index of every lookup by number (``Lower`` first: without a register).
            models.UniqueConstraint(
                Lower("registration_number"), "register", name="prof_number_unique_per_register"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.initials, self.name_prefix, self.last_name)

    @property
    def short_name(self) -> str:
        return short_name(self.initials, self.name_prefix, self.last_name)

    def mail_recipient(self) -> dict[str, str]:
        """Where mail to the professional goes, as ``notifications.mail_professional`` takes it."""
        user = self.user
        return {
            "address": self.email or (user.email if user is not None else ""),
            "name": self.full_name,
            "language": getattr(user, "language", None) or "nl",
        }


class Registration(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("actief")
        LAPSED = "lapsed", _("vervallen")
        ENDED = "ended", _("beëindigd")

    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="registrations"
    )
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    registered_on = models.DateField(_("geregistreerd op"))
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Why the register ended it (*beëindigd*); a lapse (*vervallen*) has no reason of its own.
    # db_default: rows written outside the ORM (the benchmark's bulk loader) get "" too.
    end_reason = models.TextField(_("reden beëindiging"), blank=True, default="", db_default="")

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("PE-registratie")
        verbose_name_plural = _("PE-registraties")
        constraints = [
            models.UniqueConstraint(
                fields=["professional", "register"], name="registration_once_per_register"
            )
        ]
        # The staff list of lapsed registrations pages over this (newest lapsed first).
        indexes = [
            models.Index(
                fields=["status", "-status_changed_at", "id"], name="registration_status_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.professional} – {self.register}"


class PePeriod(models.Model):
    """A 2-year cycle; ``points_required`` is copied from the register when the period opens."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField(_("begin"))
    end = models.DateField(_("einde"))
    points_required = models.PositiveSmallIntegerField(_("vereiste PE-punten"))
    # Stored figures, kept by the writers in their own transaction (registry/figures.py):
    # the points of the completions dated within the period, and its latest renewal.
    points_earned = models.PositiveIntegerField(default=0)
    renewal_status = models.CharField(max_length=10, blank=True, default="")
    renewal_submitted_at = models.DateTimeField(null=True, blank=True)
    # When a writer last changed the stored figures: the HR API's ``changes`` feed reads it.
    figures_changed_at = models.DateTimeField(null=True, blank=True)

    objects = PePeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("PE-periode")
        verbose_name_plural = _("PE-periodes")
        ordering = ["registration", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="period_end_after_start"
            ),
            models.UniqueConstraint(fields=["registration", "start"], name="period_unique_start"),
        ]
        indexes = [
            models.Index(fields=["registration", "start", "end"], name="period_reg_dates_idx")
        ]

    def __str__(self) -> str:
        return f"{dates.table_date(self.start)} – {dates.table_date(self.end)}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def progress(self, today: dt.date) -> Progress:
        """Figures for this period, from its stored figures (no query)."""
        return Progress.compute(
            start=self.start,
            end=self.end,
            points_earned=self.points_earned,
            points_required=self.points_required,
            today=today,
            renewal_approved=self.renewal_status == RenewalSubmission.Status.APPROVED,
        )


class LearningActivity(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("workshop")
        COURSE = "course", _("cursus")
        TRAINING = "training", _("training")
        E_LEARNING = "e_learning", _("e-learning")
        LEARNING_APP = "learning_app", _("continuous-learning app")
        PRESENTATION = "presentation", _("presentatie")
        IN_COMPANY = "in_company", _("in-company activiteit")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("titel"), max_length=200)
    provider = models.CharField(_("aanbieder"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    points = models.PositiveSmallIntegerField(_("PE-punten"))
    recognised_from = models.DateField(_("erkend vanaf"))
    recognised_until = models.DateField(_("erkend tot en met"), null=True, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="in_company_activities",
        verbose_name=_("in-company voor organisatie"),
    )
    # The training provider whose accreditation request this activity came from: only its
    # users add sessions and register attendance for it. Empty for the staff's own catalogue.
    offered_by = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offered_activities",
        verbose_name=_("aanbieder (account)"),
    )

    class Meta:
        verbose_name = _("leeractiviteit")
        verbose_name_plural = _("leeractiviteiten")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recognised_until__isnull=True)
                | Q(recognised_until__gte=models.F("recognised_from")),
                name="activity_recognition_order",
            ),
            models.CheckConstraint(
                condition=Q(points__lte=MAX_POINTS), name="activity_points_sane"
            ),
        ]
        # The staff catalogue pages over this.
        indexes = [models.Index(fields=["title", "id"], name="activity_title_idx")]

    def __str__(self) -> str:
        return self.title

    def is_recognised_on(self, day: dt.date) -> bool:
        return self.recognised_from <= day and (
            self.recognised_until is None or day <= self.recognised_until
        )


class AccreditationRequest(models.Model):
    """*Accreditatieaanvraag*: a training provider asks the register to recognise an activity.

    Staff *erkennen* it (points and a recognition period: that creates the ``LearningActivity``
    the provider then adds sessions to) or *afwijzen* it with a reason; the provider is mailed.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("ingediend")
        RECOGNISED = "recognised", _("erkend")
        REJECTED = "rejected", _("afgewezen")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="accreditation_requests",
        verbose_name=_("aanbieder"),
    )
    title = models.CharField(_("titel"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=LearningActivity.Kind.choices)
    description = models.TextField(_("omschrijving"))
    duration_hours = models.PositiveSmallIntegerField(_("duur in uren"))
    points_requested = models.PositiveSmallIntegerField(_("gevraagde PE-punten"))
    planned_from = models.DateField(_("gepland vanaf"))
    planned_until = models.DateField(_("gepland tot en met"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("ingediend op"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reden"), blank=True)
    activity = models.OneToOneField(
        LearningActivity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accreditation_request",
    )

    class Meta:
        verbose_name = _("accreditatieaanvraag")
        verbose_name_plural = _("accreditatieaanvragen")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_requested__lte=MAX_POINTS),
                name="accreditation_points_requested_sane",
            ),
            models.CheckConstraint(
                condition=Q(planned_until__isnull=True)
                | Q(planned_until__gte=models.F("planned_from")),
                name="accreditation_planned_order",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(decided_at__isnull=False),
                name="accreditation_decision_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status="recognised") | Q(activity__isnull=False),
                name="accreditation_recognised_has_activity",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="accr_status_idx")]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """*Uitvoering*: a dated run of a recognised activity; attendance is registered against it."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(
        LearningActivity, on_delete=models.PROTECT, related_name="sessions"
    )
    starts_on = models.DateField(_("begindatum"))
    ends_on = models.DateField(_("einddatum"))
    location = models.CharField(_("locatie"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    created_at = models.DateTimeField(_("toegevoegd op"))

    class Meta:
        verbose_name = _("uitvoering")
        verbose_name_plural = _("uitvoeringen")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="session_date_order"
            ),
            models.CheckConstraint(
                condition=Q(online=True) | ~Q(location=""), name="session_location_or_online"
            ),
        ]
        indexes = [models.Index(fields=["activity", "starts_on"], name="session_activity_idx")]

    def __str__(self) -> str:
        return f"{self.activity} {self.starts_on.isoformat()}"

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Completion(models.Model):
    """A completed learning activity; its points count in the period holding ``completed_on``."""

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("presentieregistratie")
        SELF_REPORTED = "self_reported", _("eigen activiteit")
        IMPORT = "import", _("import")

    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="completions"
    )
    activity = models.ForeignKey(
        LearningActivity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completions",
    )
    # Copied when registered, so later edits to the catalogue do not rewrite history.
    title = models.CharField(_("titel"), max_length=200)
    provider = models.CharField(_("aanbieder"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=LearningActivity.Kind.choices)
    points = models.PositiveSmallIntegerField(_("PE-punten"))
    completed_on = models.DateField(_("afgerond op"))
    source = models.CharField(_("bron"), max_length=20, choices=Source.choices)
    registered_at = models.DateTimeField(_("geregistreerd op"), auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("afgeronde leeractiviteit")
        verbose_name_plural = _("afgeronde leeractiviteiten")
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["professional", "activity", "completed_on"],
                condition=Q(activity__isnull=False),
                name="completion_once_per_activity_day",
            ),
            models.CheckConstraint(
                condition=Q(points__lte=MAX_POINTS), name="completion_points_sane"
            ),
        ]
        indexes = [
            # Covering: every PE-points figure is a SUM of points within a period's dates, answered
            # from the index alone; also serves lookups by (professional, completed_on).
            models.Index(
                fields=["professional", "completed_on", "points"],
                name="completion_prof_date_pts_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({dates.table_date(self.completed_on)})"

    @property
    def kind_label(self) -> str:
        """What ``get_kind_display()`` gives, without its cost per call.

        Django's ``get_FOO_display`` rebuilds a dict of every choice and hashes (so translates)
        each lazy label on every call: a third of the dossier's rendering with ~35 activities.
        """
        try:
            return str(LearningActivity.Kind(self.kind).label)
        except ValueError:
            return self.kind


class RenewalSubmission(models.Model):
    """The period's dossier, submitted to renew the PE registration."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("ingediend")
        APPROVED = "approved", _("goedgekeurd")
        REJECTED = "rejected", _("afgewezen")

    period = models.ForeignKey(PePeriod, on_delete=models.CASCADE, related_name="renewals")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("ingediend op"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("toelichting"), blank=True)

    class Meta:
        verbose_name = _("verlengingsaanvraag")
        verbose_name_plural = _("verlengingsaanvragen")
        ordering = ["-submitted_at"]
        constraints = [
            # A rejected dossier may be submitted again; an open or approved one only once.
            models.UniqueConstraint(
                fields=["period"],
                condition=~Q(status="rejected"),
                name="renewal_one_open_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(decided_at__isnull=False),
                name="renewal_decision_dated",
            ),
        ]
        # The staff list of open dossiers pages over this (oldest first).
        indexes = [models.Index(fields=["status", "submitted_at", "id"], name="renewal_status_idx")]

    def __str__(self) -> str:
        return f"{self.period.registration} {self.get_status_display()}"


class SelfReport(models.Model):
    """*Eigen activiteit*: an activity completed elsewhere, reported by the professional.

    Its points count only once staff approve it: approval creates a ``Completion`` (source
    *self_reported*) with the points awarded. The certificate is kept in the database so every
    app process can serve it (no local files).
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("ingediend")
        APPROVED = "approved", _("goedgekeurd")
        REJECTED = "rejected", _("afgewezen")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="self_reports"
    )
    title = models.CharField(_("titel"), max_length=200)
    provider = models.CharField(_("aanbieder"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=LearningActivity.Kind.choices)
    completed_on = models.DateField(_("afgerond op"))
    description = models.TextField(_("omschrijving"), blank=True)
    points_claimed = models.PositiveSmallIntegerField(_("gevraagde PE-punten"))
    certificate = models.BinaryField(_("certificaat"), null=True, blank=True)
    certificate_name = models.CharField(max_length=200, blank=True)
    certificate_type = models.CharField(max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("ingediend op"))
    points_awarded = models.PositiveSmallIntegerField(
        _("toegekende PE-punten"), null=True, blank=True
    )
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("toelichting"), blank=True)
    completion = models.OneToOneField(
        Completion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_report",
    )

    class Meta:
        verbose_name = _("eigen activiteit")
        verbose_name_plural = _("eigen activiteiten")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_claimed__lte=100), name="self_report_points_claimed_sane"
            ),
            models.CheckConstraint(
                condition=Q(points_awarded__isnull=True) | Q(points_awarded__lte=100),
                name="self_report_points_awarded_sane",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(decided_at__isnull=False),
                name="self_report_decision_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(points_awarded__isnull=False) & Q(completion__isnull=False)),
                name="self_report_approved_counts",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="self_report_status_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.professional})"


class PeriodReminder(models.Model):
    """A reminder sent to a professional about one PE period: at most one per moment.

    ``days_before`` is the days that were left to the end of the period when a reminder before
    the end went (it counts for every moment of ``Register.reminder_days`` at least that,
    ``registry/reminders.py``); 0 for the mail that the registration lapsed. The unique
    constraint is what makes a second run (or a second machine) on that day send nothing again.
    """

    class Kind(models.TextChoices):
        BEFORE_END = "before_end", _("herinnering voor het einde van de PE-periode")
        LAPSED = "lapsed", _("registratie vervallen")

    period = models.ForeignKey(PePeriod, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    days_before = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField()
    points_earned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "kind", "days_before"], name="period_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.days_before} ({self.period_id})"
