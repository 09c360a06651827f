"""Single sign-on: which provider identity belongs to which account, and pending links.

Imported by ``accounts.models`` (Django finds models there); the user is named by
``AUTH_USER_MODEL`` so this module never imports ``accounts.models`` back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SsoIdentity(models.Model):
    """An identity at an OpenID Connect provider (its ``iss`` configured as ``provider``, its
    ``sub``) linked to one account. Made only through a verified claim or a mailed link."""

    class LinkedBy(models.TextChoices):
        CLAIMS = "claims", _("registratienummer en e-mailadres van de aanbieder")
        EMAIL_LINK = "email_link", _("bevestigd via een link per e-mail")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    provider = models.CharField(_("inlogdienst"), max_length=30)
    subject = models.CharField(_("kenmerk bij de inlogdienst"), max_length=255)
    linked_by = models.CharField(max_length=20, choices=LinkedBy.choices)
    linked_at = models.DateTimeField()
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("gekoppelde inlogdienst")
        verbose_name_plural = _("gekoppelde inlogdiensten")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identity_unique"),
            models.UniqueConstraint(fields=["user", "provider"], name="sso_one_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.user_id}"


class SsoLinkToken(models.Model):
    """A single-use link, mailed to the account's own address, that links the provider identity
    named here to that account. Only a SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_link_tokens"
    )
    provider = models.CharField(max_length=30)
    subject = models.CharField(max_length=255)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("koppellink")
        verbose_name_plural = _("koppellinks")

    def __str__(self) -> str:
        return f"{self.provider}: {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
