"""The second factor: who must use one, what a session has proved, and the writes.

The codes, keys and signatures are django-otp's (TOTP, one-time recovery codes) and
py_webauthn's (passkeys, ``accounts.passkeys``); nothing here computes or checks a code itself.

A session proves the second factor once, right after the password (``SESSION_VERIFIED``).
Register staff, beheerders and 2e contactpersonen must (``Roles.privileged``: checked on every
request from the roles, whatever the session says); anyone else must when the login view found a
factor on the account (``SESSION_REQUIRED``, set by the real login flow).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peregister.accounts.actors import require_staff
from peregister.accounts.models import PasskeyCredential, User
from peregister.accounts.roles import request_roles, roles_of
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.notifications.mail import enqueue_mail

SESSION_REQUIRED = "pe_mfa_required"
SESSION_VERIFIED = "pe_mfa_verified"
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator-app"
RECOVERY_NAME = "Herstelcodes"


class Factor:
    """How a second step was made (stored in audit events' data)."""

    TOTP = "totp"
    PASSKEY = "passkey"
    RECOVERY_CODE = "recovery_code"


# --- reading --------------------------------------------------------------------------------


def has_factor(user: Any) -> bool:
    """An authenticator app or a passkey (recovery codes alone are no factor to log in with)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or PasskeyCredential.objects.filter(user=user).exists()
    )


def factors_of(user: Any) -> dict[str, Any]:
    """What the account has, for the *Inlogbeveiliging* page."""
    return {
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "passkeys": list(PasskeyCredential.objects.filter(user=user).order_by("created_at")),
        "recovery_codes_left": StaticToken.objects.filter(device__user=user).count(),
    }


# --- the session ----------------------------------------------------------------------------


def start_session(request: HttpRequest) -> None:
    """Called by the login view right after the password: does this session owe a second step?"""
    # The roles of the user just logged in (not a value cached for this request before).
    request.session[SESSION_REQUIRED] = roles_of(request.user).privileged or has_factor(
        request.user
    )
    request.session[SESSION_VERIFIED] = False


def needs_second_step(request: HttpRequest) -> bool:
    """A logged-in session that has not yet proved the second factor it owes."""
    if not request.user.is_authenticated:
        return False
    owed = request_roles(request).privileged or bool(request.session.get(SESSION_REQUIRED))
    return owed and not request.session.get(SESSION_VERIFIED)


def mark_verified(request: HttpRequest) -> None:
    # A new session key after the step up, like after the password (ASVS 3.2.1).
    request.session.cycle_key()
    request.session[SESSION_VERIFIED] = True
    request.session[SESSION_REQUIRED] = True


def may_add_factor(request: HttpRequest) -> bool:
    """Adding a factor needs the second step done, unless the account has none yet (the
    password alone must not let anyone add their own authenticator to an account)."""
    return not needs_second_step(request) or not has_factor(request.user)


# --- writes ---------------------------------------------------------------------------------


def _tell_account_holder(user: Any, *, change: str, factor: str = "") -> None:
    """ASVS 2.2.3: the account holder hears of every change to the second factor (inside the
    change's transaction), so one they did not make does not go unnoticed."""
    if user.email:
        enqueue_mail(
            template="second_factor_changed",
            to=[user.email],
            context={"username": user.username, "change": change, "factor": factor},
            language=user.language,
        )


def _require_self(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise Refused(_("Log eerst in."))


def _new_recovery_codes(user: Any) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _ensure_recovery_codes(user: Any) -> list[str]:
    """Fresh codes with the first factor; none when the account already has some."""
    if StaticToken.objects.filter(device__user=user).exists():
        return []
    return _new_recovery_codes(user)


def confirm_totp(*, actor: Any, key: str, code: str) -> list[str]:
    """Save the authenticator app whose key ``key`` the user scanned, once ``code`` from it
    matches. Returns new recovery codes when the account had none."""
    _require_self(actor)
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        raise Refused(_("Vul de 6 cijfers uit uw authenticator-app in."), field="code")
    matched = False
    codes: list[str] = []
    with transaction.atomic():
        device = TOTPDevice(user=actor, name=TOTP_NAME, key=key, confirmed=False)
        device.full_clean(exclude=["user"])
        device.save()
        # verify_token saves the step used (no replay) and the throttle on the device.
        if device.verify_token(code):
            matched = True
            TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _ensure_recovery_codes(actor)
            record(AuditEvent.Action.MFA_SET_UP, actor=actor, factor=Factor.TOTP)
            _tell_account_holder(actor, change="set_up", factor=Factor.TOTP)
        else:
            transaction.set_rollback(True)
    if not matched:
        raise Refused(
            _("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer de nieuwe code."),
            field="code",
        )
    return codes


def verify_code(*, actor: Any, code: str) -> str:
    """The second step with a code: from the authenticator app, else a recovery code (used
    once). Returns the factor used; a wrong code is an audit event and a refusal."""
    _require_self(actor)
    code = code.strip().replace(" ", "").lower()
    factor = None
    if code and code.isascii() and code.isalnum() and len(code) <= 16:
        with transaction.atomic():
            for device in TOTPDevice.objects.filter(user=actor, confirmed=True):
                if code.isdigit() and device.verify_token(code):
                    factor = Factor.TOTP
                    break
            else:
                static = StaticDevice.objects.filter(user=actor, confirmed=True).first()
                if static is not None and static.verify_token(code):
                    factor = Factor.RECOVERY_CODE
                    record(
                        AuditEvent.Action.MFA_RECOVERY_CODE_USED,
                        actor=actor,
                        left=static.token_set.count(),
                    )
    if factor is None:
        record_failure(actor=actor, factor=Factor.TOTP)
        raise Refused(
            _("Deze code klopt niet. Wacht op de volgende code en probeer het opnieuw."),
            field="code",
        )
    return factor


def record_failure(*, actor: Any, factor: str) -> None:
    """A wrong second step, kept even though the attempt itself changes nothing."""
    with transaction.atomic():
        record(AuditEvent.Action.MFA_FAILED, actor=actor, factor=factor)


def new_recovery_codes(*, actor: Any) -> list[str]:
    """Replace the account's recovery codes (the old ones stop working)."""
    _require_self(actor)
    with transaction.atomic():
        codes = _new_recovery_codes(actor)
        record(AuditEvent.Action.MFA_SET_UP, actor=actor, factor=Factor.RECOVERY_CODE)
        _tell_account_holder(actor, change="set_up", factor=Factor.RECOVERY_CODE)
    return codes


def add_passkey(
    *, actor: Any, name: str, credential_id: bytes, public_key: bytes, sign_count: int
) -> list[str]:
    """Store a passkey py_webauthn verified; returns new recovery codes when there were none."""
    _require_self(actor)
    with transaction.atomic():
        PasskeyCredential.objects.create(
            user=actor,
            name=name[:64] or _("Passkey"),
            credential_id=credential_id,
            public_key=public_key,
            sign_count=sign_count,
            created_at=clock.now(),
        )
        codes = _ensure_recovery_codes(actor)
        record(AuditEvent.Action.MFA_SET_UP, actor=actor, factor=Factor.PASSKEY)
        _tell_account_holder(actor, change="set_up", factor=Factor.PASSKEY)
    return codes


def passkey_used(*, actor: Any, passkey: PasskeyCredential, sign_count: int) -> None:
    _require_self(actor)
    if passkey.user_id != actor.pk:
        raise Refused(_("Deze passkey hoort niet bij uw account."))
    with transaction.atomic():
        PasskeyCredential.objects.filter(pk=passkey.pk).update(
            sign_count=sign_count, last_used_at=clock.now()
        )


def remove_factor(*, actor: Any, factor: str, passkey_id: int | None = None) -> None:
    """Remove the authenticator app or one passkey; staff, beheerders and 2e contactpersonen
    keep at least one (the second factor is mandatory for them)."""
    _require_self(actor)
    with transaction.atomic():
        if factor == Factor.TOTP:
            removed = TOTPDevice.objects.filter(user=actor)
        elif factor == Factor.PASSKEY and passkey_id is not None:
            removed = PasskeyCredential.objects.filter(user=actor, pk=passkey_id)  # type: ignore[assignment]
        else:
            raise Refused(_("Deze tweede stap bestaat niet (meer)."))
        if not removed.exists():
            raise Refused(_("Deze tweede stap bestaat niet (meer)."))
        removed.delete()
        if roles_of(actor).privileged and not has_factor(actor):
            raise Refused(
                _(
                    "Voor uw rol is een tweede stap verplicht: voeg eerst een andere app of "
                    "passkey toe en verwijder dan deze."
                )
            )
        if not has_factor(actor):
            # Without a factor the recovery codes would be a second step of nothing.
            StaticDevice.objects.filter(user=actor).delete()
        record(AuditEvent.Action.MFA_REMOVED, actor=actor, factor=factor)
        _tell_account_holder(actor, change="removed", factor=factor)


def reset_second_factor(*, actor: Any, user: User, reason: str) -> None:
    """Register staff remove a user's lost factors; the user sets one up at the next login.

    Every session of the user ends (someone holding the lost phone or key may be logged in).
    """
    require_staff(actor)
    if user.pk == actor.pk:
        raise Refused(
            _("Uw eigen tweestapsverificatie herstelt een andere medewerker van het register."),
            field="username",
        )
    with transaction.atomic():
        removed = (
            TOTPDevice.objects.filter(user=user).delete()[0]
            + PasskeyCredential.objects.filter(user=user).delete()[0]
        )
        StaticDevice.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        record(
            AuditEvent.Action.MFA_RESET,
            actor=actor,
            user=user.pk,
            factors_removed=removed,
            reason=reason,
        )
        _tell_account_holder(user, change="reset")


def end_all_sessions(*, actor: Any) -> None:
    """*Uitloggen op alle apparaten*: every session of the actor ends, this one included."""
    _require_self(actor)
    with transaction.atomic():
        User.objects.filter(pk=actor.pk).update(session_epoch=F("session_epoch") + 1)
        record(AuditEvent.Action.SESSIONS_ENDED, actor=actor)
