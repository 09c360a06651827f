"""An employer's machine access to its *rapportage*: the HR API's tokens."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from peregister.core.models import SecretKey


class OrganisationToken(SecretKey):
    """*API-token*: an HR system reads the organisation's *rapportage* with it
    (``/api/v1/organisation/…``). Like a provider's key it acts as the beheerder who made it,
    through the same report policy: while that user may fetch the report, the token works.
    ``expires_on`` is an inclusive Europe/Amsterdam date; empty means without end."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="api_tokens"
    )
    expires_on = models.DateField(_("geldig tot en met"), null=True, blank=True)

    class Meta(SecretKey.Meta):
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")


class TokenReadDay(models.Model):
    """The one ``hr_api.read`` audit event of a token on one Europe/Amsterdam day: every
    professional an answer of that day shows is linked to it once (issue 16: one line per
    token per day in *Wie bekeek mijn dossier*), so a repeated sync adds nothing."""

    token = models.ForeignKey(OrganisationToken, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    event = models.OneToOneField("audit.AuditEvent", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "day"], name="token_read_day_once")]

    def __str__(self) -> str:
        return f"{self.token} · {self.day}"


from peregister.reports.snapshot_models import ReportSnapshot  # noqa: E402

__all__ = ["OrganisationToken", "ReportSnapshot", "TokenReadDay"]
