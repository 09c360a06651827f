"""Every write on organisations and contacts: one transaction, an audit event, mail on commit.

Rules (also in the database where a constraint can say it): exactly one beheerder per
organisation and at most one 2e contactpersoon; the beheerder role only moves by handover,
so the last beheerder can never be removed or demoted; nobody raises their own role.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peregister.accounts import tokens
from peregister.accounts.models import SetPasswordToken, User
from peregister.accounts.services import create_account, login_accounts, mail_set_password_link
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.notifications.mail import absolute_url, enqueue_mail
from peregister.organisations.models import Contact, Organisation

Role = Contact.Role
Status = Organisation.Status
RANK = {Role.CONTACT: 0, Role.DEPUTY: 1, Role.ADMINISTRATOR: 2}


@dataclass(frozen=True)
class OrganisationData:
    name: str
    street: str
    postcode: str
    city: str
    phone: str
    email: str


def _create_user(*, username: str, email: str, name: str, language: str) -> User:
    """An account without a usable password: it is set through the mailed link."""
    return create_account(username=username, email=email, name=name, language=language)


def request_account(
    *,
    actor: Any,
    kind: str,
    data: OrganisationData,
    kvk_number: str,
    requester_name: str,
    requester_email: str,
    username: str,
    language: str = "nl",
) -> Organisation:
    """Flow 1, for an employer or a training provider (``kind``): the account holder
    *requested*, its beheerder without password, and the mail with the set-password link.

    The page answers the same whether the KvK number or the username is known (no oracle of
    who is registered): a taken username gets a free variant (the mail says which), and the
    beheerder of another account of the same kind with the same KvK number is told by e-mail;
    staff see the duplicate hint. The same request sent twice (same KvK number, kind and
    e-mail address, still open) is one request.
    """
    if kind not in Organisation.Kind.values:
        raise Refused(_("Kies werkgever of aanbieder."), field="kind")
    with transaction.atomic():
        others = list(
            Organisation.objects.filter(kvk_number=kvk_number, kind=kind)
            .exclude(status=Organisation.Status.REJECTED)
            .order_by("id")
        )
        for other in others:
            if (
                other.status == Organisation.Status.REQUESTED
                and other.contacts.filter(email__iexact=requester_email).exists()
            ):
                return other
        organisation = Organisation(kind=kind, kvk_number=kvk_number, **data.__dict__)
        organisation.save()
        username = _free_username(username)
        user = _create_user(
            username=username, email=requester_email, name=requester_name, language=language
        )
        contact = Contact.objects.create(
            organisation=organisation,
            user=user,
            role=Role.ADMINISTRATOR,
            kind=Contact.Kind.PERSON,
            name=requester_name,
            email=requester_email,
        )
        record(
            AuditEvent.Action.ACCOUNT_REQUESTED,
            actor=actor,
            organisation=organisation,
            contact=contact,
            kvk_number=kvk_number,
            kind=kind,
        )
        mail_set_password_link(
            user=user,
            template="account_created",
            organisation=organisation.name,
            provider=organisation.is_provider,
        )
        for other in others:
            if other.status != Organisation.Status.REQUESTED:
                _tell_existing_administrator(other)
    return organisation


def _free_username(wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… if taken (in any letter case)."""
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=wanted).values_list(
            "username", flat=True
        )
    }
    candidate, number = wanted, 1
    while candidate.lower() in taken:
        number += 1
        suffix = f"-{number}"
        candidate = f"{wanted[: 150 - len(suffix)]}{suffix}"
    return candidate


def _tell_existing_administrator(organisation: Organisation) -> None:
    administrator = (
        organisation.contacts.filter(role=Role.ADMINISTRATOR, active=True)
        .select_related("user")
        .first()
    )
    if administrator is None:
        return
    enqueue_mail(
        template="kvk_requested_again",
        to=[administrator.email],
        context={
            "name": administrator.name,
            "organisation": organisation.name,
            "kvk_number": organisation.kvk_number,
            "login_url": absolute_url(reverse("accounts:login")),
        },
        language=administrator.user.language,
    )


def request_employer_account(**kwargs: Any) -> Organisation:
    """*Aanvragen account collectieve werkgever*."""
    return request_account(kind=Organisation.Kind.EMPLOYER, **kwargs)


