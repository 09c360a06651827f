from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from peregister.accounts import mfa
from peregister.accounts.guards import allowed
from peregister.accounts.roles import RoleChoice, Roles, request_roles


def role_label(choice: RoleChoice) -> str:
    """How the switcher names a role: professional, or organisation and role there."""
    if choice.contact is None:
        return _("PE-professional")
    return _("%(organisation)s — %(role)s") % {
        "organisation": choice.contact.organisation.name,
        "role": choice.contact.get_role_display(),
    }


def navigation(request: HttpRequest) -> dict[str, object]:
    """The view guards' answers for this user in the acting role: the menu shows only what the
    user may open (nothing before the second step: those pages would only send the user back
    to it), and, for a person with more than one role, the roles to switch between."""
    pending = bool(getattr(request, "user", None)) and mfa.needs_second_step(request)
    if pending or not getattr(request, "user", None) or not request.user.is_authenticated:
        roles = Roles()
    else:
        roles = request_roles(request)
    switch = [
        {"key": choice.key, "label": role_label(choice), "current": choice.key == roles.acting_key}
        for choice in roles.choices
    ]
    return {
        "nav_may": allowed(roles),
        "second_step_pending": pending,
        "role_switch": switch if roles.switchable else [],
    }
