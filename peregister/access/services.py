"""Writes on *inzage werkgever*: grant, change the end date, revoke, remind.

Each runs in one transaction with its audit event; e-mail is queued to go out after commit.
Who may *see* a dossier is decided in ``peregister.access.policies``, not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peregister.access.models import AccessGrant
from peregister.accounts.actors import require_user
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, dates
from peregister.core.refusals import Refused
from peregister.notifications.mail import absolute_url, enqueue_mail, mail_professional
from peregister.organisations.models import Contact, Organisation
from peregister.registry.models import Professional


def _require_owner(actor: Any, professional: Professional) -> None:
    # Views already fetch only the user's own grants; this keeps the service safe on its own.
    require_user(
        actor,
        professional.user_id,
        _("Alleen de professional zelf kan inzage in het dossier regelen."),
    )


def _check_end_date(valid_until: dt.date | None) -> None:
    if valid_until is not None and valid_until < clock.today():
        raise Refused(
            _(
                "De datum ‘geautoriseerd tot’ ligt in het verleden. Kies vandaag of een latere "
                "datum, of laat het veld leeg voor onbeperkte inzage."
            )
        )


def _open_grants(professional: Professional, contacts: Sequence[Contact]) -> dict[int, AccessGrant]:
    """The professional's open (not revoked) grants to ``contacts``, by contact id."""
    return {
        grant.contact_id: grant
        for grant in AccessGrant.objects.filter(
            professional=professional, contact__in=contacts, revoked_at__isnull=True
        ).select_related("contact")
    }


def _duplicate(existing: list[AccessGrant]) -> Refused:
    """Chosen contacts already have a live grant: offer to change its date instead
    (``existing``: those grants)."""
    names = [grant.contact.name for grant in existing]
    return Refused(
        ngettext(
            "%(contacts)s heeft al inzage in uw dossier. U kunt de datum ‘geautoriseerd tot’ "
            "van die inzage wijzigen.",
            "%(contacts)s hebben al inzage in uw dossier. U kunt de datum ‘geautoriseerd tot’ "
            "van die inzages wijzigen.",
            len(names),
        )
        % {"contacts": names_in_a_sentence(names)},
        existing=existing,
    )


def names_in_a_sentence(names: list[str]) -> str:
    """``A``, ``A en B``, ``A, B en C`` (``and`` in English)."""
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s en %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _is_expired(grant: AccessGrant, today: dt.date) -> bool:
    return grant.valid_until is not None and grant.valid_until < today


def contacts_with_unexpired_grant(
    professional: Professional, organisation: Organisation
) -> frozenset[int]:
    """Contacts of ``organisation`` to whom a new grant would be a duplicate (a form hint)."""
    return frozenset(
        AccessGrant.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=clock.today()),
            professional=professional,
            contact__organisation=organisation,
            revoked_at__isnull=True,
        ).values_list("contact_id", flat=True)
    )


def grant_access(
    *,
    actor: Any,
    professional: Professional,
    contact: Contact,
    valid_until: dt.date | None,
) -> AccessGrant:
    """Let ``contact`` see ``professional``'s dossier until ``valid_until`` (inclusive), or for
    good when it is None."""
    [grant] = grant_access_to_contacts(
        actor=actor, professional=professional, contacts=[contact], valid_until=valid_until
    )
    return grant


def grant_access_to_contacts(
    *,
    actor: Any,
    professional: Professional,
    contacts: Sequence[Contact],
    valid_until: dt.date | None,
) -> list[AccessGrant]:
    """One grant per contact (the seed's "één of meerdere"), with one end date, in one
    transaction: either every contact gets access or none does.

    An open grant to a chosen contact that has already expired is closed first (history kept);
    a live one is not duplicated, also when two submissions race (database constraint).
    """
    _require_owner(actor, professional)
    _check_end_date(valid_until)
    if not contacts:
        raise Refused(_("Kies minstens één contactpersoon of afdeling."), field="contact")
    organisations = Organisation.objects.in_bulk({contact.organisation_id for contact in contacts})
    for contact in contacts:
        organisation = organisations[contact.organisation_id]
        if not contact.active or not contact.accepted or not organisation.takes_grants:
            raise Refused(
                _("Aan %(contact)s kunt u op dit moment geen inzage geven.")
                % {"contact": contact.name}
            )
    try:
        with transaction.atomic():
            now = clock.now()
            today = clock.local_date(now)
            open_grants = _open_grants(professional, contacts)
            live = [
                grant
                for contact in contacts
                if (grant := open_grants.get(contact.pk)) and not _is_expired(grant, today)
            ]
            if live:
                raise _duplicate(live)
            return [
                _create_grant(
                    actor=actor,
                    professional=professional,
                    contact=contact,
                    organisation=organisations[contact.organisation_id],
                    valid_until=valid_until,
                    now=now,
                    expired=open_grants.get(contact.pk),
                )
                for contact in contacts
            ]
    except IntegrityError as exc:
        # A simultaneous submission created an open grant first; nothing of this one stays.
        winners = list(_open_grants(professional, contacts).values())
        if not winners:
            raise
        raise _duplicate(winners) from exc


