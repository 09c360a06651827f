"""Login throttling that resists lockout attacks (OWASP ASVS 4.0.3 V2.2.1).

Three counters, each per quarter of an hour (``WINDOW``):

* **per username and address**: ``PAIR_FAILURES`` wrong passwords for one username from one
  address, and that address may not try that username again until the quarter ends;
* **per address**: ``ADDRESS_ATTEMPTS`` attempts (any usernames) from one address, then that
  address may not try at all until the quarter ends (a wall for one machine guessing many
  accounts);
* **per username, softer**: after ``USERNAME_FAILURES`` wrong passwords for a username from any
  addresses, a browser that never logged in to that account gets one try per
  ``BRAKE_SECONDS`` for it (a cool-off, no CAPTCHA). A browser that did log in to it before
  (a signed cookie, ``KNOWN_BROWSER_COOKIE``, set at each successful login) is not slowed
  down, so guessing from elsewhere cannot lock the owner out.

A successful login clears the misses of its username (both counters). When a username reaches
``USERNAME_FAILURES`` misses, its account holder is e-mailed (once per quarter) and staff see a
``login.guessed_at`` event. Every miss is a ``login.failed`` event, every first refusal of a
counter a ``login.throttled`` one (no passwords, no typed usernames that are no account).
"""

from __future__ import annotations

import enum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import ratelimit
from peregister.notifications.mail import absolute_url, enqueue_mail

WINDOW = 15 * 60
PAIR_FAILURES = 10
ADDRESS_ATTEMPTS = 100
USERNAME_FAILURES = 10
BRAKE_SECONDS = 60
KNOWN_BROWSER_COOKIE = "pe_known_browser"
KNOWN_BROWSER_SALT = "peregister.accounts.throttle.known-browser"
KNOWN_BROWSER_DAYS = 365


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    PAIR = "pair"  # this username from this address
    ADDRESS = "address"  # anything from this address
    BRAKE = "brake"  # this username from an unknown browser, for a minute


def _pair(username: str, address: str) -> str:
    return f"{username}\x00{address}"


def _account(username: str) -> User | None:
    # The username is at most 150 characters here (the caller cuts it), so the LIKE is cheap.
    if not username:
        return None
    return User.objects.filter(username__iexact=username, is_active=True).first()


def known_browser(request: HttpRequest, username: str) -> bool:
    known = request.get_signed_cookie(
        KNOWN_BROWSER_COOKIE,
        default="",
        salt=KNOWN_BROWSER_SALT,
        max_age=KNOWN_BROWSER_DAYS * 24 * 3600,
    )
    return bool(username) and known == username


def remember_browser(response: HttpResponse, username: str) -> None:
    response.set_signed_cookie(
        KNOWN_BROWSER_COOKIE,
        username,
        salt=KNOWN_BROWSER_SALT,
        max_age=KNOWN_BROWSER_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def before_attempt(*, request: HttpRequest, username: str) -> Verdict:
    """May this login attempt be checked at all? Counts the attempt for its address."""
    address = ratelimit.client_address(request)
    verdict = Verdict.ALLOWED
    if ratelimit.peek("login-pair", _pair(username, address), per_seconds=WINDOW) >= PAIR_FAILURES:
        verdict = Verdict.PAIR
    elif ratelimit.count("login-address", address, per_seconds=WINDOW) > ADDRESS_ATTEMPTS:
        verdict = Verdict.ADDRESS
    elif (
        ratelimit.peek("login-username", username, per_seconds=WINDOW) >= USERNAME_FAILURES
        and not known_browser(request, username)
        and ratelimit.count("login-brake", username, per_seconds=BRAKE_SECONDS) > 1
    ):
        verdict = Verdict.BRAKE
    if verdict is not Verdict.ALLOWED:
        _record_throttled(username=username, address=address, verdict=verdict)
    return verdict


def _record_throttled(*, username: str, address: str, verdict: Verdict) -> None:
    # One event per counter and window, not one per refused request: a bot cannot fill the log.
    key = f"{verdict.value}\x00{username}\x00{address}"
    if ratelimit.count("login-throttled-event", key, per_seconds=WINDOW) > 1:
        return
    account = _account(username)
    with transaction.atomic():
        record(
            AuditEvent.Action.LOGIN_THROTTLED,
            actor=None,
            counter=verdict.value,
            account=account.pk if account else None,
            address=address,
        )


def after_failure(*, request: HttpRequest, username: str) -> None:
    address = ratelimit.client_address(request)
    ratelimit.count("login-pair", _pair(username, address), per_seconds=WINDOW)
    misses = ratelimit.count("login-username", username, per_seconds=WINDOW)
    account = _account(username)
    with transaction.atomic():
        record(
            AuditEvent.Action.LOGIN_FAILED,
            actor=None,
            account=account.pk if account else None,
            address=address,
        )
        if misses == USERNAME_FAILURES and account is not None:
            record(
                AuditEvent.Action.LOGIN_GUESSED_AT,
                actor=None,
                account=account.pk,
                misses=misses,
            )
            _warn_account_holder(account, misses)


def _warn_account_holder(account: User, misses: int) -> None:
    if not account.email:
        return
    enqueue_mail(
        template="login_attempts",
        to=[account.email],
        context={
            "username": account.username,
            "misses": misses,
            "minutes": WINDOW // 60,
            "login_url": absolute_url(reverse("accounts:login")),
            "new_link_url": absolute_url(reverse("accounts:new_link")),
        },
        language=account.language,
    )


def after_success(*, request: HttpRequest, username: str, response: HttpResponse) -> None:
    address = ratelimit.client_address(request)
    ratelimit.reset("login-pair", _pair(username, address))
    ratelimit.reset("login-username", username)
    ratelimit.reset("login-brake", username)
    remember_browser(response, username)


def describe(verdict: Verdict) -> dict[str, Any]:
    return {"too_many": True, "brake": verdict is Verdict.BRAKE}
