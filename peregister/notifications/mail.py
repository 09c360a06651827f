"""E-mail through the outbox: render, store, deliver, retry.

A mail is one template set (``emails/<name>_subject.txt``, ``_body.txt``, ``_body.html``),
rendered in the recipient's language. ``enqueue_mail`` writes it to the outbox in the caller's
transaction (a rolled-back change leaves no mail) and, once that commits, hands a
``deliver_mail`` task to the task backend: in-process with the immediate backend (development),
the ``run_worker`` process with the database backend (production).

Delivery claims the row with a conditional UPDATE (one attempt more, the next attempt time
pushed out by an exponential backoff) and commits that before talking to the SMTP server; only
then does it send, and it marks the row sent right after the server accepted it. The window
between the server's acceptance and that mark is the one place a mail can go out twice: a crash
there (the worker killed, or the database unreachable for the mark) leaves the row pending, and
the next attempt sends it again with the same Message-ID.
A refused recipient or any 5xx answer fails the mail for good at once; other errors are
retried until ``OUTBOX_MAX_ATTEMPTS``. A failed mail stays in the outbox with its reason for the
register's staff (back-office *E-mail*), who can send it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Callable, Iterable
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import default_task_backend, task

from peregister.core import clock, request_context
from peregister.notifications.models import OutboxMessage

logger = logging.getLogger("peregister.mail")
State = OutboxMessage.State

# Renewers give a failed mail fresh secrets before it is sent again (a new set-password link
# instead of one that may have expired), keyed by the topic's prefix ("set-password").
Renewer = Callable[[OutboxMessage], dict[str, Any]]
_renewers: dict[str, Renewer] = {}


class CannotResend(Exception):
    """The mail is not (or no longer) in a state that can be sent again."""


def absolute_url(path: str) -> str:
    """Links in e-mails come from the configured site URL, never from a request's Host header."""
    return f"{settings.SITE_URL}{path}"


def day(value: Any) -> str:
    """Dates in mails as Dutch readers write them; plain strings keep the stored context JSON."""
    return f"{value:%d-%m-%Y}"


def render_mail(template: str, context: dict[str, Any], language: str) -> EmailMultiAlternatives:
    """Render ``emails/<template>_subject.txt``, ``_body.txt`` and ``_body.html``."""
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", full_context)
        text = render_to_string(f"emails/{template}_body.txt", full_context)
        html = render_to_string(f"emails/{template}_body.html", full_context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, from_email=settings.DEFAULT_FROM_EMAIL
    )
    message.attach_alternative(html, "text/html")
    return message


def _new_message_id() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "pe-register.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue_mail(
    *,
    template: str,
    to: list[str],
    context: dict[str, Any],
    language: str = "nl",
    topic: str = "",
    secret_keys: Iterable[str] = (),
) -> OutboxMessage:
    """Store a mail in the outbox inside the current transaction; it is delivered after commit.

    ``context`` must be JSON (plain strings and numbers). ``topic`` names the promise the mail
    keeps, for ``delivery_state``; ``secret_keys`` are context keys dropped after delivery.
    """
    now = clock.now()
    message = OutboxMessage.objects.create(
        message_id=_new_message_id(),
        template=template,
        recipients=list(to),
        context=context,
        secret_keys=sorted(secret_keys),
        language=language,
        topic=topic,
        request_id=request_context.current(),
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: deliver_mail.enqueue(message.pk))
    return message


def mail_professional(
    *, address: str, name: str, language: str, template: str, context: dict[str, Any]
) -> bool:
    """Queue ``template`` for a professional with a link to their dossier; False without address."""
    if not address:
        return False
    enqueue_mail(
        template=template,
        to=[address],
        context={
            "professional_name": name,
            "link": absolute_url(reverse("registry:my_dossier")),
            **context,
        },
        language=language or "nl",
    )
    return True


# --- delivery ---------------------------------------------------------------------------------


