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


from peregister.reports.snapshot_models import ReportSnapshot  # noqa: E402

__all__ = ["OrganisationToken", "ReportSnapshot"]