def request_provider_account(**kwargs: Any) -> Organisation:
    """*Account aanvragen aanbieder*."""
    return request_account(kind=Organisation.Kind.PROVIDER, **kwargs)


# --- the organisation's own administration ---------------------------------------------------


def _manager(actor: Any, organisation: Organisation) -> Contact:
    """The actor's own contact, if it manages ``organisation``; anything else is refused."""
    contact = (
        Contact.objects.filter(user=actor, organisation=organisation)
        .select_related("organisation")
        .first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if contact is None or not contact.manages_organisation:
        raise Refused(_("Alleen de beheerder en de 2e contactpersoon kunnen dit doen."))
    # Read fresh with the contact: a suspension decided a moment ago already counts.
    if contact.organisation.status == Organisation.Status.SUSPENDED:
        raise Refused(suspended_message())
    return contact


def suspended_message() -> str:
    return str(
        _(
            "Uw organisatie is geschorst door het register. Zolang de schorsing duurt kunt u "
            "de organisatiegegevens en de contactpersonen niet wijzigen. Neem contact op met "
            "het register."
        )
    )


def update_organisation(
    *, actor: Any, organisation: Organisation, data: OrganisationData
) -> Organisation:
    with transaction.atomic():
        _manager(actor, organisation)
        changed = sorted(
            field for field, value in data.__dict__.items() if getattr(organisation, field) != value
        )
        for field, value in data.__dict__.items():
            setattr(organisation, field, value)
        organisation.save(update_fields=list(data.__dict__))
        record(
            AuditEvent.Action.ORGANISATION_UPDATED,
            actor=actor,
            organisation=organisation,
            fields=changed,
        )
    return organisation


def _deputy_taken_message(organisation: Organisation, exclude: Contact | None = None) -> str:
    deputy = organisation.contacts.filter(role=Role.DEPUTY)
    if exclude is not None:
        deputy = deputy.exclude(pk=exclude.pk)
    existing = deputy.first()
    name = existing.name if existing else ""
    return str(
        _("Er is al een 2e contactpersoon (%(name)s). Geef die eerst een andere rol.")
        % {"name": name}
    )


def add_contact(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    name: str,
    email: str,
    role: str,
    username: str,
    language: str = "nl",
) -> Contact:
    """*toevoegen beheerder*: account plus the same username + set-password e-mail."""
    if role not in (Role.DEPUTY, Role.CONTACT):
        raise Refused(_("Kies de rol 2e contactpersoon of contactpersoon."))
    with transaction.atomic():
        _manager(actor, organisation)
        if organisation.status != Status.AUTHORISED:
            # Otherwise anyone could request an account and make the register mail strangers.
            raise Refused(
                _(
                    "Contactpersonen toevoegen kan zodra het register uw organisatie heeft "
                    "geautoriseerd."
                )
            )
        if role == Role.DEPUTY and organisation.contacts.filter(role=Role.DEPUTY).exists():
            raise Refused(_deputy_taken_message(organisation))
        existing = _existing_account(email)
        if existing is not None and organisation.contacts.filter(user=existing).exists():
            # Already one of this organisation's own contacts, whom the beheerder sees listed.
            raise Refused(_("Deze persoon is al contactpersoon van uw organisatie."), field="email")
        user = existing or _create_user(
            username=_free_username(username), email=email, name=name, language=language
        )
        try:
            with transaction.atomic():
                contact = Contact.objects.create(
                    organisation=organisation,
                    user=user,
                    role=role,
                    kind=kind,
                    name=name,
                    email=email,
                    # A new account's own set-password link is its confirmation; an existing
                    # account's person accepts the role first (``answer_role_offer``).
                    offer=Contact.Offer.PENDING if existing is not None else Contact.Offer.ACCEPTED,
                )
        except IntegrityError as exc:
            raise Refused(_deputy_taken_message(organisation)) from exc
        record(
            AuditEvent.Action.CONTACT_ADDED,
            actor=actor,
            organisation=organisation,
            contact=contact,
            role=role,
            offered_to_existing_account=existing is not None,
        )
        if existing is not None:
            _mail_role_offer(contact, to=email)
        else:
            mail_set_password_link(
                user=user, template="contact_added", organisation=organisation.name
            )
    return contact


def _existing_account(email: str) -> User | None:
    """The account ``email`` already belongs to (the oldest, if several share it); register
    staff accounts are never offered an employer's role."""
    accounts = [user for user in login_accounts(email.strip().lower()) if not user.is_staff]
    return min(accounts, key=lambda user: user.pk) if accounts else None


# --- a role offered to an existing account ---------------------------------------------------

ROLE_OFFER_TOPIC = "role-offer"
# Why a role link cannot be used, as the page says it.
ROLE_LINK_MESSAGES = {
    tokens.TokenState.USED: _(
        "Deze link is al gebruikt: een link om een rol te bevestigen werkt maar één keer."
    ),
    tokens.TokenState.EXPIRED: _(
        "Deze link is verlopen. Vraag de beheerder van de organisatie om u opnieuw toe te voegen."
    ),
    tokens.TokenState.UNKNOWN: tokens.UNUSABLE_MESSAGES[tokens.TokenState.UNKNOWN],
}


def role_offer_topic(contact_pk: int) -> str:
    return f"{ROLE_OFFER_TOPIC}:{contact_pk}"


def _mail_role_offer(contact: Contact, *, to: str) -> None:
    """Mail the person a single-use link to accept (or decline) ``contact``'s role; it leaves
    on commit. The link is a secret: the outbox drops it once delivered or failed."""
    raw = tokens.issue_token(
        contact.user, purpose=tokens.Purpose.ACCEPT_ROLE, subject=str(contact.code)
    )
    enqueue_mail(
        template="role_offered",
        to=[to],
        context={
            "name": contact.name,
            "organisation": contact.organisation.name,
            "role": str(contact.get_role_display()),
            "offer_url": absolute_url(reverse("onboarding:role_offer", kwargs={"token": raw})),
            "hours": int(tokens.link_lifetime().total_seconds() // 3600),
        },
        language=contact.user.language,
        topic=role_offer_topic(contact.pk),
        secret_keys=["offer_url"],
    )


@dataclass(frozen=True)
class RoleOffer:
    """What a role link offers: its state, and while usable its token and the offered contact."""

    state: tokens.TokenState
    token: SetPasswordToken | None = None
    contact: Contact | None = None


def inspect_role_offer(raw: str) -> RoleOffer:
    """What a role link offers; a link whose contact is gone or already answered is unknown."""
    inspection = tokens.inspect(raw, purpose=tokens.Purpose.ACCEPT_ROLE)
    if inspection.token is None or inspection.state is not tokens.TokenState.VALID:
        return RoleOffer(inspection.state)
    contact = (
        Contact.objects.select_related("organisation")
        .filter(
            code=inspection.token.subject,
            user_id=inspection.token.user_id,
            offer=Contact.Offer.PENDING,
        )
        .first()
    )
    if contact is None:
        return RoleOffer(tokens.TokenState.UNKNOWN)
    return RoleOffer(tokens.TokenState.VALID, inspection.token, contact)


def answer_role_offer(*, actor: Any, raw_token: str, accept: bool) -> Contact | None:
    """Accept (the role gives access from now on) or decline (the offered contact stays,
    inactive, without access) through the mailed link, all or nothing; the link is used up
    either way. Returns the accepted contact, None after declining."""
    with transaction.atomic():
        offer = inspect_role_offer(raw_token)
        if offer.contact is None or offer.token is None:
            raise Refused(ROLE_LINK_MESSAGES[offer.state], code=offer.state.value)
        if not tokens.consume(offer.token):  # a concurrent answer won
            state = inspect_role_offer(raw_token).state
            raise Refused(ROLE_LINK_MESSAGES[state], code=state.value, conflict=True)
        contact = Contact.objects.select_for_update().get(pk=offer.contact.pk)
        # Whoever holds the link acts as its user; an anonymous actor is recorded as that user.
        who = actor if getattr(actor, "is_authenticated", False) else contact.user
        organisation = offer.contact.organisation
        if not accept:
            contact.offer = Contact.Offer.DECLINED
            contact.offer_answered_at = clock.now()
            contact.active = False
            contact.save(update_fields=["offer", "offer_answered_at", "active"])
            record(
                AuditEvent.Action.ROLE_DECLINED,
                actor=who,
                organisation=organisation,
                contact=contact,
                role=contact.role,
            )
            return None
        contact.offer = Contact.Offer.ACCEPTED
        contact.offer_answered_at = clock.now()
        contact.save(update_fields=["offer", "offer_answered_at"])
        record(
            AuditEvent.Action.ROLE_ACCEPTED,
            actor=who,
            organisation=organisation,
            contact=contact,
            role=contact.role,
        )
    return contact


def change_contact_role(*, actor: Any, contact: Contact, role: str) -> Contact:
    """Between contactpersoon and 2e contactpersoon; the beheerder role only moves by handover."""
    if role not in (Role.DEPUTY, Role.CONTACT):
        raise Refused(_("Kies de rol 2e contactpersoon of contactpersoon."))
    with transaction.atomic():
        me = _manager(actor, contact.organisation)
        contact.refresh_from_db()
        old = contact.role
        if old == role:
            return contact
        if old == Role.ADMINISTRATOR:
            raise Refused(
                _(
                    "De beheerder blijft beheerder tot hij of zij de rol overdraagt aan een "
                    "ander; er is altijd precies één beheerder."
                )
            )
        if contact.pk == me.pk and RANK[Role(role)] > RANK[Role(old)]:
            raise Refused(_("U kunt uw eigen rol niet verhogen."))
        if role == Role.DEPUTY and not contact.active:
            raise Refused(_("Activeer deze contactpersoon eerst."))
        if (
            role == Role.DEPUTY
            and contact.organisation.contacts.filter(role=Role.DEPUTY)
            .exclude(pk=contact.pk)
            .exists()
        ):
            raise Refused(_deputy_taken_message(contact.organisation, exclude=contact))
        contact.role = role
        try:
            with transaction.atomic():
                contact.save(update_fields=["role"])
        except IntegrityError as exc:
            raise Refused(_deputy_taken_message(contact.organisation, exclude=contact)) from exc
        record(
            AuditEvent.Action.CONTACT_CHANGED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            role=[old, role],
        )
    return contact


def set_contact_active(*, actor: Any, contact: Contact, active: bool) -> Contact:
    """Deactivate (no dossiers, invisible to professionals) or reactivate a contact."""
    with transaction.atomic():
        me = _manager(actor, contact.organisation)
        contact.refresh_from_db()
        if contact.active == active:
            return contact
        if not active and contact.role == Role.ADMINISTRATOR:
            raise Refused(
                _("De beheerder kan niet worden gedeactiveerd. Draag eerst de beheerder-rol over.")
            )
        if not active and contact.pk == me.pk:
            raise Refused(_("U kunt uw eigen account niet deactiveren."))
        contact.active = active
        contact.save(update_fields=["active"])
        record(
            AuditEvent.Action.CONTACT_CHANGED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            active=active,
        )
    return contact


def hand_over_administrator(*, actor: Any, to: Contact) -> Contact:
    """The beheerder hands the role to another active contact, who gives back their own role.

    Role changes run in an order that never has two beheerders or two deputies, so the
    database constraints hold at every statement.
    """
    with transaction.atomic():
        me = _manager(actor, to.organisation)
        if me.role != Role.ADMINISTRATOR:
            raise Refused(_("Alleen de beheerder kan de beheerder-rol overdragen."))
        to.refresh_from_db()
        if to.pk == me.pk:
            raise Refused(_("U bent al de beheerder."))
        if not to.active:
            raise Refused(_("Activeer deze contactpersoon eerst."))
        if not to.accepted:
            raise Refused(_("Deze contactpersoon heeft de rol nog niet in gebruik genomen."))
        their_old_role = to.role
        me.role = Role.CONTACT
        me.save(update_fields=["role"])
        to.role = Role.ADMINISTRATOR
        to.save(update_fields=["role"])
        me.role = their_old_role
        me.save(update_fields=["role"])
        for changed, old, new in (
            (to, their_old_role, Role.ADMINISTRATOR),
            (me, Role.ADMINISTRATOR, their_old_role),
        ):
            record(
                AuditEvent.Action.CONTACT_CHANGED,
                actor=actor,
                organisation=to.organisation,
                contact=changed,
                role=[str(old), str(new)],
                handover=True,
            )
    return to
