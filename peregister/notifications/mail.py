"""E-mail through the outbox: render, store, deliver, retry.

A mail is one template set (``emails/<name>_subject.txt``, ``_body.txt``, ``_body.html``),
rendered in the recipient's language. ``enqueue_mail`` writes it to the outbox in the caller's
transaction (a rolled-back change leaves no mail) and, once that commits, hands a
``deliver_mail`` task to the task backend: in-process with the immediate backend (development),
the ``run_worker`` process with the database backend (production).

Delivery claims the row with a conditional UPDATE (one attempt more, and a lease,
``claimed_until``, long enough for every step of the SMTP conversation to time out once) and
commits that before talking to the SMTP server; no other worker takes the mail while the lease
runs. Only then does it send, and it marks the row sent right after the server accepted it; that
mark, like a failure, only applies to the attempt that still holds the mail. A mail can go out
twice with the same Message-ID in these windows only: a crash between the server's acceptance
and the sent mark (the worker killed, the database unreachable for the mark), a server that
accepts but answers later than ``EMAIL_TIMEOUT``, and a conversation that outlasts the lease.

A refusal of this mail (its recipient or its content, RFC 5321's 550-554 on RCPT or DATA) fails
it for good at once. A refusal of us (login, STARTTLS, sender, greeting: the server's
configuration or ours) and an unreachable server are retried like any temporary error, and
shown to staff on the *E-mail* page; after ``OUTBOX_MAX_ATTEMPTS`` a mail fails. A failed mail
stays in the outbox with its reason for the register's staff (back-office *E-mail*), who can
send it again.

Without a worker (development: tasks run in-process) each delivery also retries the mails that
are due, so a mail that failed for a moment goes out with the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from peregister.core import clock, request_context
from peregister.notifications.models import OutboxMessage

logger = logging.getLogger("peregister.mail")
State = OutboxMessage.State
Kind = OutboxMessage.ErrorKind

# Renewers give a failed mail fresh secrets before it is sent again (a new set-password link
# instead of one that may have expired), keyed by the topic's prefix ("set-password").
Renewer = Callable[[OutboxMessage], dict[str, Any]]
_renewers: dict[str, Renewer] = {}


class CannotResend(Exception):
    """The mail may not be sent again; the message says why, for the staff member who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def absolute_url(path: str) -> str:
    """Links in e-mails come from the configured site URL, never from a request's Host header."""
    return f"{settings.SITE_URL}{path}"


def _render(template: str, part: str, context: dict[str, Any], language: str) -> str:
    with translation.override(language):
        full_context = {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME, **context}
        return render_to_string(f"emails/{template}_{part}", full_context)


def render_subject(template: str, context: dict[str, Any], language: str) -> str:
    """The subject line alone (one line), e.g. for a list of mails."""
    return " ".join(_render(template, "subject.txt", context, language).split())


