from __future__ import annotations

from django.http import HttpRequest

from peregister.accounts import mfa
from peregister.accounts.guards import allowed
from peregister.accounts.roles import Roles, request_roles


def navigation(request: HttpRequest) -> dict[str, object]:
    """The view guards' answers for this user: the menu shows only what the user may open
    (nothing before the second step: those pages would only send the user back to it)."""
    pending = bool(getattr(request, "user", None)) and mfa.needs_second_step(request)
    if pending or not getattr(request, "user", None) or not request.user.is_authenticated:
        roles = Roles()
    else:
        roles = request_roles(request)
    return {"nav_may": allowed(roles), "second_step_pending": pending}
