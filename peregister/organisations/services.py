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
from peregister.accounts.services import (
    create_account,
    login_accounts,
    mail_set_password_link,
    renewed_set_password_link,
    set_password_topic,
)
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, ratelimit
from peregister.core.refusals import Refused
from peregister.notifications.mail import (
    CannotResend,
    absolute_url,
    delivery_state,
    enqueue_mail,
)
from peregister.notifications.models import OutboxMessage
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
    e-mail address, still open) is one request, and the page's promise of a mail is kept:
    while its beheerder has not taken the role into use (a declined or expired offer, an
    unused set-password link) the invitation is sent again, for both kinds alike.
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
            if other.status != Organisation.Status.REQUESTED:
                continue
            asked = (
                other.contacts.select_for_update()
                .select_related("organisation", "user")
                .filter(email__iexact=requester_email)
                .first()
            )
            if asked is not None:
                if not taken_into_use(asked) and not _invitation_pending(asked):
                    # Within the hourly limit; beyond it the mail of this hour keeps the promise.
                    _invite_again(actor=actor, contact=asked)
                return other
        organisation = Organisation(kind=kind, kvk_number=kvk_number, **data.__dict__)
        organisation.save()
        # One person, one account: an address that already has one gets the beheerder role
        # offered to that account (confirmed through a link mailed there), not a second one.
        existing = _existing_account(requester_email)
        user = existing or _create_user(
            username=_free_username(username),
            email=requester_email,
            name=requester_name,
            language=language,
        )
        contact = Contact.objects.create(
            organisation=organisation,
            user=user,
            role=Role.ADMINISTRATOR,
            kind=Contact.Kind.PERSON,
            name=requester_name,
            email=requester_email,
            offer=Contact.Offer.PENDING if existing is not None else Contact.Offer.ACCEPTED,
        )
        record(
            AuditEvent.Action.ACCOUNT_REQUESTED,
            actor=actor,
            organisation=organisation,
            contact=contact,
            kvk_number=kvk_number,
            kind=kind,
            offered_to_existing_account=existing is not None,
        )
        _mail_invitation(contact)
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
        _mail_invitation(contact)
    return contact


def _mail_invitation(contact: Contact) -> None:
    """The one mail that asks a contact's person to take the role into use: a role offer to an
    existing account (accept or decline), else the new account's set-password link. Adding,
    resending and an account request all send it through here; which of the two it is shows
    only in the person's mailbox, never on the beheerder's page."""
    topic = invitation_topic(contact)
    if not contact.accepted:
        _mail_role_offer(contact, to=contact.email)
    elif contact.role == Role.ADMINISTRATOR and not contact.organisation.is_authorised:
        mail_set_password_link(
            user=contact.user,
            template="account_created",
            topic=topic,
            organisation=contact.organisation.name,
            provider=contact.organisation.is_provider,
        )
    else:
        mail_set_password_link(
            user=contact.user,
            template="contact_added",
            topic=topic,
            organisation=contact.organisation.name,
        )


INVITATION_TOPIC = "invitation"
REPLACED_MESSAGE = _(
    "Deze e-mail is vervangen door een nieuwere e-mail met hetzelfde doel; "
    "opnieuw versturen is niet nodig."
)


def invitation_topic(contact: Contact) -> str:
    """The outbox topic of the mails that invite ``contact``'s person (``_mail_invitation``),
    which the beheerder's page reads. A role offered to an account that existed before has a
    topic of its own (both kinds of mail, before and after accepting), so the page never shows
    the register's other mail to that account (another role's). A new account made for this
    contact keeps the account's set-password topic: all its links are this invitation's, and
    a link the person asks for later replaces it there (``notifications.mail.replaced``)."""
    if contact.accepted and contact.offer_answered_at is None:  # made with its account
        return set_password_topic(contact.user_id)
    return f"{INVITATION_TOPIC}:{contact.pk}"