def render_mail(template: str, context: dict[str, Any], language: str) -> EmailMultiAlternatives:
    """Render ``emails/<template>_subject.txt``, ``_body.txt`` and ``_body.html``."""
    message = EmailMultiAlternatives(
        subject=render_subject(template, context, language),
        body=_render(template, "body.txt", context, language),
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    message.attach_alternative(_render(template, "body.html", context, language), "text/html")
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
    _hand_off_after_commit(message.pk)
    return message


def _hand_off_after_commit(pk: int) -> None:
    """Queue the delivery task once the change commits. Robust: the change is committed and its
    mail stored, so a failing hand-off (the task table unreachable) must not turn the user's
    answer into an error; the worker's sweep delivers the mail instead."""

    def hand_off() -> None:  # a named function: Django logs a robust callback's __qualname__
        deliver_mail.enqueue(pk)

    transaction.on_commit(hand_off, robust=True)


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

# Every step of an SMTP conversation (connect, greeting, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA,
# end of data, QUIT) may wait up to EMAIL_TIMEOUT: an attempt's lease covers them all.
LEASE_STEPS = 10
# RFC 5321 answers to RCPT or DATA that refuse this recipient or this message for good.
REFUSED_FOR_GOOD = frozenset({550, 551, 552, 553, 554})
# Without a worker, how many due mails one delivery retries along with its own.
IN_PROCESS_SWEEP_LIMIT = 20


def backoff(attempt: int) -> dt.timedelta:
    """How long after attempt ``attempt`` (1, 2, …) the next may start: doubling, capped."""
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** (attempt - 1)
    return dt.timedelta(seconds=min(seconds, 6 * 3600))


def lease() -> dt.timedelta:
    """How long an attempt holds its mail before another worker may take it."""
    return dt.timedelta(seconds=LEASE_STEPS * (getattr(settings, "EMAIL_TIMEOUT", None) or 60))


def _unclaimed(now: dt.datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def _due(now: dt.datetime) -> Q:
    """Pending mails whose (re)try is due and that no attempt holds."""
    return Q(state=State.PENDING, next_attempt_at__lte=now) & _unclaimed(now)


def _overdue(now: dt.datetime) -> Q:
    """Due mails late by more than the grace given to their own task: the sweep's (and, without
    a worker, staff's) to send."""
    grace = dt.timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    return _due(now) & Q(next_attempt_at__lte=now - grace)


def _claim(pk: int) -> OutboxMessage | None:
    """Take the message for one attempt, or None when it is not due or someone else has it."""
    now = clock.now()
    message = OutboxMessage.objects.filter(_due(now), pk=pk).first()
    if message is None:
        return None
    attempt = message.attempts + 1
    taken = (
        OutboxMessage.objects.filter(_unclaimed(now), pk=pk, state=State.PENDING)
        .filter(attempts=message.attempts)
        .update(attempts=attempt, last_attempt_at=now, claimed_until=now + lease())
    )
    if not taken:
        return None
    message.attempts = attempt
    return message


def _held(message: OutboxMessage) -> QuerySet[OutboxMessage]:
    """The row, as long as this attempt still holds it (no later attempt took it over)."""
    return OutboxMessage.objects.filter(
        pk=message.pk, state=State.PENDING, attempts=message.attempts
    )


def _security_status(text: bytes | str) -> bool:
    """An enhanced status 5.7.x: the server's security policy (relay, authentication)."""
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return text.lstrip().startswith("5.7.")


def classify(exc: Exception) -> tuple[str, bool]:
    """Whose problem a failed attempt is (an ``ErrorKind``), and whether it is final."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = list(exc.recipients.values())
        if any(code in {421, 530} or _security_status(text) for code, text in answers):
            return Kind.SERVER, False  # relay denied, login required: it refuses us, not them
        return Kind.MAIL, all(code in REFUSED_FOR_GOOD for code, _text in answers)
    if isinstance(exc, smtplib.SMTPDataError):
        if exc.smtp_code in REFUSED_FOR_GOOD:
            return Kind.MAIL, True
        if 400 <= exc.smtp_code < 500 and exc.smtp_code != 421:
            return Kind.MAIL, False
        return Kind.SERVER, False  # 421 closing, 530 STARTTLS required, 5xx about the session
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Kind.UNREACHABLE, False
    if isinstance(exc, smtplib.SMTPException):
        return Kind.SERVER, False  # login, greeting, HELO, sender, STARTTLS or AUTH missing
    if isinstance(exc, OSError):
        return Kind.UNREACHABLE, False  # refused, timed out, reset, TLS handshake failed
    # Anything else (a template that does not render) will not pass by trying again.
    return Kind.MAIL, True


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
    _held(message).update(
        state=State.SENT,
        sent_at=clock.now(),
        last_error="",
        error_kind=Kind.NONE,
        claimed_until=None,
        context=_without_secrets(message),
    )


@dataclass(frozen=True)
class Outcome:
    state: str
    kind: str = Kind.NONE

    @property
    def server_trouble(self) -> bool:
        """The server refused us or could not be reached: other mails would fare no better."""
        return self.kind in {Kind.SERVER, Kind.UNREACHABLE}


def _record_failure(message: OutboxMessage, exc: Exception) -> Outcome:
    kind, final = classify(exc)
    final = final or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    now = clock.now()
    changes: dict[str, Any] = {
        "last_error": _describe(exc),
        "error_kind": kind,
        "claimed_until": None,
    }
    if final:
        changes.update(state=State.FAILED, failed_at=now, context=_without_secrets(message))
    else:
        changes["next_attempt_at"] = now + backoff(message.attempts)
    _held(message).update(**changes)
    return Outcome(State.FAILED if final else State.PENDING, kind)


def _attempt(pk: int) -> Outcome | None:
    message = _claim(pk)
    if message is None:
        return None
    log = {"mail": str(message.code), "template": message.template, "attempt": message.attempts}
    with request_context.bound(message.request_id):
        try:
            _send(message)
        except Exception as exc:
            outcome = _record_failure(message, exc)
            logger.warning(
                "mail not delivered",
                extra={
                    **log,
                    "error": _error_code(exc),
                    "error_kind": outcome.kind,
                    "final": outcome.state == State.FAILED,
                },
            )
            return outcome
        # Accepted by the server: from here until the sent mark is the documented window.
        _mark_sent(message)
        logger.info("mail delivered", extra=log)
        return Outcome(State.SENT)


def deliver(pk: int) -> str | None:
    """One delivery attempt of message ``pk``; returns its state after, or None if not taken."""
    outcome = _attempt(pk)
    return outcome.state if outcome else None


@task()
def deliver_mail(message_pk: int) -> None:
    """The task handed to the backend after commit; its only argument is the outbox row's id."""
    deliver(message_pk)
    if not deferred_delivery():
        # No worker in this setup (development): whoever sends a mail retries the due ones.
        deliver_due(limit=IN_PROCESS_SWEEP_LIMIT)


def deliver_due(*, limit: int = 100, between: Callable[[], bool] | None = None) -> int:
    """Deliver messages whose task got lost (a crash after commit, a killed worker) or whose
    retry is due; run by the worker between tasks. ``between`` is asked after each mail whether
    to go on (the worker's heartbeat, stop signal and time limit). The sweep also stops when the
    server refused us or could not be reached. Returns how many mails were attempted."""
    due = list(
        OutboxMessage.objects.filter(_overdue(clock.now()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    attempted = 0
    for pk in due:
        outcome = _attempt(pk)
        attempted += outcome is not None
        if (outcome and outcome.server_trouble) or (between is not None and not between()):
            break
    return attempted


def deferred_delivery() -> bool:
    """Whether a separate worker delivers (so a page may say "wordt verstuurd")."""
    return bool(default_task_backend.supports_defer)


def mail_server_trouble() -> OutboxMessage | None:
    """The latest attempt, when the mail server refused us or could not be reached then."""
    latest = (
        OutboxMessage.objects.exclude(last_attempt_at=None)
        .order_by("-last_attempt_at", "-pk")
        .first()
    )
    if latest is not None and latest.error_kind in {Kind.SERVER, Kind.UNREACHABLE}:
        return latest
    return None


# --- failed mails: state for the promising screen, and sending again --------------------------


def delivery_state(topic: str) -> OutboxMessage | None:
    """The latest mail that keeps the promise ``topic``, for the screen that made the promise."""
    if not topic:
        return None
    return OutboxMessage.objects.filter(topic=topic).order_by("-created_at", "-pk").first()


def _newer_on_topic(pk: Any, topic: Any) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(~Q(topic=""), topic=topic, pk__gt=pk)


def replaced() -> Exists:
    """Whether a later mail keeps the same promise (a newer set-password link went out): then
    this one is *vervangen* and sending it again would only confuse (or expire the newer link)."""
    return Exists(_newer_on_topic(OuterRef("pk"), OuterRef("topic")))


def may_resend() -> Q:
    """Mails staff may send again: failed ones, and (with nobody else to send them) pending
    ones whose retry is overdue. Replaced mails excepted: see ``replaced``."""
    return Q(state=State.FAILED) | _overdue(clock.now())


def register_renewer(topic_prefix: str, renewer: Renewer) -> None:
    """``renewer`` gives a failed mail of topics ``<prefix>:…`` fresh secrets before it is sent
    again, or raises ``CannotResend`` when the mail is no longer needed."""
    _renewers[topic_prefix] = renewer


def resend(message: OutboxMessage) -> OutboxMessage:
    """Put a failed (or overdue) mail back in the outbox (inside the staff action's transaction).

    A failed mail that carried a secret gets a fresh one from its topic's renewer, and with
    different content a new Message-ID; otherwise it is the same mail, sent again. Delivery logs
    carry the request id of the staff action.
    """
    if not OutboxMessage.objects.filter(may_resend(), pk=message.pk).exists():
        raise CannotResend(
            _("Deze e-mail kan niet opnieuw worden verstuurd: hij is al verstuurd of onderweg.")
        )
    if _newer_on_topic(message.pk, message.topic).exists():
        raise CannotResend(
            _(
                "Deze e-mail is vervangen door een nieuwere e-mail met hetzelfde doel; "
                "opnieuw versturen is niet nodig."
            )
        )
    changes: dict[str, Any] = {
        "state": State.PENDING,
        "next_attempt_at": clock.now(),
        "claimed_until": None,
        "failed_at": None,
        "request_id": request_context.current(),
    }
    if message.state == State.FAILED:
        changes["attempts"] = 0
        if message.secret_keys:
            renewer = _renewers.get(message.topic.partition(":")[0])
            if renewer is None:
                raise CannotResend(_("Deze e-mail kan niet opnieuw worden verstuurd."))
            changes["context"] = {**message.context, **renewer(message)}
            changes["message_id"] = _new_message_id()
    unchanged = OutboxMessage.objects.filter(
        pk=message.pk, state=message.state, attempts=message.attempts
    )
    if not unchanged.update(**changes):
        raise CannotResend(_("Deze e-mail is intussen veranderd; bekijk de lijst opnieuw."))
    _hand_off_after_commit(message.pk)
    message.refresh_from_db()
    return message
