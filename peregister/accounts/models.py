from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class CaseInsensitiveUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)


class User(AbstractUser):
    """Everyone who logs in: professionals, employer contacts and register staff.

    Usernames are chosen by employers themselves, so they are unique regardless of case.
    """

    class Language(models.TextChoices):
        DUTCH = "nl", "Nederlands"
        ENGLISH = "en", "English"

    language = models.CharField(
        _("taal"), max_length=5, choices=Language.choices, default=Language.DUTCH
    )

    # Raised by *Uitloggen op alle apparaten* and a second-factor reset: it is part of the
    # session hash, so every existing session of the user ends at its next request.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    # The role the person last chose in the header's switcher (``accounts.roles``): a new
    # login starts in it while the person still holds it.
    last_role = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects: ClassVar[CaseInsensitiveUserManager] = CaseInsensitiveUserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash covers the password (a password change ends other sessions); the
        # epoch lets a user end them without one. SECRET_KEY_FALLBACKS still apply.
        return salted_hmac(
            "peregister.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class SetPasswordToken(models.Model):
    """A single-use, expiring link mailed to a user: to set a password (new accounts and "send
    a new link"), or to accept a role offered to an existing account (``purpose``).

    Django's password-reset tokens skip users without a usable password and share one global
    timeout, so new accounts get their own. Only a SHA-256 digest of the secret in the link
    is stored.
    """

    class Purpose(models.TextChoices):
        SET_PASSWORD = "set_password", _("wachtwoord instellen")
        ACCEPT_ROLE = "accept_role", _("rol accepteren")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="set_password_tokens")
    purpose = models.CharField(
        max_length=20,
        choices=Purpose.choices,
        default=Purpose.SET_PASSWORD,
        db_default=Purpose.SET_PASSWORD,
    )
    # What the link is about besides its user: the offered contact's code for a role link.
    subject = models.CharField(max_length=64, blank=True, default="")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("wachtwoordlink")
        verbose_name_plural = _("wachtwoordlinks")
        indexes = [models.Index(fields=["user", "used_at"], name="setpw_user_used_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class PasskeyCredential(models.Model):
    """A WebAuthn credential (passkey or security key) registered as a second factor.

    Verified by py_webauthn (``accounts.passkeys``); only the public key is stored.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(_("naam"), max_length=64)
    credential_id = models.BinaryField(max_length=1023, unique=True)
    public_key = models.BinaryField(max_length=1023)
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def __str__(self) -> str:
        return self.name


# Single sign-on's models live in their own module; imported here so Django registers them.
from peregister.accounts.sso_models import SsoIdentity, SsoLinkToken  # noqa: E402

__all__ = ["PasskeyCredential", "SetPasswordToken", "SsoIdentity", "SsoLinkToken", "User"]
