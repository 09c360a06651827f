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
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock, ratelimit
from peregister.core.models import SecretKey
from peregister.core.refusals import Refused

MAX_NAME = 100
# Longer than any key made here: a longer header is not looked up at all.
MAX_RAW = 200
# A known key that no longer works is a security event at most this often per key per hour:
# enough for staff to see it is still in use somewhere; a client retrying it in a loop
# cannot fill the audit table.
REFUSED_EVENTS_PER_HOUR = 5

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


def find_key(
    queryset: Any, raw: str, prefix: str, organisation_of: Callable[[Any], Any] | None = None
) -> Any | None:
    """The unrevoked key of ``queryset`` that ``raw`` stands for, or None. A revoked key is
    recorded (``record_refused``, with the organisation ``organisation_of`` gives)."""
    if not raw.startswith(prefix) or len(raw) > MAX_RAW:
        return None
    # One query for live and revoked alike: the digest is unique.
    key = queryset.filter(digest=digest(raw)).first()
    if key is not None and key.revoked_at is not None:
        record_refused(
            key, reason="revoked", organisation=organisation_of(key) if organisation_of else None
        )
        return None
    return key


def record_refused(key: SecretKey, *, reason: str, organisation: Any = None) -> None:
    """A request with a known key that does not work (revoked, expired, its maker may no
    longer act): an ``access.denied`` security event naming the key (its code and first
    characters, never the key), at most ``REFUSED_EVENTS_PER_HOUR`` per key per hour."""
    if not ratelimit.hit(
        "api-key-refused", str(key.code), limit=REFUSED_EVENTS_PER_HOUR, per_seconds=3600
    ):
        return
    with transaction.atomic():
        record(
            AuditEvent.Action.ACCESS_DENIED,
            actor=key.created_by,
            organisation=organisation,
            page="api",
            reason=reason,
            key=str(key.code),
            prefix=key.prefix,
            kind=type(key)._meta.model_name,
        )


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
