"""Every view declares who may open it; a test walks the URLconf and fails on any that does not.

Pages a role may not use answer 404, like anything else that is not theirs.
Dossier visibility itself is not decided here but in ``peregister.access.policies``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponseBase

from peregister.accounts.roles import Roles, request_roles

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

POLICY_ATTRIBUTE = "view_policy"


def _mark(view: Any, name: str) -> Any:
    setattr(view, POLICY_ATTRIBUTE, name)
    return view


def public(view: View) -> View:
    """Open to anyone, logged in or not (login page, account request, set-password)."""
    return _mark(login_not_required(view), "public")


def mark_api(view: View) -> View:
    """An API view: it authenticates each request by API key itself (no session, no login
    page) and answers 401 in JSON; the views only ever show the key's own provider's data."""
    return _mark(login_not_required(view), "api_key")


def authenticated(view: View) -> View:
    """Any logged-in user; the view itself limits what it shows to the user's own data."""
    return _mark(view, "authenticated")


# Set on the few pages a logged-in session may open before its second step (that step's own
# pages, logging out); ``middleware.SecondFactorMiddleware`` sends every other page there.
BEFORE_SECOND_STEP = "open_before_second_step"


def second_step(view: View) -> View:
    """Any logged-in user, also before the second factor (set-up, verification, logout)."""
    setattr(view, BEFORE_SECOND_STEP, True)
    return _mark(view, "authenticated")


# Set on the few POST views that are about the session, not about a role (the role switch
# itself, logging out): ``middleware.ActingRoleFormMiddleware`` lets them through whatever role
# the sending page was rendered in.
ANY_ACTING_ROLE = "accepts_any_acting_role"


def any_acting_role(view: View) -> View:
    """A POST that may be sent from a page rendered in another role than the acting one."""
    setattr(view, ANY_ACTING_ROLE, True)
    return view


# What each guard asks of the user's roles; the navigation shows a menu section only where
# its guard lets the user in (``context_processors.navigation``).
GUARDS: dict[str, Callable[[Roles], bool]] = {
    "professional": lambda roles: roles.professional is not None,
    "contact": lambda roles: roles.active_contact is not None,
    # Before authorisation (and while suspended) *Professionals* and the *rapportage* have
    # nothing to show: the menu does not offer them and they answer like any page not yours.
    "employer_insight": lambda roles: roles.sees_dossiers,
    "organisation_manager": lambda roles: roles.manages_organisation,
    "report": lambda roles: roles.gets_report,
    "staff": lambda roles: roles.is_staff,
    # A training provider's user (authorised provider): activities, sessions, attendance.
    "provider": lambda roles: roles.provides,
    # Its beheerder or 2e contactpersoon: the API keys too.
    "provider_manager": lambda roles: roles.manages_provider,
}


def allowed(roles: Roles) -> dict[str, bool]:
    """Every guard's answer for ``roles``, by guard name."""
    return {name: check(roles) for name, check in GUARDS.items()}


def _requires(name: str) -> Callable[[View], View]:
    check = GUARDS[name]

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not check(request_roles(request)):
                raise Http404
            return view(request, *args, **kwargs)

        return _mark(wrapper, name)

    return decorator


professional_only = _requires("professional")
contact_only = _requires("contact")
employer_insight_only = _requires("employer_insight")
organisation_manager_only = _requires("organisation_manager")
report_only = _requires("report")
staff_only = _requires("staff")
provider_only = _requires("provider")
provider_manager_only = _requires("provider_manager")
