"""Undelivered e-mail: the register's list and *opnieuw versturen*."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_staff
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core.refusals import Refused
from peregister.notifications.mail import CannotResend, render_mail, resend
from peregister.notifications.models import OutboxMessage

State = OutboxMessage.State


def troubled_mail() -> QuerySet[OutboxMessage]:
    """Failed mails, and pending ones that already failed at least once (newest first)."""
    return OutboxMessage.objects.filter(
        Q(state=State.FAILED) | Q(state=State.PENDING, attempts__gt=0)
    ).order_by("-created_at", "-pk")


def resend_mail(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """*Opnieuw versturen*: the failed mail goes back into the outbox (a link mail with a new
    link); audited."""
    require_staff(actor)
    with transaction.atomic():
        try:
            message = resend(message)
        except CannotResend as exc:
            raise Refused(
                _("Deze e-mail kan niet opnieuw worden verstuurd (al verstuurd of account weg)."),
                conflict=True,
            ) from exc
        record(
            AuditEvent.Action.MAIL_RESENT,
            actor=actor,
            mail=str(message.code),
            template=message.template,
        )
    return message


def subject_of(message: OutboxMessage) -> str:
    """The mail's subject as its recipient saw it (or would have), for the list."""
    try:
        return str(render_mail(message.template, message.context, message.language).subject)
    except Exception:
        return message.template
