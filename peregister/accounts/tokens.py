"""Links mailed to a user: issue, inspect and consume (single use, own expiry, atomic).

Set-password links and role invitations (``SetPasswordToken.Purpose``) are the same kind of
secret with the same rules; ``purpose`` keeps one from ever working as the other.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peregister.accounts.models import SetPasswordToken, User
from peregister.core import clock
from peregister.notifications.mail import absolute_url

# What ``secrets.token_urlsafe(32)`` produces; anything else is not looked up at all.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class TokenState(enum.Enum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


# Why a link cannot be used, as the page and the service's refusal say it.
UNUSABLE_MESSAGES = {
    TokenState.USED: _(
        "Deze link is al gebruikt: een link om uw wachtwoord in te stellen werkt maar één keer."
    ),
    TokenState.EXPIRED: _("Deze link is verlopen, of er is inmiddels een nieuwere link verstuurd."),
    TokenState.UNKNOWN: _(
        "Deze link is niet geldig. Controleer of u de hele link uit de e-mail heeft gebruikt."
    ),
}


@dataclass(frozen=True)
class Inspection:
    state: TokenState
    token: SetPasswordToken | None = None


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A link secret and its digest: the mail carries the secret, the database only the digest
    (also for other single-use links, e.g. ``accounts.sso``'s link confirmations)."""
    raw = secrets.token_urlsafe(32)
    return raw, _digest(raw)


def digest_of(raw: str) -> str | None:
    """The stored digest of a link secret; None for anything that cannot be one (not looked
    up at all)."""
    return _digest(raw) if TOKEN_PATTERN.match(raw or "") else None


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=settings.SET_PASSWORD_LINK_HOURS)


Purpose = SetPasswordToken.Purpose


def issue_token(user: User, purpose: str = Purpose.SET_PASSWORD, subject: str = "") -> str:
    """A new link secret for ``user``; earlier unused links of the user for the same purpose
    and subject stop working."""
    now = clock.now()
    SetPasswordToken.objects.filter(
        user=user, purpose=purpose, subject=subject, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    raw, digest = new_secret()
    SetPasswordToken.objects.create(
        user=user,
        purpose=purpose,
        subject=subject,
        digest=digest,
        created_at=now,
        expires_at=now + link_lifetime(),
    )
    return raw


def has_live_link(user: User, purpose: str = Purpose.SET_PASSWORD, subject: str = "") -> bool:
    """Does ``user`` hold an unused, unexpired link of ``purpose`` (and ``subject``)?"""
    return SetPasswordToken.objects.filter(
        user=user,
        purpose=purpose,
        subject=subject,
        used_at__isnull=True,
        expires_at__gt=clock.now(),
    ).exists()


def set_password_url(raw: str) -> str:
    return absolute_url(reverse("accounts:set_password", kwargs={"token": raw}))


def inspect(raw: str, purpose: str = Purpose.SET_PASSWORD) -> Inspection:
    if not TOKEN_PATTERN.match(raw or ""):
        return Inspection(TokenState.UNKNOWN)
    token = (
        SetPasswordToken.objects.select_related("user")
        .filter(digest=_digest(raw), purpose=purpose, user__is_active=True)
        .first()
    )
    if token is None:
        return Inspection(TokenState.UNKNOWN)
    if token.used_at is not None:
        return Inspection(TokenState.USED, token)
    if token.expires_at <= clock.now():
        return Inspection(TokenState.EXPIRED, token)
    return Inspection(TokenState.VALID, token)


def consume(token: SetPasswordToken) -> bool:
    """Mark the token used; False when it was used or expired meanwhile (one winner only)."""
    now = clock.now()
    return bool(
        SetPasswordToken.objects.filter(
            pk=token.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
    )
