"""Who may act: every service checks its actor here, not only the page's view guard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from peregister.accounts.roles import is_register_staff, roles_of
from peregister.core.refusals import Refused

if TYPE_CHECKING:  # only for the types: accounts sits below organisations
    from peregister.organisations.models import Contact


def require_staff(actor: Any) -> None:
    """Register staff only (decisions of the register)."""
    if not is_register_staff(actor):
        raise Refused(_("Alleen het register kan dit doen."))


def require_user(actor: Any, user_id: int | None, message: str) -> None:
    """Only the user ``user_id`` (a professional acting on their own dossier)."""
    if not getattr(actor, "is_authenticated", False) or user_id is None or actor.pk != user_id:
        raise Refused(message)


def require_provider(actor: Any) -> Contact:
    """An active user of an authorised training provider; returns that user's contact (its
    ``organisation`` is the provider the service acts for)."""
    roles = roles_of(actor)
    if not roles.provides or roles.contact is None:
        raise Refused(_("Alleen een gebruiker van een geautoriseerde aanbieder kan dit doen."))
    return roles.contact


def require_provider_manager(actor: Any) -> Contact:
    """The provider's beheerder or 2e contactpersoon (API keys)."""
    contact = require_provider(actor)
    if not contact.manages_organisation:
        raise Refused(_("Alleen de beheerder van de aanbieder kan dit doen."))
    return contact
