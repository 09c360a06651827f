"""Who may act: every service checks its actor here, not only the page's view guard."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from peregister.accounts.roles import is_register_staff
from peregister.core.refusals import Refused


def require_staff(actor: Any) -> None:
    """Register staff only (decisions of the register)."""
    if not is_register_staff(actor):
        raise Refused(_("Alleen het register kan dit doen."))


def require_user(actor: Any, user_id: int | None, message: str) -> None:
    """Only the user ``user_id`` (a professional acting on their own dossier)."""
    if not getattr(actor, "is_authenticated", False) or user_id is None or actor.pk != user_id:
        raise Refused(message)
