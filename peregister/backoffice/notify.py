"""E-mail to a professional about a decision of the register (after the transaction commits)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from peregister.notifications.mail import absolute_url, enqueue_mail
from peregister.registry.models import Professional


def mail_professional(
    *, professional: Professional, template: str, context: dict[str, Any]
) -> bool:
    """Queue ``template`` for the professional; False when there is no address to send to."""
    user = professional.user
    address = professional.email or (user.email if user is not None else "")
    if not address:
        return False
    enqueue_mail(
        template=template,
        to=[address],
        context={
            "professional_name": professional.full_name,
            "link": absolute_url(reverse("registry:my_dossier")),
            **context,
        },
        language=getattr(user, "language", None) or "nl",
    )
    return True


def day(value: Any) -> str:
    """Dates in mails as Dutch readers write them; plain strings keep the task context JSON."""
    return f"{value:%d-%m-%Y}"
