"""Inviting professionals to set a password: staff ask here, the task worker sends
(``invitation_sending``) in batches, never in the request.

The invitation is the set-password mail of ``accounts.services.mail_set_password_link`` (the
same single-use, expiring links as an employer's account; a new invitation makes the earlier
link stop working). Someone who has set a password already is not invited again: they use
*Inloggegevens vergeten*.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.backoffice.invitation_sending import address_of, still_registered
from peregister.backoffice.models import InvitationRun, ProfessionalImport
from peregister.backoffice.tasks import send_invitations_task
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.models import Professional

# A second *alle uitnodigen* of the same import this soon after the first is a double click
# (or a reload), not a resend: it queues nothing new, so nobody gets the mail twice.
IMPORT_RESEND_AFTER = dt.timedelta(minutes=2)
PENDING = (InvitationRun.State.QUEUED, InvitationRun.State.RUNNING)


def invite_professional(*, actor: Any, professional: Professional) -> InvitationRun:
    """Queue an invitation (or a new one) for ``professional``; the worker sends it."""
    require_staff(actor)
    if not address_of(professional):
        raise Refused(
            _("Deze professional heeft geen e-mailadres. Vul dat eerst in bij de gegevens.")
        )
    if not still_registered(professional):
        raise Refused(
            _("De registratie van deze professional is beëindigd: er is niets om uit te nodigen.")
        )
    user = professional.user
    if user is not None and not user.is_active:
        raise Refused(
            _(
                "Het account van deze professional is uitgeschakeld. Een uitnodiging zou een "
                "link sturen die niet werkt."
            ),
            conflict=True,
        )
    if user is not None and user.has_usable_password():
        raise Refused(
            _(
                "Deze professional heeft al een wachtwoord ingesteld. Wachtwoord vergeten? Dan "
                "gebruikt de professional ‘Inloggegevens vergeten’ op de loginpagina."
            ),
            conflict=True,
        )
    with transaction.atomic():
        # Locked, so two clicks at once wait for each other and the second finds the first.
        Professional.objects.select_for_update().filter(pk=professional.pk).first()
        pending = professional.invitation_runs.filter(state__in=PENDING).first()
        if pending is not None:
            return pending
        run = InvitationRun.objects.create(
            created_at=clock.now(), created_by=actor, professional=professional, total=1
        )
        _queue(run)
    return run


def _queue(run: InvitationRun) -> None:
    """Hand the run to the worker once it is committed (never sent in the request)."""
    code = str(run.code)

    def enqueue_invitations() -> None:  # named: Django logs a robust callback's __qualname__
        send_invitations_task.enqueue(code=code)

    transaction.on_commit(enqueue_invitations, robust=True)


def invite_import(*, actor: Any, professional_import: ProfessionalImport) -> InvitationRun:
    """Queue invitations for every professional an import took on or changed; the worker skips
    those without an address and those who have set a password already. While a run for the
    import is pending, or just after one, the same run is returned and nothing is queued."""
    require_staff(actor)
    with transaction.atomic():
        ProfessionalImport.objects.select_for_update().filter(pk=professional_import.pk).first()
        recent = (
            professional_import.invitation_runs.filter(
                Q(state__in=PENDING) | Q(created_at__gt=clock.now() - IMPORT_RESEND_AFTER)
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if recent is not None:
            return recent
        run = InvitationRun.objects.create(
            created_at=clock.now(),
            created_by=actor,
            professional_import=professional_import,
            total=professional_import.professionals.count(),
        )
        _queue(run)
    return run
