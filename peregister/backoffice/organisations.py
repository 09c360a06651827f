"""The register's decisions on organisations: authorise, reject, suspend, reinstate.

Each is a conditional UPDATE on the organisation's current status (a second click or a
concurrent decision finds nothing left to change), audited in the same transaction; the
beheerder is mailed after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.reasons import clean_reason
from peregister.core.refusals import Refused
from peregister.notifications.mail import absolute_url, enqueue_mail
from peregister.organisations.models import Contact, Organisation

Role = Contact.Role
Status = Organisation.Status


def _change_status(
    *,
    actor: Any,
    organisation: Organisation,
    allowed_from: set[str],
    to: str,
    action: AuditEvent.Action,
    reason: str = "",
) -> Organisation:
    require_staff(actor)
    now = clock.now()
    # The status is changed with a conditional update, so a second click or a concurrent
    # decision finds nothing left to change.
    try:
        with transaction.atomic():
            changed = Organisation.objects.filter(
                pk=organisation.pk, status__in=allowed_from
            ).update(status=to, status_changed_at=now, status_reason=reason)
    except IntegrityError as exc:
        # Requests may share a KvK number; only one organisation with it can be live.
        raise Refused(
            _(
                "Er is al een geautoriseerde of geschorste organisatie met dit KvK-nummer. "
                "Wijs deze aanvraag af."
            )
        ) from exc
    if not changed:
        raise Refused(_("Deze actie past niet bij de huidige status van de organisatie."))
    organisation.refresh_from_db()
    record(action, actor=actor, organisation=organisation, status=to)
    return organisation


def _administrator(organisation: Organisation) -> Contact | None:
    return organisation.contacts.filter(role=Role.ADMINISTRATOR).select_related("user").first()


def mail_administrator(organisation: Organisation, template: str, **context: Any) -> None:
    """Mail the account holder's beheerder (also a provider's: accreditation decisions)."""
    administrator = _administrator(organisation)
    if administrator is None:
        return
    enqueue_mail(
        template=template,
        to=[administrator.email],
        context={
            "name": administrator.name,
            "organisation": organisation.name,
            "provider": organisation.is_provider,
            "login_url": absolute_url(reverse("accounts:login")),
            **context,
        },
        language=administrator.user.language,
    )


def authorise_organisation(*, actor: Any, organisation: Organisation, seen: str) -> Organisation:
    """Flow 3: *autoriseren*; the beheerder gets the *autorisatiebevestiging*.

    ``seen`` is the ``review_fingerprint`` of the page staff decided on: what is authorised is
    what staff saw, not something the employer changed in the meantime.
    """
    with transaction.atomic():
        require_staff(actor)
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if current.review_fingerprint() != seen:
            raise Refused(
                _(
                    "De gegevens van deze organisatie zijn gewijzigd sinds u de pagina opende. "
                    "Bekijk ze opnieuw en beslis dan."
                ),
                conflict=True,
            )
        _change_status(
            actor=actor,
            organisation=organisation,
            allowed_from={Status.REQUESTED},
            to=Status.AUTHORISED,
            action=AuditEvent.Action.ORGANISATION_AUTHORISED,
        )
        mail_administrator(organisation, "organisation_authorised")
    return organisation


def reject_organisation(*, actor: Any, organisation: Organisation, reason: str) -> Organisation:
    reason = clean_reason(reason, required=False)
    if not reason:
        raise Refused(_("Vul een reden in; de werkgever krijgt die per e-mail."), field="reason")
    with transaction.atomic():
        _change_status(
            actor=actor,
            organisation=organisation,
            allowed_from={Status.REQUESTED},
            to=Status.REJECTED,
            action=AuditEvent.Action.ORGANISATION_REJECTED,
            reason=reason,
        )
        mail_administrator(organisation, "organisation_rejected", reason=reason)
    return organisation


def suspend_organisation(
    *, actor: Any, organisation: Organisation, reason: str = ""
) -> Organisation:
    """Suspended: invisible to professionals; its contacts see no dossiers (the access rule)."""
    with transaction.atomic():
        return _change_status(
            actor=actor,
            organisation=organisation,
            allowed_from={Status.AUTHORISED},
            to=Status.SUSPENDED,
            action=AuditEvent.Action.ORGANISATION_SUSPENDED,
            reason=clean_reason(reason, required=False),
        )


def reinstate_organisation(*, actor: Any, organisation: Organisation) -> Organisation:
    with transaction.atomic():
        return _change_status(
            actor=actor,
            organisation=organisation,
            allowed_from={Status.SUSPENDED},
            to=Status.AUTHORISED,
            action=AuditEvent.Action.ORGANISATION_REINSTATED,
        )
