"""E-mail: one template set per mail (subject, text, HTML), rendered in the recipient's language,
sent through Django's task framework after the surrounding transaction commits."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    """Links in e-mails come from the configured site URL, never from a request's Host header."""
    return f"{settings.SITE_URL}{path}"


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


def send_mail_now(*, template: str, to: list[str], context: dict[str, Any], language: str) -> None:
    message = render_mail(template, context, language)
    message.to = to
    message.send()


def enqueue_mail(
    *, template: str, to: list[str], context: dict[str, Any], language: str = "nl"
) -> None:
    """Queue a mail once the current transaction commits (nothing is sent for a rolled-back change).

    ``context`` must be JSON-serialisable (plain strings and numbers), so a database task
    backend can store it.
    """
    from peregister.notifications.tasks import send_mail_task

    transaction.on_commit(
        lambda: send_mail_task.enqueue(template=template, to=to, context=context, language=language)
    )
