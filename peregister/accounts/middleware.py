"""Session rules that hold on every page: the idle timeout and the owed second step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from peregister.accounts import mfa
from peregister.accounts.context_processors import role_label
from peregister.accounts.guards import ANY_ACTING_ROLE, BEFORE_SECOND_STEP, POLICY_ATTRIBUTE
from peregister.accounts.roles import ROLE_FIELD, ROLE_HEADER, request_roles
from peregister.core import clock

LAST_SEEN = "pe_last_seen"
# The last-seen time is written at most this often: a session write per page view would cost
# every page a query, and a minute is nothing against a 30-minute limit.
LAST_SEEN_RESOLUTION = 60


def idle_limit_seconds(request: HttpRequest) -> int:
    minutes = (
        settings.SESSION_IDLE_MINUTES_PRIVILEGED
        if request_roles(request).privileged
        else settings.SESSION_IDLE_MINUTES
    )
    return minutes * 60


def note_activity(request: HttpRequest) -> None:
    """Start the idle clock (at login, also a test client's ``force_login``)."""
    request.session[LAST_SEEN] = int(clock.now().timestamp())


class IdleTimeoutMiddleware:
    """A session without a request for longer than the role's limit ends (ASVS 3.3.2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            # The acting role is resolved here, before any view: from now on it travels with
            # ``request.user``, so services handed the user act in the same role as the page.
            request_roles(request)
            now = int(clock.now().timestamp())
            last_seen = request.session.get(LAST_SEEN)
            if not isinstance(last_seen, int) or now - last_seen > idle_limit_seconds(request):
                minutes = idle_limit_seconds(request) // 60
                logout(request)
                messages.info(
                    request,
                    _("U was %(minutes)s minuten niet actief en bent daarom uitgelogd.")
                    % {"minutes": minutes},
                )
                return redirect(
                    f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
                )
            if now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class _ViewCheck:
    """A middleware that only decides in ``process_view`` (after the URL is resolved)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)


class SecondFactorMiddleware(_ViewCheck):
    """A session that owes its second step opens only the pages of that step (and public ones)."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if getattr(view_func, BEFORE_SECOND_STEP, False):
            return None
        # API views authenticate each request by its key alone; a session cookie the client
        # happens to send neither opens nor blocks them.
        if getattr(view_func, POLICY_ATTRIBUTE, None) in ("public", "api_key"):
            return None
        if not mfa.needs_second_step(request):
            return None
        target = reverse("accounts:second_step")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class ActingRoleFormMiddleware(_ViewCheck):
    """A POST of a person with several roles acts only in the role its page was rendered in.

    Every POST form carries the acting role's key (``templatetags.acting_role``). A form opened
    in one role and sent after a switch in another tab (or with no key at all) is answered with
    409 before its view runs, so nothing is written in the role the person no longer sees. A
    person with one role, an anonymous POST and the API (a key, not a session) are not checked.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        if getattr(view_func, ANY_ACTING_ROLE, False):
            return None
        if getattr(view_func, POLICY_ATTRIBUTE, None) == "api_key":
            return None
        roles = request_roles(request)
        if not roles.switchable:
            return None
        # The header first: a script's JSON body is then never parsed here, and a view that
        # reads ``request.body`` itself still can.
        sent = request.headers.get(ROLE_HEADER) or request.POST.get(ROLE_FIELD, "")
        if sent == roles.acting_key:
            return None
        current = next(choice for choice in roles.choices if choice.key == roles.acting_key)
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("home:home")
        return render(
            request,
            "accounts/role_changed.html",
            {"current_role": role_label(current), "back": back},
            status=409,
        )
