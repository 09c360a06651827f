from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """An append-only record of who did what; written in the same transaction as the change.

    ``professionals`` links the event to every professional whose data it touched, so each
    can see who viewed their dossier or downloaded a report that included them.
    """

    class Action(models.TextChoices):
        ACCOUNT_REQUESTED = "organisation.requested", _("account aangevraagd")
        ORGANISATION_AUTHORISED = "organisation.authorised", _("organisatie geautoriseerd")
        ORGANISATION_REJECTED = "organisation.rejected", _("organisatie afgewezen")
        ORGANISATION_SUSPENDED = "organisation.suspended", _("organisatie geschorst")
        ORGANISATION_REINSTATED = "organisation.reinstated", _("organisatie heropend")
        ORGANISATION_UPDATED = "organisation.updated", _("organisatiegegevens gewijzigd")
        CONTACT_ADDED = "contact.added", _("contactpersoon toegevoegd")
        CONTACT_CHANGED = "contact.changed", _("contactpersoon gewijzigd")
        ROLE_ACCEPTED = "contact.role_accepted", _("rol geaccepteerd")
        ROLE_DECLINED = "contact.role_declined", _("rol afgewezen")
        ROLE_SWITCHED = "account.role_switched", _("rol gewisseld")
        ROLE_SWITCH_REFUSED = "account.role_switch_refused", _("rolwissel naar een andere rol")
        ROLE_OFFER_WRONG_ACCOUNT = (
            "contact.role_offer_wrong_account",
            _("rollink geopend door een ander account"),
        )
        ROLE_OFFER_RESENT = "contact.role_offer_resent", _("uitnodiging opnieuw verstuurd")
        PASSWORD_SET = "account.password_set", _("wachtwoord ingesteld")
        PASSWORD_LINK_SENT = "account.password_link_sent", _("nieuwe wachtwoordlink verstuurd")
        LOGIN_DETAILS_SENT = "account.login_details_sent", _("inloggegevens verstuurd")
        PASSWORD_CHANGED = "account.password_changed", _("wachtwoord gewijzigd")
        GRANT_CREATED = "grant.created", _("inzage verleend")
        GRANT_CHANGED = "grant.changed", _("einddatum inzage gewijzigd")
        GRANT_REVOKED = "grant.revoked", _("inzage ingetrokken")
        DOSSIER_VIEWED = "dossier.viewed", _("dossier bekeken")
        REPORT_GENERATED = "report.generated", _("rapportagebestand gemaakt")
        REPORT_DOWNLOADED = "report.downloaded", _("rapportage gedownload")
        REPORT_VIEWED = "report.viewed", _("rapportage bekeken")
        ALERT_SENT = "alert.sent", _("melding verstuurd")
        ALERT_SETTINGS_CHANGED = "alert.settings_changed", _("meldingen ingesteld")
        ACTIVITY_SAVED = "activity.saved", _("leeractiviteit opgeslagen")
        COMPLETIONS_REGISTERED = "completions.registered", _("presentie geregistreerd")
        SELF_REPORT_SUBMITTED = "self_report.submitted", _("eigen activiteit ingediend")
        SELF_REPORT_DECIDED = "self_report.decided", _("eigen activiteit beoordeeld")
        RENEWAL_SUBMITTED = "renewal.submitted", _("dossier ingediend")
        RENEWAL_DECIDED = "renewal.decided", _("verlenging beoordeeld")
        REGISTRATION_LAPSED = "registration.lapsed", _("registratie vervallen")
        REGISTRATION_REINSTATED = "registration.reinstated", _("registratie hersteld")
        DATA_EXPORTED = "data.exported", _("gegevens gedownload")
        STATEMENT_CREATED = "statement.created", _("PE-verklaring gemaakt")
        STATEMENT_WITHDRAWN = "statement.withdrawn", _("PE-verklaring ingetrokken")
        STATEMENT_VERIFIED = "statement.verified", _("PE-verklaring bekeken")
        MAIL_RESENT = "mail.resent", _("e-mail opnieuw verstuurd")
        PROFESSIONAL_ADDED = "professional.added", _("professional toegevoegd")
        PROFESSIONAL_CHANGED = "professional.changed", _("persoonsgegevens gewijzigd")
        REGISTRATION_ENDED = "registration.ended", _("registratie beëindigd")
        INVITATIONS_SENT = "professional.invited", _("uitnodiging verstuurd")
        PROFESSIONALS_IMPORTED = "professionals.imported", _("professionals geïmporteerd")
        IMPORT_STARTED = "professionals.import_started", _("import van professionals gestart")
        IMPORT_CONFIRMED = "professionals.import_confirmed", _("import van professionals bevestigd")
        # Security events (ASVS 7.1.3, 7.2.1, 7.2.2): listed in SECURITY_ACTIONS below as well.
        LOGIN_FAILED = "login.failed", _("inloggen mislukt")
        LOGIN_THROTTLED = "login.throttled", _("inloggen tijdelijk geblokkeerd")
        LOGIN_GUESSED_AT = "login.guessed_at", _("wachtwoord van account wordt geraden")
        ACCESS_DENIED = "access.denied", _("toegang geweigerd")
        MFA_SET_UP = "mfa.set_up", _("tweestapsverificatie ingesteld")
        MFA_REMOVED = "mfa.removed", _("tweede stap verwijderd")
        MFA_FAILED = "mfa.failed", _("tweestapsverificatie mislukt")
        MFA_RECOVERY_CODE_USED = "mfa.recovery_code_used", _("herstelcode gebruikt")
        MFA_RESET = "mfa.reset", _("tweestapsverificatie hersteld door het register")
        SESSIONS_ENDED = "account.sessions_ended", _("uitgelogd op alle apparaten")
        ACCREDITATION_SUBMITTED = "accreditation.submitted", _("accreditatieaanvraag ingediend")
        ACCREDITATION_DECIDED = "accreditation.decided", _("accreditatieaanvraag beoordeeld")
        SESSION_ADDED = "session.added", _("uitvoering toegevoegd")
        SESSION_CHANGED = "session.changed", _("uitvoering gewijzigd")
        SESSION_CANCELLED = "session.cancelled", _("uitvoering geannuleerd")
        # A provider's check step named these professionals (initials, registration active).
        ATTENDANCE_CHECKED = "attendance.checked", _("registratienummer gecontroleerd")
        API_KEY_CREATED = "api_key.created", _("API-sleutel aangemaakt")
        API_KEY_REVOKED = "api_key.revoked", _("API-sleutel ingetrokken")
        API_KEY_USED = "api_key.used", _("API-sleutel gebruikt")
        SSO_LOGIN = "sso.login", _("ingelogd via inlogdienst")
        SSO_LINKED = "sso.linked", _("inlogdienst gekoppeld")
        SSO_LINK_SENT = "sso.link_sent", _("koppellink inlogdienst verstuurd")
        SSO_REFUSED = "sso.refused", _("inloggen via inlogdienst geweigerd")
        SSO_UNKNOWN_IDENTITY = "sso.unknown_identity", _("inlogdienst-account niet gekoppeld")
        SSO_UNLINKED = "sso.unlinked", _("inlogdienst ontkoppeld")
        HR_API_READ = "hr_api.read", _("opgevraagd via HR-koppeling")

    # Which actions are security events: the staff list *Beveiliging* shows these. Add new
    # security events (e.g. ``mfa.*``) to Action and here, nowhere else.
    SECURITY_ACTIONS: ClassVar[tuple[str, ...]] = (
        "login.failed",
        "login.throttled",
        "login.guessed_at",
        "account.password_set",
        "account.password_changed",
        "account.password_link_sent",
        "access.denied",
        "mfa.set_up",
        "mfa.removed",
        "mfa.failed",
        "mfa.recovery_code_used",
        "mfa.reset",
        "account.sessions_ended",
        "sso.login",
        "sso.linked",
        "sso.link_sent",
        "sso.refused",
        "sso.unknown_identity",
        "sso.unlinked",
        "account.role_switch_refused",
        "contact.role_accepted",
        "contact.role_declined",
        "contact.role_offer_wrong_account",
    )

    at = models.DateTimeField(_("tijdstip"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    action = models.CharField(_("actie"), max_length=40, choices=Action.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact = models.ForeignKey(
        "organisations.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    professionals = models.ManyToManyField(
        "registry.Professional", related_name="audit_events", blank=True
    )
    # The event whose linked professionals this one concerns as well: a report download
    # points at its snapshot's ``report.generated`` event, so a file downloaded many times
    # links its professionals once (``access/log.py`` follows it).
    professionals_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Identifiers and counts only: never passwords, tokens or dossier contents.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("auditgebeurtenissen")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")
