"""Single sign-on writes: which account a provider identity belongs to, linking it, and the
audit events of SSO logins and refusals.

An identity is linked to an existing account only through something verified: the provider's
registration-number claim together with its verified e-mail address matching the account, or
a single-use link mailed to the account's own address. Never by name, never a new account.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from peregister.accounts import tokens
from peregister.accounts.models import SsoIdentity, SsoLinkToken, User
from peregister.accounts.roles import account_contact
from peregister.accounts.services import login_accounts
from peregister.accounts.sso import Provider, Reason, provider_named, refusal
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.notifications.mail import absolute_url, enqueue_mail

LINK_HOURS = 24


def record_refusal(*, provider: str, reason: str, address: str) -> None:
    """A refused SSO login: a security event (ASVS 7.1.3, 7.2.1) with the reason, no token."""
    with transaction.atomic():
        record(
            AuditEvent.Action.SSO_REFUSED,
            actor=None,
            provider=provider,
            reason=reason,
            address=address,
        )


def _link(*, user: User, provider: Provider, subject: str, linked_by: str, actor: Any) -> None:
    try:
        with transaction.atomic():
            SsoIdentity.objects.create(
                user=user,
                provider=provider.name,
                subject=subject,
                linked_by=linked_by,
                linked_at=clock.now(),
            )
    except IntegrityError as exc:
        raise Refused(
            _(
                "Dit account is al gekoppeld aan een ander %(label)s-account, of dit "
                "%(label)s-account aan een ander account."
            )
            % {"label": provider.label},
            conflict=True,
        ) from exc
    record(
        AuditEvent.Action.SSO_LINKED,
        actor=actor,
        contact=account_contact(user),
        user=user.pk,
        provider=provider.name,
        linked_by=linked_by,
    )


def account_for(*, provider: Provider, subject: str, number: str, email: str) -> User | None:
    """The account of a checked identity: linked before, or linked now because the provider's
    registration number and verified e-mail address both match one account. None: not linked
    (the person is told how to link; no account is made)."""
    identity = (
        SsoIdentity.objects.select_related("user")
        .filter(provider=provider.name, subject=subject)
        .first()
    )
    if identity is not None:
        if not identity.user.is_active:
            raise refusal(provider, Reason.INACTIVE)
        return identity.user
    if not (number and email):
        return None
    candidates = list(
        User.objects.filter(is_active=True, professional__registration_number=number)
        .filter(Q(email__iexact=email) | Q(email="", professional__email__iexact=email))
        .exclude(sso_identities__provider=provider.name)[:2]
    )
    if len(candidates) != 1:
        return None
    with transaction.atomic():
        _link(
            user=candidates[0],
            provider=provider,
            subject=subject,
            linked_by=SsoIdentity.LinkedBy.CLAIMS,
            actor=candidates[0],
        )
    return candidates[0]


def record_login(*, user: User, provider: Provider, subject: str, provider_mfa: bool) -> None:
    with transaction.atomic():
        SsoIdentity.objects.filter(provider=provider.name, subject=subject).update(
            last_login_at=clock.now()
        )
        record(
            AuditEvent.Action.SSO_LOGIN,
            actor=user,
            contact=account_contact(user),
            provider=provider.name,
            second_factor_by_provider=provider_mfa,
        )


def send_link(*, actor: Any, provider: Provider, subject: str, email: str) -> int:
    """Mail every active account of ``email`` (the provider's verified address) a single-use
    link that links this identity to it. Returns how many were sent, for tests only: the page
    answers the same whatever the count."""
    if not email:
        return 0
    users = [user for user in login_accounts(email) if not _has_identity(user, provider)]
    now = clock.now()
    with transaction.atomic():
        for user in users:
            # A new link makes the earlier unused ones of this account and provider stop working.
            SsoLinkToken.objects.filter(
                user=user, provider=provider.name, used_at__isnull=True, expires_at__gt=now
            ).update(expires_at=now)
            raw, digest = tokens.new_secret()
            SsoLinkToken.objects.create(
                user=user,
                provider=provider.name,
                subject=subject,
                digest=digest,
                created_at=now,
                expires_at=now + dt.timedelta(hours=LINK_HOURS),
            )
            enqueue_mail(
                template="sso_link",
                to=[email],
                context={
                    "username": user.username,
                    "label": provider.label,
                    "link_url": absolute_url(reverse("accounts:sso_link", kwargs={"token": raw})),
                    "hours": LINK_HOURS,
                },
                language=user.language,
                secret_keys=["link_url"],
            )
            record(
                AuditEvent.Action.SSO_LINK_SENT,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                user=user.pk,
                provider=provider.name,
            )
    return len(users)


def _has_identity(user: User, provider: Provider) -> bool:
    return SsoIdentity.objects.filter(user=user, provider=provider.name).exists()


def usable_link(raw: str) -> tuple[SsoLinkToken | None, str]:
    """The link's token and its state: ``valid``, ``used``, ``expired`` or ``unknown``."""
    digest = tokens.digest_of(raw)
    if digest is None:
        return None, "unknown"
    token = (
        SsoLinkToken.objects.select_related("user")
        .filter(digest=digest, user__is_active=True)
        .first()
    )
    if token is None:
        return None, "unknown"
    if token.used_at is not None:
        return token, "used"
    if token.expires_at <= clock.now():
        return token, "expired"
    return token, "valid"


def confirm_link(*, actor: Any, raw: str, provider: Provider) -> User:
    """Use a mailed link: the identity it names is linked to its account, all or nothing.
    The link never logs anyone in; the person logs in through the provider afterwards."""
    with transaction.atomic():
        token, state = usable_link(raw)
        if token is None or state != "valid" or token.provider != provider.name:
            raise Refused(_("Deze koppellink werkt niet (meer)."), code=state)
        used = SsoLinkToken.objects.filter(
            pk=token.pk, used_at__isnull=True, expires_at__gt=clock.now()
        ).update(used_at=clock.now())
        if not used:
            raise Refused(_("Deze koppellink is al gebruikt."), code="used", conflict=True)
        _link(
            user=token.user,
            provider=provider,
            subject=token.subject,
            linked_by=SsoIdentity.LinkedBy.EMAIL_LINK,
            actor=actor if getattr(actor, "is_authenticated", False) else token.user,
        )
    return token.user


# --- the account's own linked identities (*Inlogbeveiliging*) ----------------------------------


@dataclass(frozen=True)
class LinkedIdentity:
    """A linked identity as the security page lists it."""

    pk: int
    label: str
    linked_at: dt.datetime
    last_login_at: dt.datetime | None


def identities_of(user: User) -> list[LinkedIdentity]:
    """The user's linked identities, labelled by the provider's button text (its configured
    name when the provider is no longer configured)."""
    return [
        LinkedIdentity(
            identity.pk, _label(identity.provider), identity.linked_at, identity.last_login_at
        )
        for identity in SsoIdentity.objects.filter(user=user).order_by("linked_at", "pk")
    ]


def _label(provider_name: str) -> str:
    provider = provider_named(provider_name)
    return provider.label if provider is not None else provider_name


def unlink_identity(*, actor: Any, identity_id: int) -> None:
    """The account holder removes one of their own linked identities, audited as a security
    event (ASVS 7.1.3). The last way to log in stays: an account without a usable password
    keeps its only identity (it would be locked out otherwise). Like removing a second factor,
    the logged-in session (with its second step, where owed) is enough. Every other session of
    the account ends (``session_epoch``), those opened through the identity among them."""
    if not getattr(actor, "is_authenticated", False):
        raise Refused(_("Log eerst in."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        identity = SsoIdentity.objects.filter(user=user, pk=identity_id).first()
        if identity is None:
            raise Refused(_("Deze koppeling bestaat niet (meer)."))
        others = SsoIdentity.objects.filter(user=user).exclude(pk=identity.pk).exists()
        if not user.has_usable_password() and not others:
            raise Refused(
                _(
                    "Dit is de enige manier waarop u kunt inloggen. Stel eerst een wachtwoord "
                    "in (via ‘Wachtwoord vergeten of link verlopen?’ op de loginpagina) en "
                    "verwijder dan deze koppeling."
                )
            )
        identity.delete()
        # A link removed because it was not the holder's own must not leave its sessions open
        # (ASVS 3.3.x): every session ends; the page keeps the one that removed it.
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        record(
            AuditEvent.Action.SSO_UNLINKED,
            actor=actor,
            contact=account_contact(user),
            provider=identity.provider,
        )
        if user.email:
            # ASVS 2.2.3: a removal the holder did not make does not go unnoticed.
            enqueue_mail(
                template="sso_unlinked",
                to=[user.email],
                context={"username": user.username, "label": _label(identity.provider)},
                language=user.language,
            )


def record_unknown_identity(*, provider: Provider, address: str) -> None:
    """A real identity at the provider that belongs to no account yet: a security event
    (ASVS 7.1.3), without its claims (no e-mail address, no token)."""
    with transaction.atomic():
        record(
            AuditEvent.Action.SSO_UNKNOWN_IDENTITY,
            actor=None,
            provider=provider.name,
            address=address,
        )
