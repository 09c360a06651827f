"""Pages of the second factor (*Tweestapsverificatie*), *Inlogbeveiliging* and *Uitloggen op alle
apparaten*. The rules and writes are in ``mfa`` and ``passkeys``."""

from __future__ import annotations

from binascii import unhexlify
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.util import random_hex

from peregister.accounts import mfa, passkeys, sso_services
from peregister.accounts.forms import SecondStepForm, TotpSetupForm
from peregister.accounts.guards import authenticated, second_step
from peregister.accounts.models import User
from peregister.core import ratelimit
from peregister.core.redirects import safe_next
from peregister.core.refusals import Refused

PENDING_TOTP_KEY = "pe_totp_key"
SHOW_RECOVERY_CODES = "pe_recovery_codes"
# Second-step tries per account in a quarter of an hour (django-otp also slows each device
# down after every wrong code): a person mistypes a few times, a guesser gets nowhere.
SECOND_STEP_TRIES = 10
QUARTER = 900


def _next_url(request: HttpRequest) -> str:
    target = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    return target or resolve_url(settings.LOGIN_REDIRECT_URL)


def _within_limit(request: HttpRequest) -> bool:
    return ratelimit.hit(
        "second-step", str(request.user.pk), limit=SECOND_STEP_TRIES, per_seconds=QUARTER
    )


def _done(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """After a set-up: the session has proved the factor; new recovery codes are shown once."""
    mfa.mark_verified(request)
    if codes:
        request.session[SHOW_RECOVERY_CODES] = codes
        return redirect(f"{_recovery_codes_url()}?next={_next_url(request)}")
    messages.success(request, _("Tweestapsverificatie is ingesteld."))
    return redirect(_next_url(request))


def _recovery_codes_url() -> str:
    return reverse("accounts:recovery_codes")


@second_step
def second_step_view(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the app, a recovery code, or a passkey."""
    if not mfa.needs_second_step(request):
        return redirect(_next_url(request))
    if not mfa.has_factor(request.user):
        return redirect(f"{_setup_url()}?next={_next_url(request)}")
    template = "accounts/second_step.html"
    has_passkeys = request.user.passkeys.exists()  # type: ignore[union-attr]
    context: dict[str, Any] = {"next": _next_url(request), "has_passkeys": has_passkeys}
    if request.method != "POST":
        context["form"] = SecondStepForm()
        return render(request, template, context)
    form = SecondStepForm(request.POST)
    context["form"] = form
    if not _within_limit(request):
        context["too_many"] = True
        return render(request, template, context, status=429)
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        factor = mfa.verify_code(actor=request.user, code=form.cleaned_data["code"])
    except Refused as refused:
        form.add_error("code", refused.message)
        return render(request, template, context, status=400)
    mfa.mark_verified(request)
    if factor == mfa.Factor.RECOVERY_CODE:
        messages.warning(
            request,
            _(
                "U logde in met een herstelcode; die werkt nu niet meer. Maak nieuwe "
                "herstelcodes op de pagina Inlogbeveiliging als u er weinig over hebt."
            ),
        )
    return redirect(_next_url(request))


def _setup_url() -> str:
    return reverse("accounts:mfa_setup")


@second_step
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app (QR code), or a passkey on the same page."""
    if not mfa.may_add_factor(request):
        return redirect(f"{_second_step_url()}?next={_next_url(request)}")
    # One key per set-up: reloading the page shows the QR code the user may have scanned.
    key = request.session.get(PENDING_TOTP_KEY)
    if not isinstance(key, str):
        key = random_hex(20)
        request.session[PENDING_TOTP_KEY] = key
    form = TotpSetupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not _within_limit(request):
            status = 429
        elif form.is_valid():
            try:
                codes = mfa.confirm_totp(
                    actor=request.user, key=key, code=form.cleaned_data["code"]
                )
            except Refused as refused:
                form.add_error("code", refused.message)
                status = 400
            else:
                request.session.pop(PENDING_TOTP_KEY, None)
                return _done(request, codes)
        else:
            status = 400
    otpauth = _otpauth_url(request, key)
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": segno.make(otpauth, error="m").svg_inline(
            scale=5, title=_("QR-code voor uw authenticator-app")
        ),
        "secret": _grouped_secret(key),
        "required": mfa.needs_second_step(request),
        "too_many": status == 429,
    }
    return render(request, "accounts/mfa_setup.html", context, status=status)


def _otpauth_url(request: HttpRequest, key: str) -> str:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return str(TOTPDevice(user=request.user, key=key).config_url)


def _grouped_secret(key: str) -> str:
    from base64 import b32encode

    secret = b32encode(unhexlify(key)).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _second_step_url() -> str:
    return reverse("accounts:second_step")


