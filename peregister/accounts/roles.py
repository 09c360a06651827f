"""What a logged-in user is in this product: professional, employer contact, register staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from peregister.organisations.models import Contact
from peregister.registry.models import Professional


@dataclass(frozen=True)
class Roles:
    professional: Professional | None = None
    contact: Contact | None = None
    is_staff: bool = False

    @property
    def manages_organisation(self) -> bool:
        return self.contact is not None and self.contact.manages_organisation


def roles_of(user: Any) -> Roles:
    if user is None or not user.is_authenticated:
        return Roles()
    professional = Professional.objects.filter(user=user).first()
    contact = Contact.objects.select_related("organisation").filter(user=user).first()
    return Roles(
        professional=professional,
        contact=contact,
        is_staff=bool(user.is_active and user.is_staff),
    )


def request_roles(request: HttpRequest) -> Roles:
    """Roles of the request's user, looked up once per request."""
    cached: Roles | None = getattr(request, "_pe_roles", None)
    if cached is None:
        cached = roles_of(getattr(request, "user", None))
        request._pe_roles = cached  # type: ignore[attr-defined]
    return cached