def _create_grant(
    *,
    actor: Any,
    professional: Professional,
    contact: Contact,
    organisation: Organisation,
    valid_until: dt.date | None,
    now: dt.datetime,
    expired: AccessGrant | None,
) -> AccessGrant:
    if expired is not None:
        # Close the expired grant so the new one can be the open one; its state stays
        # "verlopen" because the end date had passed before it was closed.
        AccessGrant.objects.filter(pk=expired.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
    grant = AccessGrant.objects.create(
        professional=professional, contact=contact, granted_at=now, valid_until=valid_until
    )
    record(
        AuditEvent.Action.GRANT_CREATED,
        actor=actor,
        organisation=organisation,
        contact=contact,
        professionals=[professional],
        grant=str(grant.code),
        valid_until=valid_until.isoformat() if valid_until else None,
        closed_expired_grant=str(expired.code) if expired else None,
    )
    enqueue_mail(
        template="grant_created",
        to=[contact.email],
        context={
            "contact_name": contact.name,
            "organisation_name": organisation.name,
            "professional_name": professional.full_name,
            "valid_until": dates.iso(valid_until),
            "link": absolute_url(reverse("home:home")),
        },
        language=contact.user.language,
    )
    return grant


def _require_open(grant: AccessGrant) -> None:
    if grant.revoked_at is not None:
        raise Refused(_("Deze inzage is al ingetrokken."))


def _update_open_grant(
    *, actor: Any, grant: AccessGrant, action: str, fields: dict[str, Any], **data: Any
) -> None:
    """Change a grant only while it is still open (a revocation in between is never undone),
    and audit the change in the caller's transaction."""
    updated = AccessGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(**fields)
    if not updated:
        raise Refused(_("Deze inzage is al ingetrokken."))
    record(
        action,
        actor=actor,
        organisation=grant.contact.organisation,
        contact=grant.contact,
        professionals=[grant.professional],
        grant=str(grant.code),
        **data,
    )


def change_grant_end(*, actor: Any, grant: AccessGrant, valid_until: dt.date | None) -> AccessGrant:
    """Set a live grant's *geautoriseerd tot* (``None``: without end)."""
    _require_owner(actor, grant.professional)
    _require_open(grant)
    _check_end_date(valid_until)
    with transaction.atomic():
        if _is_expired(grant, clock.today()):
            raise Refused(
                _("Deze inzage is verlopen. Voeg een nieuwe inzage toe om weer inzage te geven.")
            )
        previous = grant.valid_until
        # A new end date deserves its own reminder.
        _update_open_grant(
            actor=actor,
            grant=grant,
            action=AuditEvent.Action.GRANT_CHANGED,
            fields={"valid_until": valid_until, "reminder_sent_at": None},
            valid_until_before=previous.isoformat() if previous else None,
            valid_until=valid_until.isoformat() if valid_until else None,
        )
    grant.refresh_from_db()
    return grant


def revoke_access(*, actor: Any, grant: AccessGrant) -> AccessGrant:
    """Stop the grant from this moment on (not retroactive); the row stays as history."""
    _require_owner(actor, grant.professional)
    _require_open(grant)
    with transaction.atomic():
        _update_open_grant(
            actor=actor,
            grant=grant,
            action=AuditEvent.Action.GRANT_REVOKED,
            fields={"revoked_at": clock.now(), "revoked_by": actor},
        )
    grant.refresh_from_db()
    return grant


def grants_due_for_reminder(today: dt.date) -> list[AccessGrant]:
    """Open grants ending within the reminder window that have not been reminded yet.

    A grant that was given for less than the window gets no reminder: the professional chose
    the short end date moments ago.
    """
    days = settings.GRANT_REMINDER_DAYS
    last_day = today + dt.timedelta(days=days)
    candidates = (
        AccessGrant.objects.filter(
            revoked_at__isnull=True,
            reminder_sent_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=last_day,
        )
        .select_related("professional__user", "contact__organisation")
        .order_by("valid_until", "pk")
    )
    return [
        grant
        for grant in candidates
        if grant.valid_until is not None
        and clock.local_date(grant.granted_at) < grant.valid_until - dt.timedelta(days=days)
    ]


def send_grant_reminders(*, today: dt.date | None = None) -> int:
    """Queue one reminder per grant ending soon; returns how many were queued.

    Each grant is claimed with a conditional UPDATE, so running twice (or two runs at once)
    never sends the same reminder twice. Acts as the system (no ``actor``): only the daily
    ``send_grant_reminders`` command runs it; the claim on the grant is its record.
    """
    day = today or clock.today()
    sent = 0
    for grant in grants_due_for_reminder(day):
        recipient = grant.professional.mail_recipient()
        if not recipient["address"]:
            continue
        with transaction.atomic():
            claimed = AccessGrant.objects.filter(
                pk=grant.pk,
                revoked_at__isnull=True,
                reminder_sent_at__isnull=True,
                valid_until=grant.valid_until,
            ).update(reminder_sent_at=clock.now())
            if not claimed:
                continue
            mail_professional(
                **recipient,
                template="grant_ending",
                context={
                    "contact_name": grant.contact.name,
                    "organisation_name": grant.contact.organisation.name,
                    "valid_until": dates.iso(grant.valid_until),
                    "days_left": (grant.valid_until - day).days if grant.valid_until else 0,
                    "link": absolute_url(reverse("access:grants")),
                },
            )
            sent += 1
    return sent
