"""Writes on accounts: setting a password through a link, sending a new link."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from peregister.accounts import tokens
from peregister.accounts.models import User
from peregister.accounts.roles import (
    PROFESSIONAL_KEY,
    ROLE_KEY_LENGTH,
    SESSION_ROLE,
    RoleChoice,
    Roles,
    account_contact,
    roles_of,
)
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core.refusals import Refused
from peregister.notifications.mail import CannotResend, absolute_url, delivery_state, enqueue_mail
from peregister.notifications.models import OutboxMessage


def _link_refused(state: tokens.TokenState) -> Refused:
    """The link cannot be used; ``code`` is the ``TokenState`` value, so the page can explain
    a used or expired link and offer a new one. Used (by a concurrent request) is a conflict."""
    return Refused(
        tokens.UNUSABLE_MESSAGES[state],
        code=state.value,
        conflict=state is tokens.TokenState.USED,
    )


def create_account(*, username: str, email: str, name: str, language: str = "nl") -> User:
    """An account without a usable password: it is set through the mailed link.

    Runs in its own savepoint; a username taken meanwhile is refused (the constraint decides,
    not a read).
    """
    user = User(username=username, email=email, first_name=name[:150], language=language)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Refused(
            _("Deze gebruikersnaam is al in gebruik. Kies een andere."), field="username"
        ) from exc
    return user


SET_PASSWORD_TOPIC = "set-password"  # noqa: S105 - a topic name, not a secret


def set_password_topic(user_pk: int) -> str:
    """The outbox topic of an account's set-password mails: the pages that promised one ask it."""
    return f"{SET_PASSWORD_TOPIC}:{user_pk}"


def set_password_mail(user_pk: int) -> OutboxMessage | None:
    """The latest set-password mail of an account (to show whether it arrived), if any."""
    return delivery_state(set_password_topic(user_pk))


def mail_set_password_link(
    *, user: User, template: str, to: str | None = None, topic: str = "", **context: Any
) -> None:
    """Issue a fresh link for ``user`` and mail it with the username and the login page address.

    ``to``: another address the register holds for the user (a professional's own), else the
    account's. ``topic``: the outbox topic a page reads the mail's delivery by (an
    organisation's invitation has its own), else the account's ``set_password_topic``. Call
    inside the transaction that created or changed the user: the mail leaves on commit. The
    link is a secret: the outbox drops it once the mail is delivered or has failed.
    """
    raw = tokens.issue_token(user)
    enqueue_mail(
        template=template,
        to=[to or user.email],
        context={
            "username": user.username,
            "name": user.get_full_name(),
            "set_password_url": tokens.set_password_url(raw),
            "login_url": absolute_url(reverse("accounts:login")),
            "hours": int(tokens.link_lifetime().total_seconds() // 3600),
            **context,
        },
        language=user.language,
        topic=topic or set_password_topic(user.pk),
        secret_keys=["set_password_url"],
    )


def renew_set_password_link(message: OutboxMessage) -> dict[str, Any]:
    """A fresh link for a failed set-password mail that the register sends again; none for an
    account that is gone or whose user has set a password meanwhile (a new link would only let
    whoever reads that mailbox replace it)."""
    raw_pk = message.topic.partition(":")[2]
    valid = raw_pk.isascii() and raw_pk.isdigit()
    user = User.objects.filter(pk=int(raw_pk), is_active=True).first() if valid else None
    return renewed_set_password_link(user)


def renewed_set_password_link(user: User | None) -> dict[str, Any]:
    """The fresh link of a failed set-password mail sent again (``renew_set_password_link``,
    and an organisation's invitation); refused without an active account needing one."""
    if user is None or not user.is_active:
        raise CannotResend(_("Het account van deze e-mail bestaat niet meer of is niet actief."))
    if user.has_usable_password():
        raise CannotResend(
            _(
                "De gebruiker heeft inmiddels zelf een wachtwoord ingesteld; een nieuwe link is "
                "niet nodig. Wachtwoord vergeten? Dan vraagt de gebruiker zelf een nieuwe link aan."
            )
        )
    return {"set_password_url": tokens.set_password_url(tokens.issue_token(user))}


def _tell_password_changed(user: User) -> None:
    """ASVS 2.2.3: the account holder hears of a changed password (inside the change's
    transaction), so a change they did not make does not go unnoticed."""
    if user.email:
        enqueue_mail(
            template="password_changed",
            to=[user.email],
            context={"username": user.username},
            language=user.language,
        )


def set_password_with_link(*, actor: Any, raw_token: str, password: str) -> User:
    """Set the password of the link's user and use the link up, all or nothing.

    ``password`` must already have passed the password validators (the form does that).
    The user is not logged in: the link alone never opens a session.
    """
    with transaction.atomic():
        inspection = tokens.inspect(raw_token)
        if inspection.token is None or inspection.state is not tokens.TokenState.VALID:
            raise _link_refused(inspection.state)
        if not tokens.consume(inspection.token):
            raise _link_refused(tokens.inspect(raw_token).state)
        user = inspection.token.user
        had_password = user.has_usable_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        if had_password:  # a reset, not a first password
            _tell_password_changed(user)
        # Whoever holds the link acts as its user; an anonymous actor is recorded as that user.
        record(
            AuditEvent.Action.PASSWORD_SET,
            actor=actor if getattr(actor, "is_authenticated", False) else user,
            contact=account_contact(user),
        )
    return user


def send_new_link(*, actor: Any, username_or_email: str) -> int:
    """Mail a new set-password link to every active (non-staff) account matching the input.

    Returns how many were sent, for tests only: the page says the same whatever the count,
    so nobody learns whether an account exists.
    """
    value = username_or_email.strip()
    if not value:
        return 0
    users = list(
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .filter(Q(username__iexact=value) | Q(email__iexact=value))
        .exclude(email="")
    )
    with transaction.atomic():
        for user in users:
            mail_set_password_link(user=user, template="password_link")
            # Asked anonymously: the account the link is for is the subject, not the actor.
            record(
                AuditEvent.Action.PASSWORD_LINK_SENT,
                actor=actor,
                contact=account_contact(user),
                user=user.pk,
            )
    return len(users)


def login_accounts(email: str) -> list[User]:
    """Every active account that uses ``email``: its own address, or (for a professional's
    account without one) the address the register keeps for them. Any kind of user.

    An account's own address wins: a register address changed later (by hand or by an
    import row) never redirects the recovery of an account that already has one (ASVS 2.5).
    """
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(email__iexact=email) | Q(email="", professional__email__iexact=email))
        .distinct()
        .order_by("username", "pk")
    )


