"""System checks for running in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@register(Tags.security, deploy=True)
def smtp_login_is_encrypted(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """An SMTP login over a plain connection shows the password to anyone on the way."""
    login = settings.EMAIL_HOST_USER or settings.EMAIL_HOST_PASSWORD
    encrypted = settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL
    if settings.EMAIL_BACKEND == SMTP_BACKEND and login and not encrypted:
        return [
            Warning(
                "EMAIL_HOST_USER/EMAIL_HOST_PASSWORD are set, but neither EMAIL_USE_TLS nor "
                "EMAIL_USE_SSL: the SMTP login would cross the network unencrypted.",
                hint="Set EMAIL_USE_TLS=1 (STARTTLS, usually port 587) or EMAIL_USE_SSL=1 (465).",
                id="ops.W001",
            )
        ]
    return []
