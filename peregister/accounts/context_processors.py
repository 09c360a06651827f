from __future__ import annotations

from django.http import HttpRequest

from peregister.accounts.guards import allowed
from peregister.accounts.roles import Roles, request_roles


def navigation(request: HttpRequest) -> dict[str, dict[str, bool]]:
    """The view guards' answers for this user: the menu shows only what the user may open."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        roles = Roles()
    else:
        roles = request_roles(request)
    return {"nav_may": allowed(roles)}