def send_login_details(*, actor: Any, email: str) -> int:
    """*Inloggegevens vergeten*: mail each account of ``email`` its username and a fresh
    set-password link (the same single-use links as a new account's).

    Returns how many were sent, for tests only: the page says the same whatever the count.
    The mail goes to the address that was typed, which is the account's (or the professional's)
    own: nothing reaches an address the register does not already hold for that account.
    """
    value = email.strip().lower()
    if not value:
        return 0
    users = login_accounts(value)
    with transaction.atomic():
        for user in users:
            mail_set_password_link(user=user, template="login_details", to=value)
            record(
                AuditEvent.Action.LOGIN_DETAILS_SENT,
                actor=actor,
                contact=account_contact(user),
                user=user.pk,
            )
    return len(users)


def change_password(*, actor: Any, user: User, password: str) -> None:
    """*Wachtwoord wijzigen* by the logged-in user for their own account.

    ``password`` has passed ``AUTH_PASSWORD_VALIDATORS`` and the old password was checked (the
    form does both). The session hash changes with the password, so every other session of the
    account ends; the page keeps the current one (``update_session_auth_hash``).
    """
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise Refused(_("U kunt alleen uw eigen wachtwoord wijzigen."))
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _tell_password_changed(user)
        record(
            AuditEvent.Action.PASSWORD_CHANGED,
            actor=actor,
            contact=account_contact(user),
        )


def switch_role(*, actor: Any, session: SessionBase, key: str) -> RoleChoice:
    """The person chooses the role they act in from now on (one of their own), audited.

    The session holds the choice; the account remembers it too (``User.last_role``), so the
    next login, on any device, starts in it while the person still holds that role (else in
    the default role). A role the person does not hold is refused and recorded as a security
    event (a forged form: ASVS 7.1.3 / 7.2.2).
    """
    roles = roles_of(actor)
    choice = next((choice for choice in roles.choices if choice.key == key), None)
    if choice is None:
        with transaction.atomic():
            record(
                AuditEvent.Action.ROLE_SWITCH_REFUSED,
                actor=actor,
                contact=roles.contact,
                requested=key[:ROLE_KEY_LENGTH],
            )
        raise Refused(_("Kies een van uw eigen rollen."), field="role")
    with transaction.atomic():
        session[SESSION_ROLE] = choice.key
        if actor.last_role != choice.key:
            actor.last_role = choice.key
            actor.save(update_fields=["last_role"])
        contact = choice.contact
        record(
            AuditEvent.Action.ROLE_SWITCHED,
            actor=actor,
            organisation=contact.organisation if contact is not None else None,
            contact=contact,
            role=contact.role if contact is not None else PROFESSIONAL_KEY,
            previous=_audited_role(roles),
        )
    return choice


def _audited_role(roles: Roles) -> str:
    """The acting role as an audit event names it: the contact's code, or professional."""
    return str(roles.contact.code) if roles.contact is not None else PROFESSIONAL_KEY
