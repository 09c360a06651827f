from __future__ import annotations

from django.http import HttpRequest

from peregister.accounts.roles import Roles, request_roles


def navigation(request: HttpRequest) -> dict[str, Roles]:
    """The user's roles, so the menu shows only what the user may open."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_roles": Roles()}
    return {"nav_roles": request_roles(request)}
