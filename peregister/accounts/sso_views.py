"""Single sign-on pages: start, callback, *niet gekoppeld*, and the mailed link's confirmation.

The views stay thin: the protocol is ``accounts.sso`` (Authlib), the writes
``accounts.sso_services``. An SSO login owes the same second step and idle timeout as a
password login (``mfa.start_session`` and the ``user_logged_in`` signal).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from peregister.accounts import mfa, sso, sso_services, throttle
from peregister.accounts.guards import public
from peregister.core import ratelimit
from peregister.core.redirects import safe_next
from peregister.core.refusals import Refused

# Per client address and quarter of an hour: starts and callbacks together; generous for a
# person, a wall for a script replaying callbacks.
SSO_REQUESTS_PER_QUARTER = 60
QUARTER = 15 * 60
# Link mails, like *Inloggegevens vergeten*: per client and hour, per address and hour.
LINK_REQUESTS_PER_HOUR = 10
LINK_MAILS_PER_ADDRESS_PER_HOUR = 3
HOUR = 3600
BACKEND = "peregister.accounts.backends.UserWithRolesBackend"


def _provider(name: str) -> sso.Provider:
    provider = sso.provider_named(name)
    if provider is None:
        raise Http404
    return provider


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "accounts/sso_refused.html",
        {"message": _("Te veel inlogpogingen. Probeer het over een kwartier opnieuw.")},
        status=429,
    )
    return ratelimit.retry_after(response, QUARTER)


@public
@require_POST
def start(request: HttpRequest, provider: str) -> HttpResponse:
    """The button on the login page: on to the provider's login (a POST, so no prefetch or
    foreign page starts a login)."""
    chosen = _provider(provider)
    if request.user.is_authenticated:
        # Logged in already, like the login page: on to the start page.
        return redirect(settings.LOGIN_REDIRECT_URL)
    if not ratelimit.hit_for_client(
        request, "sso", limit=SSO_REQUESTS_PER_QUARTER, per_seconds=QUARTER
    ):
        return _too_many(request)
    request.session[sso.SESSION_NEXT] = safe_next(request, request.POST.get("next"))
    try:
        response: HttpResponse = sso.authorization_redirect(request, chosen)
    except Refused as refused:
        return _refused(request, chosen, refused)
    return response


def _refused(request: HttpRequest, provider: sso.Provider, refused: Refused) -> HttpResponse:
    sso_services.record_refusal(
        provider=provider.name, reason=refused.code, address=ratelimit.client_address(request)
    )
    status = 502 if refused.code == sso.Reason.UNREACHABLE else 400
    return render(
        request,
        "accounts/sso_refused.html",
        {"message": refused.message, "provider": provider},
        status=status,
    )


@public
@require_http_methods(["GET"])
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Where the provider sends the browser back with a code (the registered redirect URI)."""
    chosen = _provider(provider)
    # A callback is a login attempt: it counts against the address's login limit (shared with
    # the password login, ``accounts.throttle``), and against the SSO limit of its own.
    verdict = throttle.before_attempt(request=request, username="")
    if verdict is not throttle.Verdict.ALLOWED or not ratelimit.hit_for_client(
        request, "sso", limit=SSO_REQUESTS_PER_QUARTER, per_seconds=QUARTER
    ):
        return _too_many(request)
    try:
        token = sso.complete(request, chosen)
        claims: dict[str, Any] = dict(token["userinfo"])
        subject = str(claims["sub"])
        user = sso_services.account_for(
            provider=chosen,
            subject=subject,
            number=sso.registration_number(chosen, claims),
            email=sso.verified_email(chosen, claims),
        )
    except Refused as refused:
        return _refused(request, chosen, refused)
    next_url = request.session.pop(sso.SESSION_NEXT, "")
    if user is None:
        sso_services.record_unknown_identity(
            provider=chosen, address=ratelimit.client_address(request)
        )
        request.session[sso.SESSION_PENDING] = {
            "provider": chosen.name,
            "subject": subject,
            "email": sso.verified_email(chosen, claims),
        }
        return redirect("accounts:sso_unlinked", provider=chosen.name)
    auth_login(request, user, backend=BACKEND)
    mfa.start_session(request)
    provider_mfa = sso.second_factor_by_provider(chosen, claims)
    if provider_mfa:
        # The provider proved a second factor and this register trusts its word for it.
        mfa.mark_verified(request)
    request.session[sso.SESSION_LOGIN] = {"provider": chosen.name, "id_token": token["id_token"]}
    sso_services.record_login(
        user=user, provider=chosen, subject=subject, provider_mfa=provider_mfa
    )
    target = next_url or reverse(settings.LOGIN_REDIRECT_URL)
    if mfa.needs_second_step(request):
        return redirect(f"{reverse('accounts:second_step')}?{urlencode({'next': target})}")
    return redirect(target)


@public
@require_http_methods(["GET", "POST"])
def unlinked(request: HttpRequest, provider: str) -> HttpResponse:
    """*Niet gekoppeld*: the identity is real but belongs to no account yet; what to do."""
    chosen = _provider(provider)
    pending = request.session.get(sso.SESSION_PENDING)
    if not isinstance(pending, dict) or pending.get("provider") != chosen.name:
        return redirect("accounts:login")
    email = str(pending.get("email", ""))
    context = {"provider": chosen, "email": email, "sent": False}
    if request.method == "POST":
        if not email:
            return render(request, "accounts/sso_unlinked.html", context, status=400)
        if not ratelimit.hit_for_client(
            request, "sso_link", limit=LINK_REQUESTS_PER_HOUR, per_seconds=HOUR
        ):
            return render(
                request, "accounts/sso_unlinked.html", {**context, "too_many": True}, status=429
            )
        if ratelimit.hit(
            "sso_link_target", email, limit=LINK_MAILS_PER_ADDRESS_PER_HOUR, per_seconds=HOUR
        ):
            sso_services.send_link(
                actor=request.user,
                provider=chosen,
                subject=str(pending["subject"]),
                email=email,
            )
        context["sent"] = True
    return render(request, "accounts/sso_unlinked.html", context)


LINK_UNUSABLE = {
    "unknown": gettext_lazy(
        "Deze koppellink is niet geldig. Controleer of u de hele link uit de e-mail heeft gebruikt."
    ),
    "used": gettext_lazy("Deze koppellink is al gebruikt: een koppellink werkt maar één keer."),
    "expired": gettext_lazy(
        "Deze koppellink is verlopen, of er is inmiddels een nieuwere verstuurd."
    ),
}


@public
@require_http_methods(["GET", "POST"])
def confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: a page with one button (a GET changes nothing, so a mail scanner that
    opens the link links nothing); the POST links the identity to the account."""
    link, state = sso_services.usable_link(token)
    provider = sso.provider_named(link.provider) if link is not None else None
    if link is None or provider is None or state != "valid":
        status = 404 if state == "unknown" or provider is None else 410
        return render(
            request,
            "accounts/sso_link_unusable.html",
            {"explanation": LINK_UNUSABLE.get(state, LINK_UNUSABLE["unknown"])},
            status=status,
        )
    context = {"provider": provider, "username": link.user.username}
    if request.method == "POST":
        try:
            sso_services.confirm_link(actor=request.user, raw=token, provider=provider)
        except Refused as refused:
            return render(
                request,
                "accounts/sso_link_unusable.html",
                {"explanation": refused.message},
                status=refused.status,
            )
        messages.success(
            request,
            _("Uw account is gekoppeld. Log nu in via %(label)s.") % {"label": provider.label},
        )
        return redirect("accounts:login")
    return render(request, "accounts/sso_link.html", context)