@second_step
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown this once (they are stored only as django-otp tokens)."""
    if request.method == "POST":
        if mfa.needs_second_step(request):
            return redirect(_second_step_url())
        request.session[SHOW_RECOVERY_CODES] = mfa.new_recovery_codes(actor=request.user)
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(SHOW_RECOVERY_CODES, None)
    if not codes:
        return redirect("accounts:security")
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
    )


@second_step
def security(request: HttpRequest) -> HttpResponse:
    """*Inlogbeveiliging*: the account's factors, and logging out everywhere."""
    if mfa.needs_second_step(request):
        return redirect(_second_step_url())
    return render(request, "accounts/security.html", _security_context(request))


def _security_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "factors": mfa.factors_of(request.user),
        "identities": sso_services.identities_of(request.user),  # type: ignore[arg-type]
        **extra,
    }


@authenticated
@require_POST
def remove_identity(request: HttpRequest) -> HttpResponse:
    """Remove one of the account's own linked *Inloggen via …* identities."""
    raw_id = str(request.POST.get("identity", ""))[:20]
    identity_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
    try:
        if identity_id is None:
            raise Refused(_("Deze koppeling bestaat niet (meer)."))
        sso_services.unlink_identity(actor=request.user, identity_id=identity_id)
    except Refused as refused:
        context = _security_context(request, identity_refusal=refused.message)
        return render(request, "accounts/security.html", context, status=400)
    user = cast(User, request.user)
    user.refresh_from_db(fields=["session_epoch"])  # the new epoch: this session stays
    update_session_auth_hash(request, user)
    messages.success(
        request,
        _("De koppeling is verwijderd. U bent op alle andere apparaten uitgelogd."),
    )
    return redirect("accounts:security")


@authenticated
@require_POST
def remove_factor(request: HttpRequest) -> HttpResponse:
    """Unlink the app or remove a passkey (the page says which may go)."""
    factor = str(request.POST.get("factor", ""))[:20]
    raw_id = str(request.POST.get("passkey", ""))[:20]
    passkey_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
    try:
        mfa.remove_factor(actor=request.user, factor=factor, passkey_id=passkey_id)
    except Refused as refused:
        context = _security_context(request, refusal=refused.message)
        return render(request, "accounts/security.html", context, status=400)
    messages.success(request, _("De tweede stap is verwijderd."))
    return redirect("accounts:security")


def _json_refusal() -> JsonResponse:
    return JsonResponse(
        {"error": _("De passkey is niet geaccepteerd. Probeer het opnieuw.")}, status=400
    )


@second_step
@require_POST
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    if not mfa.may_add_factor(request):
        return JsonResponse({"error": _("Log eerst in met uw tweede stap.")}, status=403)
    return HttpResponse(passkeys.registration_options(request), content_type="application/json")


@second_step
@require_POST
def passkey_register(request: HttpRequest) -> HttpResponse:
    if not mfa.may_add_factor(request):
        return JsonResponse({"error": _("Log eerst in met uw tweede stap.")}, status=403)
    try:
        name, credential_id, public_key, sign_count = passkeys.verify_registration(
            request, request.body
        )
    except passkeys.PasskeyRefused:
        return _json_refusal()
    codes = mfa.add_passkey(
        actor=request.user,
        name=name,
        credential_id=credential_id,
        public_key=public_key,
        sign_count=sign_count,
    )
    response = _done(request, codes)
    return JsonResponse({"next": response["Location"]})


@second_step
@require_POST
def passkey_login_options(request: HttpRequest) -> HttpResponse:
    return HttpResponse(passkeys.authentication_options(request), content_type="application/json")


@second_step
@require_POST
def passkey_login(request: HttpRequest) -> HttpResponse:
    if not mfa.needs_second_step(request):
        return JsonResponse({"next": _next_url(request)})
    if not _within_limit(request):
        return JsonResponse(
            {"error": _("Te veel pogingen. Probeer het later opnieuw.")}, status=429
        )
    try:
        passkey, sign_count = passkeys.verify_authentication(request, request.body)
    except passkeys.PasskeyRefused:
        mfa.record_failure(actor=request.user, factor=mfa.Factor.PASSKEY)
        return _json_refusal()
    mfa.passkey_used(actor=request.user, passkey=passkey, sign_count=sign_count)
    mfa.mark_verified(request)
    return JsonResponse({"next": _next_url(request)})


@authenticated
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """*Uitloggen op alle apparaten*: every session of this account ends, this one too."""
    mfa.end_all_sessions(actor=request.user)
    logout(request)
    messages.success(request, _("U bent uitgelogd op alle apparaten."))
    return redirect("accounts:login")
