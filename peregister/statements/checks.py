"""System checks for the signing key: it loads, and in production it lives outside the code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from peregister.statements.keys import SigningKeyError, signing_key


@register()
def signing_key_loads(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not (settings.STATEMENT_SIGNING_KEY or settings.STATEMENT_SIGNING_KEY_FILE):
        return []  # development and tests generate their own; production settings refuse this
    try:
        signing_key()
    except SigningKeyError as exc:
        return [Error(str(exc), id="statements.E001")]
    return []


@register(deploy=True)
def signing_key_outside_repository(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    path = settings.STATEMENT_SIGNING_KEY_FILE
    if path and Path(path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve()):
        return [
            Warning(
                "STATEMENT_SIGNING_KEY_FILE lies inside the application directory.",
                hint="Keep the signing key outside the code (e.g. /etc/pe-register/).",
                id="statements.W001",
            )
        ]
    return []
