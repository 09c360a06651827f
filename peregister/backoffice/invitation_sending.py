"""Sending invitations to set a password: the task worker's part, in batches.

The invitation is the set-password mail of ``accounts.services.mail_set_password_link`` (the
same single-use, expiring links as an employer's account; a new invitation makes the earlier
link stop working). A professional without an account gets one (no usable password), named
after the registration number. Someone who has set a password already is skipped: they use
*Inloggegevens vergeten*.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from peregister.accounts.models import User
from peregister.accounts.services import create_account, mail_set_password_link
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.backoffice.models import InvitationRun
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.models import Professional, Registration

logger = logging.getLogger(__name__)

# Professionals per transaction: mails, accounts, the audit event and the cursor commit together.
BATCH_SIZE = 200
TEMPLATE = "professional_invited"
MIN_USERNAME_LENGTH = 3


def selection(run: InvitationRun) -> QuerySet[Professional]:
    """The professionals a run invites."""
    if run.professional_import_id is not None:
        return Professional.objects.filter(imports=run.professional_import_id)
    return Professional.objects.filter(invitation_runs=run)


def address_of(professional: Professional) -> str:
    return professional.mail_recipient()["address"]


def still_registered(professional: Professional) -> bool:
    """Has a registration that is not ended (active or lapsed): an ended one gets no account."""
    return professional.registrations.exclude(status=Registration.Status.ENDED).exists()


def invitable(professional: Professional) -> bool:
    """Has an address, an account that is not switched off, no password of their own yet (an
    invitation would only reset it), and a registration that is not ended."""
    user = professional.user
    return (
        bool(address_of(professional))
        and (user is None or (user.is_active and not user.has_usable_password()))
        and still_registered(professional)
    )


def _username_for(professional: Professional) -> str:
    """The registration number (``pe-`` before a short one); a suffix when it is taken."""
    number = professional.registration_number.lower()
    base = number if len(number) >= MIN_USERNAME_LENGTH else f"pe-{number}"
    taken = set(
        User.objects.filter(
            Q(username__iexact=base) | Q(username__istartswith=f"{base}-")
        ).values_list("username", flat=True)
    )
    taken = {name.lower() for name in taken}
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def _account_for(professional: Professional) -> User:
    user = professional.user
    if user is not None:
        # Never used (no password yet): the register's address is the account's, so a corrected
        # typo stops being where *Inloggegevens vergeten* and new links go.
        address = address_of(professional)
        if user.email != address and not user.has_usable_password():
            user.email = address
            user.save(update_fields=["email"])
        return user
    for _attempt in range(3):
        try:
            user = create_account(
                username=_username_for(professional),
                email=address_of(professional),
                name=professional.full_name,
            )
        except Refused:  # the name was taken between the read and the insert: pick again
            continue
        professional.user = user
        professional.save(update_fields=["user"])
        return user
    raise RuntimeError("no free username for a professional after three tries")


def _send_batch(run: InvitationRun) -> bool:
    """One batch in one transaction; False when the run has nobody left."""
    with transaction.atomic():
        batch = list(
            selection(run)
            .filter(pk__gt=run.last_professional_id)
            .select_related("user")
            .order_by("pk")[:BATCH_SIZE]
        )
        if not batch:
            return False
        now = clock.now()
        invited: list[int] = []
        for professional in batch:
            if not invitable(professional):
                continue
            user = _account_for(professional)
            mail_set_password_link(
                user=user, template=TEMPLATE, to=address_of(professional), **_context(professional)
            )
            invited.append(professional.pk)
        if invited:
            Professional.objects.filter(pk__in=invited).update(invited_at=now)
            record(
                AuditEvent.Action.INVITATIONS_SENT,
                actor=run.created_by,
                professionals=invited,
                run=str(run.code),
                count=len(invited),
            )
        run.last_professional_id = batch[-1].pk
        run.sent += len(invited)
        run.skipped += len(batch) - len(invited)
        run.save(update_fields=["last_professional_id", "sent", "skipped"])
    return True


def _context(professional: Professional) -> dict[str, Any]:
    return {"name": professional.full_name}


def send_invitations(code: str) -> int:
    """The worker's part: send a run's invitations batch by batch. Returns how many were sent."""
    claimed = InvitationRun.objects.filter(
        code=code, state__in=[InvitationRun.State.QUEUED, InvitationRun.State.RUNNING]
    ).update(state=InvitationRun.State.RUNNING)
    if not claimed:
        return 0
    run = InvitationRun.objects.select_related("created_by").get(code=code)
    while _send_batch(run):
        pass
    InvitationRun.objects.filter(pk=run.pk).update(
        state=InvitationRun.State.DONE, finished_at=clock.now()
    )
    logger.info("invitations sent", extra={"run": code, "sent": run.sent, "skipped": run.skipped})
    return run.sent
