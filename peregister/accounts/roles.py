"""What a logged-in user is in this product: professional, employer contact, register staff.

The professional record and the contact (with its organisation) arrive with ``request.user``
in one query (``backends.UserWithRolesBackend``), so knowing the roles costs no query of its
own on any page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest

if TYPE_CHECKING:  # only for the types: accounts sits below the apps that own these models
    from peregister.organisations.models import Contact
    from peregister.registry.models import Professional

# Relations followed from the user; ``UserWithRolesBackend`` selects them with the user.
ROLE_RELATIONS = ("professional", "contact__organisation")


@dataclass(frozen=True)
class Roles:
    professional: Professional | None = None
    contact: Contact | None = None
    is_staff: bool = False

    @property
    def active_contact(self) -> Contact | None:
        """The contact, while it may act (an inactive contact sees no employer page)."""
        return self.contact if self.contact is not None and self.contact.active else None

    @property
    def manages_organisation(self) -> bool:
        return self.contact is not None and self.contact.manages_organisation

    @property
    def sees_dossiers(self) -> bool:
        """An active contact of an authorised employer: *Professionals* can show someone."""
        contact = self.active_contact
        return contact is not None and contact.organisation.takes_grants

    @property
    def provides(self) -> bool:
        """An active user of an authorised training provider: its activities and attendance."""
        contact = self.active_contact
        return (
            contact is not None
            and contact.organisation.is_provider
            and contact.organisation.is_authorised
        )

    @property
    def manages_provider(self) -> bool:
        """The provider's beheerder (or 2e contactpersoon): its API keys too."""
        return self.provides and self.manages_organisation

    @property
    def privileged(self) -> bool:
        """Register staff, beheerder or 2e contactpersoon: they see many people's data, so a
        second factor is mandatory and an idle session ends sooner."""
        return self.is_staff or self.manages_organisation

    @property
    def gets_report(self) -> bool:
        """The *rapportage*: beheerder or 2e contactpersoon of an authorised organisation."""
        return self.manages_organisation and self.sees_dossiers


def _related(user: Any, name: str) -> Any:
    try:
        return getattr(user, name)
    except ObjectDoesNotExist:  # a reverse one-to-one that does not exist
        return None


def is_register_staff(user: Any) -> bool:
    """Register staff: a logged-in, active staff user. The one staff predicate: the role, the
    services' ``require_staff`` and the policy's staff clause all read it."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def roles_of(user: Any) -> Roles:
    if user is None or not user.is_authenticated:
        return Roles()
    return Roles(
        professional=_related(user, "professional"),
        contact=_related(user, "contact"),
        is_staff=is_register_staff(user),
    )


def request_roles(request: HttpRequest) -> Roles:
    """Roles of the request's user, looked up once per request."""
    cached: Roles | None = getattr(request, "_pe_roles", None)
    if cached is None:
        cached = roles_of(getattr(request, "user", None))
        request._pe_roles = cached  # type: ignore[attr-defined]
    return cached


def request_professional(request: HttpRequest) -> Professional:
    """The request's professional; 404 for anyone else (behind ``professional_only`` that
    cannot happen, but the type says so)."""
    professional = request_roles(request).professional
    if professional is None:
        raise Http404
    return professional
