"""What a logged-in user is in this product: professional, employer contact, register staff.

One person has one account and may hold several roles: professional, and contact of one or
more organisations. They act in one role at a time, the *acting role*, chosen in the header
(``SESSION_ROLE`` in the session) and resolved once per request (``request_roles``): the
menus, every page guard and every policy decision read that one role only. What a person is
in *any* of their roles decides only what protects the account itself: a beheerder or 2e
contactpersoon anywhere needs the second factor and has the shorter idle timeout.

The professional record arrives with ``request.user`` and the user's contacts (with their
organisations) in one more query (``backends.UserWithRolesBackend``); knowing the roles costs
no further query on any page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest

if TYPE_CHECKING:  # only for the types: accounts sits below the apps that own these models
    from peregister.organisations.models import Contact
    from peregister.registry.models import Professional

# Relation followed from the user with ``select_related``; the contacts are prefetched.
ROLE_RELATIONS = ("professional",)
CONTACTS_RELATION = "contacts"

# The session key holding the acting role's key (``RoleChoice.key``).
SESSION_ROLE = "pe_acting_role"
PROFESSIONAL_KEY = "professional"
CONTACT_KEY_PREFIX = "contact:"
# The longest key: the prefix and a contact's UUID (``User.last_role`` holds one).
ROLE_KEY_LENGTH = 64
# Every POST form of a logged-in person carries the acting role's key in this hidden field (a
# script's POST in this header), so a form opened in one role and sent after a switch in another
# tab is refused instead of acting in the new role (``middleware.ActingRoleFormMiddleware``).
ROLE_FIELD = "acting_role"
ROLE_HEADER = "X-Acting-Role"


@dataclass(frozen=True)
class RoleChoice:
    """One role a person can act in: as professional, or as one of their contacts."""

    key: str
    contact: Contact | None = None

    @property
    def is_professional(self) -> bool:
        return self.contact is None


def contact_key(contact: Contact) -> str:
    return f"{CONTACT_KEY_PREFIX}{contact.code}"


@dataclass(frozen=True)
class Roles:
    """The acting role of a user (``professional`` or ``contact``, never both) and every role
    the user could switch to (``choices``)."""

    professional: Professional | None = None
    contact: Contact | None = None
    is_staff: bool = False
    choices: tuple[RoleChoice, ...] = ()
    acting_key: str = ""
    # A beheerder or 2e contactpersoon in any role (not only the acting one).
    manages_any_organisation: bool = False

    @property
    def switchable(self) -> bool:
        """More than one role: the header shows the switcher."""
        return len(self.choices) > 1

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
        """Register staff, or beheerder or 2e contactpersoon in *any* of the person's roles:
        they can see many people's data whatever role they act in right now, so a second
        factor is mandatory and an idle session ends sooner."""
        return self.is_staff or self.manages_any_organisation

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


def accepted_contacts(user: Any) -> list[Contact]:
    """The user's contacts whose role the user has accepted (a pending offer gives nothing),
    oldest first: the role a person had first stays their default. Uses the prefetched
    contacts when present."""
    contacts = [contact for contact in getattr(user, CONTACTS_RELATION).all() if contact.accepted]
    return sorted(contacts, key=lambda contact: contact.pk)


def _choices(professional: Professional | None, contacts: list[Contact]) -> tuple[RoleChoice, ...]:
    found = [RoleChoice(PROFESSIONAL_KEY)] if professional is not None else []
    # An inactive contact stays a choice: its start page says the role is not active.
    found += [RoleChoice(contact_key(contact), contact) for contact in contacts]
    return tuple(found)


def _default(choices: tuple[RoleChoice, ...]) -> RoleChoice | None:
    """Without a choice: the professional role, else the first active contact, else any."""
    for choice in choices:
        if choice.is_professional:
            return choice
    for choice in choices:
        if choice.contact is not None and choice.contact.active:
            return choice
    return choices[0] if choices else None


def roles_of(user: Any, acting: str | None = None) -> Roles:
    """The user's roles, acting as ``acting`` (a ``RoleChoice.key``) when that is one of them,
    else in the default role. Within a request, the acting role resolved from the session
    travels with ``request.user`` (``request_roles``), so a service handed the request's user
    as ``actor`` decides on the same role as the page."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Roles()
    cached: Roles | None = getattr(user, "_pe_roles", None)
    if cached is not None and acting is None:
        return cached
    professional = _related(user, "professional")
    contacts = accepted_contacts(user)
    choices = _choices(professional, contacts)
    chosen = next((choice for choice in choices if choice.key == acting), None) or _default(choices)
    return Roles(
        professional=professional if chosen is not None and chosen.is_professional else None,
        contact=chosen.contact if chosen is not None else None,
        is_staff=is_register_staff(user),
        choices=choices,
        acting_key=chosen.key if chosen is not None else "",
        manages_any_organisation=any(contact.manages_organisation for contact in contacts),
    )


def acting_as_contact(user: Any, contact: Contact) -> Roles:
    """The user's roles acting for ``contact`` (a job or command that acts for one contact)."""
    return roles_of(user, contact_key(contact))


def act_for(user: Any, contact: Contact) -> Roles:
    """Let ``user`` act for ``contact`` from now on, outside a request (an API key acts for its
    provider): services handed this user object decide on that role."""
    roles = acting_as_contact(user, contact)
    user._pe_roles = roles
    return roles


def act_for_organisation(user: Any, organisation_id: int) -> Roles | None:
    """Let a key's maker act for the key's organisation (``act_for``), if the maker still has
    an accepted role there; None otherwise. Needs the maker's contacts prefetched
    (``contacts__organisation``): the key is found and judged in one query."""
    if not user.is_active:
        return None
    contact = next(
        (c for c in accepted_contacts(user) if c.organisation_id == organisation_id), None
    )
    return act_for(user, contact) if contact is not None else None


def request_roles(request: HttpRequest) -> Roles:
    """Roles of the request's user in the role chosen for this session, resolved once per
    request (``middleware.IdleTimeoutMiddleware`` does it before any view)."""
    cached: Roles | None = getattr(request, "_pe_roles", None)
    if cached is None:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        acting = session.get(SESSION_ROLE) if session is not None else None
        if not isinstance(acting, str) or not acting:
            # A new session (a new login) starts in the role the person chose last, if they
            # still hold it; ``roles_of`` falls back to the default otherwise.
            acting = getattr(user, "last_role", "") or ""
        cached = roles_of(user, acting)
        request._pe_roles = cached  # type: ignore[attr-defined]
        if user is not None and getattr(user, "is_authenticated", False):
            user._pe_roles = cached
    return cached


def request_professional(request: HttpRequest) -> Professional:
    """The request's professional; 404 for anyone else (behind ``professional_only`` that
    cannot happen, but the type says so)."""
    professional = request_roles(request).professional
    if professional is None:
        raise Http404
    return professional


def account_contact(user: Any) -> Contact | None:
    """The contact an audit event about the account names: the acting (or default) one."""
    return roles_of(user).contact
