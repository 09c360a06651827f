"""Undelivered e-mail: the register's list, *opnieuw versturen* and *alle opnieuw versturen*."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core.refusals import Refused
from peregister.notifications.mail import (
    CannotResend,
    may_resend,
    render_subject,
    replaced,
    resend,
)
from peregister.notifications.models import OutboxMessage

State = OutboxMessage.State
# One click sends at most this many again; the page says how many are left.
RESEND_ALL_LIMIT = 500


def troubled_mail() -> QuerySet[OutboxMessage]:
    """Failed mails, and pending ones that already failed at least once: failed first, newest
    first; each knows whether it was ``replaced`` and whether staff ``may_resend`` it."""
    return (
        OutboxMessage.objects.filter(Q(state=State.FAILED) | Q(state=State.PENDING, attempts__gt=0))
        .annotate(
            replaced=replaced(),
            may_resend=Case(
                When(may_resend(), then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            failed_first=Case(
                When(state=State.FAILED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("failed_first", "-created_at", "-pk")
    )


def trouble_counts() -> dict[str, int]:
    """How many mails failed, how many wait for a retry, and how many staff may send again
    (one query, every row counted)."""
    return OutboxMessage.objects.aggregate(
        failed=Count("pk", filter=Q(state=State.FAILED)),
        retrying=Count("pk", filter=Q(state=State.PENDING, attempts__gt=0)),
        resendable=Count("pk", filter=may_resend() & ~Q(replaced())),
    )


def resend_mail(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """*Opnieuw versturen*: the failed (or overdue) mail goes back into the outbox (a link mail
    with a new link); audited. Refused for a mail that was replaced or is no longer needed."""
    require_staff(actor)
    with transaction.atomic():
        try:
            message = resend(message)
        except CannotResend as exc:
            raise Refused(exc.message, conflict=True) from exc
        record(
            AuditEvent.Action.MAIL_RESENT,
            actor=actor,
            mail=str(message.code),
            template=message.template,
        )
    return message


@dataclass(frozen=True)
class ResendAll:
    resent: int
    skipped: int  # replaced, or no longer needed (the user set a password meanwhile)
    more: bool  # more than one click's worth: the rest waits for the next click


def resend_all_mail(*, actor: Any) -> ResendAll:
    """*Alle opnieuw versturen*: every mail staff may send again, each as *opnieuw versturen*
    (its own transaction and audit event); replaced mails and those no longer needed stay."""
    require_staff(actor)
    candidates = OutboxMessage.objects.filter(may_resend())
    batch = list(candidates.exclude(replaced()).order_by("pk")[: RESEND_ALL_LIMIT + 1])
    resent = skipped = 0
    for message in batch[:RESEND_ALL_LIMIT]:
        try:
            resend_mail(actor=actor, message=message)
        except Refused:
            skipped += 1
        else:
            resent += 1
    skipped += candidates.filter(replaced()).count()
    return ResendAll(resent=resent, skipped=skipped, more=len(batch) > RESEND_ALL_LIMIT)


def subject_of(message: OutboxMessage) -> str:
    """The mail's subject as its recipient saw it (or would have), for the list."""
    try:
        return render_subject(message.template, message.context, message.language)
    except Exception:
        return message.template