def renew_invitation_link(message: OutboxMessage) -> dict[str, Any]:
    """A fresh link for a failed invitation that the register sends again
    (``notifications.mail.resend``); none once it is no longer needed."""
    raw_pk = message.topic.partition(":")[2]
    contact = (
        Contact.objects.select_related("organisation", "user").filter(pk=int(raw_pk)).first()
        if raw_pk.isascii() and raw_pk.isdigit()
        else None
    )
    if contact is None or not contact.user.is_active:
        raise CannotResend(str(_("Deze contactpersoon of zijn account bestaat niet meer.")))
    if "offer_url" not in message.secret_keys:
        newer = OutboxMessage.objects.filter(
            topic=set_password_topic(contact.user_id), pk__gt=message.pk
        )
        if newer.exists():
            # A fresh link would kill the newer one the person asked for meanwhile.
            raise CannotResend(str(REPLACED_MESSAGE))
        return renewed_set_password_link(contact.user)
    if contact.offer != Contact.Offer.PENDING:
        raise CannotResend(str(_("De rol is inmiddels beantwoord; een nieuwe link is niet nodig.")))
    return {"offer_url": _offer_url(contact)}


def _invitation_pending(contact: Contact) -> bool:
    """Is the contact's last invitation still on its way or usable: its link unused and not
    expired, its mail not failed? Then asking again (a double submit) sends nothing new."""
    if contact.accepted:
        live = tokens.has_live_link(contact.user)
    else:
        live = tokens.has_live_link(
            contact.user, purpose=tokens.Purpose.ACCEPT_ROLE, subject=str(contact.code)
        )
    mail = delivery_state(invitation_topic(contact))
    return live and mail is not None and mail.state != OutboxMessage.State.FAILED


def taken_into_use(contact: Contact) -> bool:
    """Has the contact's person taken the role into use: accepted it, and able to log in (a
    password, or a linked single sign-on identity)? A new account and an existing person's
    offered role are alike until then, so the beheerder's pages read only this (ASVS 2.5.x:
    nobody learns whether an address already had an account)."""
    if not contact.accepted:
        return False
    return contact.user.has_usable_password() or contact.user.sso_identities.exists()


def _existing_account(email: str) -> User | None:
    """The account ``email`` already belongs to (the oldest, if several share it); register
    staff accounts are never offered an employer's role."""
    accounts = [user for user in login_accounts(email.strip().lower()) if not user.is_staff]
    return min(accounts, key=lambda user: user.pk) if accounts else None


# --- a role offered to an existing account ---------------------------------------------------

# Why a role link cannot be used, as the page says it.
ROLE_LINK_MESSAGES = {
    tokens.TokenState.USED: _(
        "Deze link is al gebruikt: een link om een rol te bevestigen werkt maar één keer."
    ),
    tokens.TokenState.EXPIRED: _(
        "Deze link is verlopen, of er is inmiddels een nieuwere verstuurd. Vraag de beheerder "
        "van de organisatie om de uitnodiging opnieuw te versturen."
    ),
    tokens.TokenState.UNKNOWN: tokens.UNUSABLE_MESSAGES[tokens.TokenState.UNKNOWN],
}


def _offer_url(contact: Contact) -> str:
    """A fresh single-use link for ``contact``'s role (earlier ones stop working)."""
    raw = tokens.issue_token(
        contact.user, purpose=tokens.Purpose.ACCEPT_ROLE, subject=str(contact.code)
    )
    return absolute_url(reverse("onboarding:role_offer", kwargs={"token": raw}))


