from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peregister.accounts import mfa, services, sso, throttle, tokens
from peregister.accounts.forms import (
    ChangePasswordForm,
    LinkSetPasswordForm,
    LoginDetailsForm,
    LoginForm,
    NewLinkForm,
)
from peregister.accounts.guards import any_acting_role, authenticated, public, second_step
from peregister.accounts.models import User
from peregister.accounts.tasks import send_login_details_task, send_new_link_task
from peregister.core import ratelimit
from peregister.core.redirects import safe_next
from peregister.core.refusals import Refused
from peregister.core.text import storable

# Per client address and hour; generous for people, a wall for scripts.
SET_PASSWORD_TRIES_PER_HOUR = 20
NEW_LINK_REQUESTS_PER_HOUR = 10
# Per account and hour, so nobody floods one mailbox with links.
NEW_LINK_MAILS_PER_ACCOUNT_PER_HOUR = 3
HOUR = 3600


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Counted on the name the login form authenticates (stripped, normalised, any case),
        # so padding or case never opens a fresh count; cut to the longest username after that,
        # so nothing long is queried.
        typed = unicodedata.normalize("NFKC", str(request.POST.get("username", "")))
        # ``storable``: a NUL byte is counted like any name, escaped (a query error otherwise).
        self.typed_username = storable(typed.strip().lower())[:150]
        verdict = throttle.before_attempt(request=request, username=self.typed_username)
        if verdict is not throttle.Verdict.ALLOWED:
            # Same answer whether or not the username exists.
            context = {"form": self.get_form(), **throttle.describe(verdict)}
            return render(request, self.template_name, context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        mfa.start_session(self.request)
        if mfa.needs_second_step(self.request):
            # The password is only the first step: the session opens the second-step pages
            # and nothing else until the factor is proved (``middleware.SecondFactorMiddleware``).
            target = reverse("accounts:second_step")
            response = redirect(f"{target}?{urlencode({'next': self.get_success_url()})}")
        # The password was right: the limiter forgets the misses and marks this browser.
        throttle.after_success(
            request=self.request, username=self.typed_username, response=response
        )
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # A failed login is a client error: 400 with the message, like every other form.
        throttle.after_failure(request=self.request, username=self.typed_username)
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Read before the session is flushed: a session that came through single sign-on also
        # ends at its provider (RP-initiated logout, ``accounts.sso``).
        provider_logout = sso.logout_url(request)
        response = super().post(request, *args, **kwargs)
        return redirect(provider_logout) if provider_logout else response


login = public(LoginView.as_view())
logout = any_acting_role(second_step(LogoutView.as_view()))


def _too_many(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    context["too_many"] = True
    return render(request, template, context, status=429)


def _link_unusable(request: HttpRequest, state: tokens.TokenState) -> HttpResponse:
    # Unknown links look like any unknown page (404); used and expired ones are gone (410).
    status = 404 if state is tokens.TokenState.UNKNOWN else 410
    return render(
        request,
        "accounts/link_unusable.html",
        {"explanation": tokens.UNUSABLE_MESSAGES[state], "form": NewLinkForm()},
        status=status,
    )


@public
def set_password(request: HttpRequest, token: str) -> HttpResponse:
    """Choose a password through the mailed link; the link alone never logs anyone in."""
    inspection = tokens.inspect(token)
    if inspection.token is None or inspection.state is not tokens.TokenState.VALID:
        return _link_unusable(request, inspection.state)
    user = inspection.token.user
    template = "accounts/set_password.html"
    if request.method != "POST":
        form = LinkSetPasswordForm(user)
        return render(request, template, {"form": form, "username": user.username})
    form = LinkSetPasswordForm(user, request.POST)
    context: dict[str, object] = {"form": form, "username": user.username}
    if not ratelimit.hit_for_client(
        request, "set_password", limit=SET_PASSWORD_TRIES_PER_HOUR, per_seconds=HOUR
    ):
        return _too_many(request, template, context)
    if not form.is_valid():
        return render(request, template, context, status=400)
    try:
        services.set_password_with_link(
            actor=request.user,
            raw_token=token,
            password=form.cleaned_data["new_password1"],
        )
    except Refused as refused:
        return _link_unusable(request, tokens.TokenState(refused.code))
    messages.success(request, _("Uw wachtwoord is ingesteld. U kunt nu inloggen."))
    return redirect("accounts:login")


def _mail_a_link_on_request(
    request: HttpRequest,
    *,
    template: str,
    form_class: type[NewLinkForm] | type[LoginDetailsForm],
    field: str,
    scope: str,
    send: Callable[[str], object],
    sent: str,
) -> HttpResponse:
    """A page that mails a link to whoever owns the typed name or address: limited per client
    and per typed value (not per account, so the answer is the same either way), then always
    the same "sent" page whether or not anything was sent."""
    if request.method != "POST":
        return render(request, template, {"form": form_class()})
    form = form_class(request.POST)
    if not ratelimit.hit_for_client(
        request, scope, limit=NEW_LINK_REQUESTS_PER_HOUR, per_seconds=HOUR
    ):
        return _too_many(request, template, {"form": form})
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    value = form.cleaned_data[field].strip().lower()
    if ratelimit.hit(
        f"{scope}_target", value, limit=NEW_LINK_MAILS_PER_ACCOUNT_PER_HOUR, per_seconds=HOUR
    ):
        send(value)
    return redirect(sent)


@public
def new_link(request: HttpRequest) -> HttpResponse:
    """ "Link expired → send a new one", answered the same whether or not the account exists."""
    return _mail_a_link_on_request(
        request,
        template="accounts/new_link.html",
        form_class=NewLinkForm,
        field="username_or_email",
        scope="new_link",
        send=lambda value: send_new_link_task.enqueue(username_or_email=value),
        sent="accounts:new_link_sent",
    )


@public
def new_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/new_link_sent.html")


@public
def login_details(request: HttpRequest) -> HttpResponse:
    """*Inloggegevens vergeten*: username(s) and a set-password link to a known address; the
    answer is the same whether or not the address is known (OWASP ASVS 4.0.3 V2.5.2, V3.7)."""
    return _mail_a_link_on_request(
        request,
        template="accounts/login_details.html",
        form_class=LoginDetailsForm,
        field="email",
        scope="login_details",
        send=lambda value: send_login_details_task.enqueue(email=value),
        sent="accounts:login_details_sent",
    )


@public
def login_details_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/login_details_sent.html")


@authenticated
def change_password(request: HttpRequest) -> HttpResponse:
    """*Wachtwoord wijzigen* for every logged-in user; other sessions of the account end."""
    template = "accounts/change_password.html"
    user = cast(User, request.user)  # @authenticated: never anonymous here
    if request.method != "POST":
        return render(request, template, {"form": ChangePasswordForm(user)})
    form = ChangePasswordForm(user, request.POST)
    # Each try checks the current password: limited like logins, per account.
    if not ratelimit.hit(
        "change_password", str(user.pk), limit=throttle.PAIR_FAILURES, per_seconds=throttle.WINDOW
    ):
        return _too_many(request, template, {"form": form})
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    try:
        services.change_password(actor=user, user=user, password=form.cleaned_data["new_password1"])
    except Refused as refused:
        form.add_error(None, refused.message)
        return render(request, template, {"form": form}, status=refused.status)
    update_session_auth_hash(request, user)
    messages.success(
        request,
        _("Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd."),
    )
    return redirect("accounts:change_password")


@any_acting_role
@authenticated
@require_POST
def switch_role(request: HttpRequest) -> HttpResponse:
    """The header's role switcher: act as professional or for one of one's organisations.

    Afterwards the start page of that role (the page the person was on may belong to the
    other role and answer 404 now), or, from the *Pagina niet gevonden* page's "Openen als …",
    the page that was not found (``next``, within this site only).
    """
    try:
        services.switch_role(
            actor=request.user, session=request.session, key=request.POST.get("role", "")
        )
    except Refused as refused:
        return render(
            request, "accounts/role_switch_refused.html", {"message": refused.message}, status=400
        )
    target = safe_next(request, request.POST.get("next"))
    return redirect(target) if target else redirect("home:home")
