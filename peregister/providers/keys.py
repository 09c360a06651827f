"""API keys: the provider's beheerder creates, names and revokes them; the API finds a key by
its digest. The raw key exists only in the answer to its creation."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peregister.accounts.actors import require_provider_manager
from peregister.accounts.roles import roles_of
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.providers.models import ApiKey

KEY_PREFIX = "pe_"
MAX_NAME = 100


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_key(*, actor: Any, name: str) -> tuple[ApiKey, str]:
    """A new key for the actor's provider; returns it with the raw key (shown once)."""
    contact = require_provider_manager(actor)
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise Refused(_("Geef de sleutel een naam van hoogstens 100 tekens."), field="name")
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            provider=contact.organisation,
            name=name,
            prefix=raw[:10],
            digest=digest(raw),
            created_by=actor,
            created_at=clock.now(),
        )
        record(
            AuditEvent.Action.API_KEY_CREATED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            key=str(key.code),
            prefix=key.prefix,
        )
    return key, raw


def revoke_api_key(*, actor: Any, key: ApiKey) -> ApiKey:
    contact = require_provider_manager(actor)
    if key.provider_id != contact.organisation_id:
        raise Refused(_("Deze sleutel is niet van uw organisatie."))
    with transaction.atomic():
        now = clock.now()
        changed = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor
        )
        if not changed:
            raise Refused(_("Deze sleutel is al ingetrokken."), conflict=True)
        record(
            AuditEvent.Action.API_KEY_REVOKED,
            actor=actor,
            organisation=contact.organisation,
            contact=contact,
            key=str(key.code),
            prefix=key.prefix,
        )
    key.refresh_from_db()
    return key


def key_for(raw: str) -> ApiKey | None:
    """The live key ``raw`` stands for, if its maker may still act for an authorised provider.
    Anything else is None (the API answers 401). Its use is recorded by ``record_use`` once
    the request is admitted (not for a request refused by the rate limit)."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    key = (
        ApiKey.objects.select_related("provider", "created_by__contact__organisation")
        .filter(digest=digest(raw), revoked_at__isnull=True)
        .first()
    )
    if key is None:
        return None
    roles = roles_of(key.created_by)
    if (
        not key.created_by.is_active
        or not roles.provides
        or roles.contact is None
        or roles.contact.organisation_id != key.provider_id
    ):
        return None
    return key


def record_use(key: ApiKey) -> None:
    """An admitted request with ``key``: its last use and an audit event."""
    with transaction.atomic():
        now = clock.now()
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        record(
            AuditEvent.Action.API_KEY_USED,
            actor=key.created_by,
            organisation=key.provider,
            key=str(key.code),
            prefix=key.prefix,
        )
