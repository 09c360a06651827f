"""The one path for machine credentials (``core.models.SecretKey``): a provider's
*API-sleutel* and an employer's *API-token* are made, found and revoked here.

The raw key exists only in the answer to its creation; the database keeps its SHA-256 digest
(a key has 256 random bits: a plain digest cannot be searched back, unlike a password) and its
first characters to recognise it. Each step is audited in the caller's transaction, with the
organisation the key belongs to. The callers decide who may act (``accounts.actors``,
``access.policies``); this module only keeps the key's life.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.models import SecretKey
from peregister.core.refusals import Refused

MAX_NAME = 100
# Longer than any key made here: a longer header is not looked up at all.
MAX_RAW = 200

Key = TypeVar("Key", bound=SecretKey)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Refused(_("Geef de sleutel een naam van hoogstens 100 tekens."), field="name")
    return name


def create_key(
    model: type[Key],
    *,
    actor: Any,
    prefix: str,
    name: str,
    organisation: Any,
    contact: Any,
    **fields: Any,
) -> tuple[Key, str]:
    """A new key of ``model`` (``fields`` scope it); returns it with the raw key (shown once)."""
    name = clean_name(name)
    raw = prefix + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = model._default_manager.create(
            name=name,
            prefix=raw[:10],
            digest=digest(raw),
            created_by=actor,
            created_at=clock.now(),
            **fields,
        )
        record(
            AuditEvent.Action.API_KEY_CREATED,
            actor=actor,
            organisation=organisation,
            contact=contact,
            key=str(key.code),
            prefix=key.prefix,
            kind=model._meta.model_name,
        )
    return key, raw


def revoke_key(key: Key, *, actor: Any, organisation: Any, contact: Any) -> Key:
    """Revoke ``key`` now (a second revocation is refused: 409 in the API, a message on a
    page)."""
    model = type(key)
    with transaction.atomic():
        changed = model._default_manager.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=clock.now(), revoked_by=actor
        )
        if not changed:
            raise Refused(_("Deze sleutel is al ingetrokken."), conflict=True)
        record(
            AuditEvent.Action.API_KEY_REVOKED,
            actor=actor,
            organisation=organisation,
            contact=contact,
            key=str(key.code),
            prefix=key.prefix,
            kind=model._meta.model_name,
        )
    key.refresh_from_db()
    return key


def find_key(queryset: Any, raw: str, prefix: str) -> Any | None:
    """The unrevoked key of ``queryset`` that ``raw`` stands for, or None."""
    if not raw.startswith(prefix) or len(raw) > MAX_RAW:
        return None
    return queryset.filter(digest=digest(raw), revoked_at__isnull=True).first()


def record_use(key: SecretKey, *, organisation: Any) -> None:
    """Each use of a key is audited, as its maker (the key acts for them)."""
    with transaction.atomic():
        type(key)._default_manager.filter(pk=key.pk).update(last_used_at=clock.now())
        record(
            AuditEvent.Action.API_KEY_USED,
            actor=key.created_by,
            organisation=organisation,
            key=str(key.code),
            prefix=key.prefix,
            kind=type(key)._meta.model_name,
        )