def _mail_role_offer(contact: Contact, *, to: str) -> None:
    """Mail the person a single-use link to accept (or decline) ``contact``'s role; it leaves
    on commit. The link is a secret: the outbox drops it once delivered or failed."""
    enqueue_mail(
        template="role_offered",
        to=[to],
        context={
            "name": contact.name,
            "organisation": contact.organisation.name,
            "role": str(contact.get_role_display()),
            "offer_url": _offer_url(contact),
            # The beheerder role is only offered to the one who asked for the account.
            "requested": contact.role == Role.ADMINISTRATOR,
            "hours": int(tokens.link_lifetime().total_seconds() // 3600),
        },
        language=contact.user.language,
        topic=invitation_topic(contact),
        secret_keys=["offer_url"],
    )


@dataclass(frozen=True)
class RoleOffer:
    """What a role link offers: its state, and while usable its token and the offered contact."""

    state: tokens.TokenState
    token: SetPasswordToken | None = None
    contact: Contact | None = None
    # Opened by a logged-in account that is not the one the role was offered to.
    wrong_account: bool = False
    # Opened by someone not logged in: only the invited account, logged in, answers.
    login_needed: bool = False


WRONG_ACCOUNT_MESSAGE = _(
    "Deze link is bedoeld voor een ander account dan het account waarmee u nu bent ingelogd. "
    "Log uit en log in met het account waaraan de rol is aangeboden; de link opent dan de rol."
)
LOGIN_NEEDED_MESSAGE = _(
    "Log in met het account waaraan de rol is aangeboden om de rol te accepteren of af te wijzen."
)


def _is_other_account(actor: Any, token: SetPasswordToken) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.pk != token.user_id


def _record_wrong_account(actor: Any, contact: Contact) -> None:
    """A role link answered by another logged-in account: a security event (ASVS 7.1.3), no
    change. Its own transaction, so it is kept when the caller refuses. Only an answer is
    recorded, not opening the link (a cross-site image of it would name any visitor)."""
    with transaction.atomic():
        record(
            AuditEvent.Action.ROLE_OFFER_WRONG_ACCOUNT,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
        )


def open_role_offer(*, actor: Any, raw: str) -> RoleOffer:
    """What a role link offers to the request's ``actor``: only the account the role was
    offered to, logged in, may answer it (ASVS 4.1.2). Someone not logged in logs in first
    (``login_needed``); another logged-in account is told to log out (``wrong_account``)."""
    offer = inspect_role_offer(raw)
    if offer.token is None or offer.contact is None:
        return offer
    if not getattr(actor, "is_authenticated", False):
        return RoleOffer(offer.state, offer.token, offer.contact, login_needed=True)
    if _is_other_account(actor, offer.token):
        return RoleOffer(offer.state, offer.token, offer.contact, wrong_account=True)
    return offer


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


WRONG_ACCOUNT = "wrong_account"
LOGIN_NEEDED = "login_needed"


def answer_role_offer(*, actor: Any, raw_token: str, accept: bool) -> Contact | None:
    """Accept (the role gives access from now on) or decline (the offered contact stays,
    inactive, without access) through the mailed link, all or nothing; the link is used up
    either way. Returns the accepted contact, None after declining.

    Only the account the role was offered to, logged in, answers (ASVS 4.1.2): someone not
    logged in is refused, another logged-in account is refused and recorded, and nothing
    changes."""
    opened = open_role_offer(actor=actor, raw=raw_token)
    if opened.login_needed:
        raise Refused(LOGIN_NEEDED_MESSAGE, code=LOGIN_NEEDED)
    if opened.wrong_account and opened.contact is not None:
        _record_wrong_account(actor, opened.contact)
        raise Refused(WRONG_ACCOUNT_MESSAGE, code=WRONG_ACCOUNT)
    with transaction.atomic():
        offer = inspect_role_offer(raw_token)
        if offer.contact is None or offer.token is None:
            raise Refused(ROLE_LINK_MESSAGES[offer.state], code=offer.state.value)
        if not tokens.consume(offer.token):  # a concurrent answer won
            state = inspect_role_offer(raw_token).state
            raise Refused(ROLE_LINK_MESSAGES[state], code=state.value, conflict=True)
        contact = Contact.objects.select_for_update().get(pk=offer.contact.pk)
        organisation = offer.contact.organisation
        if not accept:
            contact.offer = Contact.Offer.DECLINED
            contact.offer_answered_at = clock.now()
            contact.declines += 1
            # A declined role gives nothing anyway; the beheerder of a requested organisation
            # stays "active" (there is always one active beheerder, a database constraint).
            contact.active = contact.role == Role.ADMINISTRATOR
            contact.save(update_fields=["offer", "offer_answered_at", "declines", "active"])
            record(
                AuditEvent.Action.ROLE_DECLINED,
                actor=actor,
                organisation=organisation,
                contact=contact,
                role=contact.role,
            )
            return None
        contact.offer = Contact.Offer.ACCEPTED
        contact.offer_answered_at = clock.now()
        if contact.declines:
            # Made inactive by the decline; offered again, it is active once accepted.
            contact.active = True
        contact.save(update_fields=["offer", "offer_answered_at", "active"])
        record(
            AuditEvent.Action.ROLE_ACCEPTED,
            actor=actor,
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
        if not taken_into_use(to):
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


# Resending an invitation: per contact and hour, like the other mailed links (a beheerder
# cannot flood a person's mailbox).
RESENDS_PER_HOUR = 3
HOUR = 3600


# A role declined this many times is not offered again by its organisation: one more offer
# after a first "no" (a mistake, a changed mind), none after the second.
MAX_DECLINES = 2


def declined_for_good(contact: Contact) -> bool:
    return contact.offer == Contact.Offer.DECLINED and contact.declines >= MAX_DECLINES


def can_resend_invitation(contact: Contact, *, in_use: bool | None = None) -> bool:
    """A contact whose person has not taken the role into use (a pending, expired or once
    declined offer, or a new account without a password) can be invited again; the same
    answer for both kinds, so the page offers the same button (ASVS 2.5.x). A role declined
    ``MAX_DECLINES`` times is not offered again. ``in_use``: ``taken_into_use`` if the caller
    has it already (a query saved)."""
    if in_use is None:
        in_use = taken_into_use(contact)
    return not in_use and not declined_for_good(contact)


def _invite_again(*, actor: Any, contact: Contact) -> bool:
    """A fresh invitation (the earlier links stop working, ``tokens.issue_token``), at most
    ``RESENDS_PER_HOUR`` per contact; a declined offer is pending again, the contact still
    inactive until accepted. False, and nothing sent, beyond the limit. ``contact`` is locked
    by the caller."""
    if not ratelimit.hit(
        "invitation_resend", str(contact.pk), limit=RESENDS_PER_HOUR, per_seconds=HOUR
    ):
        return False
    if contact.offer == Contact.Offer.DECLINED:
        contact.offer = Contact.Offer.PENDING
        contact.offer_answered_at = None
        contact.save(update_fields=["offer", "offer_answered_at"])
    record(
        AuditEvent.Action.ROLE_OFFER_RESENT,
        actor=actor,
        organisation=contact.organisation,
        contact=contact,
        role=contact.role,
    )
    _mail_invitation(contact)
    return True


def resend_invitation(*, actor: Any, contact: Contact) -> Contact:
    """*Opnieuw versturen* by the organisation's beheerder or 2e contactpersoon. Audited."""
    with transaction.atomic():
        _manager(actor, contact.organisation)
        contact = (
            Contact.objects.select_for_update()
            .select_related("organisation", "user")
            .get(pk=contact.pk)
        )
        if declined_for_good(contact):
            raise Refused(DECLINED_FOR_GOOD_MESSAGE)
        if not can_resend_invitation(contact):
            raise Refused(_("Deze contactpersoon heeft de rol al in gebruik genomen."))
        if not _invite_again(actor=actor, contact=contact):
            raise Refused(
                _(
                    "De uitnodiging is het afgelopen uur al vaak verstuurd. Probeer het over "
                    "een uur opnieuw."
                ),
                code=TOO_MANY,
            )
    return contact


DECLINED_FOR_GOOD_MESSAGE = _(
    "Deze persoon heeft de rol twee keer afgewezen. Het register biedt de rol niet opnieuw aan."
)


TOO_MANY = "too_many"
