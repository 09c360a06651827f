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


IN_PROCESS_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
QUEUED_TASKS = "django_tasks_db.DatabaseBackend"


@register(Tags.compatibility, deploy=True)
def tasks_run_in_the_worker(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """With in-process tasks a web worker would make every *rapportage* file, large import and
    data export itself (issue 12): production queues them for ``run_worker``."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or backend == QUEUED_TASKS:
        return []
    if backend == IN_PROCESS_TASKS:
        return [
            Warning(
                "TASKS_BACKEND is the immediate backend: reports, imports and data exports would "
                "run inside the web workers.",
                hint="Leave TASKS_BACKEND unset (django_tasks_db.DatabaseBackend) and run "
                "manage.py run_worker.",
                id="ops.W002",
            )
        ]
    # Any other (the dummy backend keeps tasks and never runs them): every report and data
    # export would wait until it is given up on.
    return [
        Warning(
            f"TASKS_BACKEND is {backend!r}: run_worker does not run its tasks, so reports, "
            "imports and data exports would never be made.",
            hint="Leave TASKS_BACKEND unset (django_tasks_db.DatabaseBackend) and run "
            "manage.py run_worker.",
            id="ops.W002",
        )
    ]