def backoff(attempt: int) -> dt.timedelta:
    """How long after attempt ``attempt`` (1, 2, …) the next may start: doubling, capped."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** (attempt - 1)
    return dt.timedelta(seconds=min(seconds, 6 * 3600))


def _claim(pk: int) -> OutboxMessage | None:
    """Take the message for one attempt, or None when it is not due or someone else has it."""
    now = clock.now()
    message = OutboxMessage.objects.filter(
        pk=pk, state=State.PENDING, next_attempt_at__lte=now
    ).first()
    if message is None:
        return None
    attempt = message.attempts + 1
    # The next attempt time doubles as a lease: a worker killed mid-send leaves the row to
    # be picked up again once it is due.
    taken = OutboxMessage.objects.filter(
        pk=pk, state=State.PENDING, attempts=message.attempts
    ).update(attempts=attempt, last_attempt_at=now, next_attempt_at=now + backoff(attempt))
    if not taken:
        return None
    message.attempts = attempt
    return message


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    # Network trouble, timeouts, TLS and other SMTP errors may pass; anything else (a template
    # that does not render) will not pass by trying again.
    return not isinstance(exc, OSError | smtplib.SMTPException)


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in exc.recipients.values()
        )
        return f"SMTP recipient refused: {answers}"[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"SMTP {exc.smtp_code}: {text}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def _error_code(exc: Exception) -> str:
    """What the logs may say about a failure: its kind and SMTP code, never its text."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient-refused:" + ",".join(str(c) for c, _t in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"smtp-{exc.smtp_code}"
    return type(exc).__name__


def _without_secrets(message: OutboxMessage) -> dict[str, Any]:
    return {k: v for k, v in message.context.items() if k not in set(message.secret_keys)}


def _send(message: OutboxMessage) -> None:
    email = render_mail(message.template, message.context, message.language)
    email.to = list(message.recipients)
    email.extra_headers["Message-ID"] = message.message_id
    email.send()


def _mark_sent(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk, state=State.PENDING).update(
        state=State.SENT, sent_at=clock.now(), last_error="", context=_without_secrets(message)
    )


def deliver(pk: int) -> str | None:
    """One delivery attempt of message ``pk``; returns its state after, or None if not taken."""
    message = _claim(pk)
    if message is None:
        return None
    log = {"mail": str(message.code), "template": message.template, "attempt": message.attempts}
    with request_context.bound(message.request_id):
        try:
            _send(message)
        except Exception as exc:
            permanent = _is_permanent(exc) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
            changes: dict[str, Any] = {"last_error": _describe(exc)}
            if permanent:
                changes.update(
                    state=State.FAILED, failed_at=clock.now(), context=_without_secrets(message)
                )
            OutboxMessage.objects.filter(pk=pk, state=State.PENDING).update(**changes)
            logger.warning(
                "mail not delivered",
                extra={**log, "error": _error_code(exc), "final": permanent},
            )
            return State.FAILED if permanent else State.PENDING
        # Accepted by the server: from here until the sent mark is the documented window.
        _mark_sent(message)
        logger.info("mail delivered", extra=log)
        return State.SENT


@task()
def deliver_mail(message_pk: int) -> None:
    """The task handed to the backend after commit; its only argument is the outbox row's id."""
    deliver(message_pk)


def deliver_due(*, limit: int = 100) -> int:
    """Deliver messages whose task got lost (a crash after commit, a killed worker) or whose
    retry is due; run by the worker between tasks. Returns how many were attempted."""
    grace = dt.timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    due = list(
        OutboxMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=clock.now() - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if deliver(pk) is not None)


def deferred_delivery() -> bool:
    """Whether a separate worker delivers (so a page may say "wordt verstuurd")."""
    return bool(default_task_backend.supports_defer)


# --- failed mails: state for the promising screen, and sending again --------------------------


def delivery_state(topic: str) -> OutboxMessage | None:
    """The latest mail that keeps the promise ``topic``, for the screen that made the promise."""
    if not topic:
        return None
    return OutboxMessage.objects.filter(topic=topic).order_by("-created_at", "-pk").first()


def register_renewer(topic_prefix: str, renewer: Renewer) -> None:
    _renewers[topic_prefix] = renewer


def resend(message: OutboxMessage) -> OutboxMessage:
    """Put a failed mail back in the outbox (call inside the staff action's transaction).

    A mail that carried a secret gets a fresh one from its topic's renewer, and with different
    content a new Message-ID; otherwise it is the same mail, sent again.
    """
    if message.state != State.FAILED:
        raise CannotResend(message.state)
    changes: dict[str, Any] = {
        "state": State.PENDING,
        "attempts": 0,
        "next_attempt_at": clock.now(),
        "failed_at": None,
    }
    if message.secret_keys:
        renewer = _renewers.get(message.topic.partition(":")[0])
        if renewer is None:
            raise CannotResend("no renewer")
        changes["context"] = {**message.context, **renewer(message)}
        changes["message_id"] = _new_message_id()
    if not OutboxMessage.objects.filter(pk=message.pk, state=State.FAILED).update(**changes):
        raise CannotResend("changed meanwhile")
    transaction.on_commit(lambda: deliver_mail.enqueue(message.pk))
    message.refresh_from_db()
    return message
