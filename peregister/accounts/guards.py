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


def authenticated(view: View) -> View:
    """Any logged-in user; the view itself limits what it shows to the user's own data."""
    return _mark(view, "authenticated")


def _requires(name: str, allowed: Callable[[Roles], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(request_roles(request)):
                raise Http404
            return view(request, *args, **kwargs)

        return _mark(wrapper, name)

    return decorator


professional_only = _requires("professional", lambda roles: roles.professional is not None)
contact_only = _requires(
    "contact", lambda roles: roles.contact is not None and roles.contact.active
)
organisation_manager_only = _requires(
    "organisation_manager", lambda roles: roles.manages_organisation
)
staff_only = _requires("staff", lambda roles: roles.is_staff)
