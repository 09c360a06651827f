"""API keys: the provider's beheerder creates, names and revokes them; the API finds a key by
its digest. The key's life (digest, shown once, audit) is ``accounts.apikeys``, shared with the
employers' API tokens; this module says who may act for a provider."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peregister.accounts import apikeys
from peregister.accounts.actors import require_provider_manager
from peregister.accounts.roles import act_for_organisation
from peregister.core.refusals import Refused
from peregister.organisations.models import Organisation
from peregister.providers.models import ApiKey

KEY_PREFIX = "pe_"
# A provider's administration needs a key or two (one per system, one being replaced); more
# live keys are more secrets to leak and to forget to revoke.
MAX_ACTIVE_KEYS = 10
MAX_NAME = apikeys.MAX_NAME
digest = apikeys.digest


def create_api_key(*, actor: Any, name: str) -> tuple[ApiKey, str]:
    """A new key for the actor's provider; returns it with the raw key (shown once)."""
    contact = require_provider_manager(actor)
    with transaction.atomic():
        # Two beheerders creating a key at once queue here, so the cap holds (PostgreSQL).
        Organisation.objects.select_for_update().filter(pk=contact.organisation_id).exists()
        live = ApiKey.objects.filter(provider_id=contact.organisation_id, revoked_at__isnull=True)
        if live.count() >= MAX_ACTIVE_KEYS:
            raise Refused(
                _(
                    "Uw organisatie heeft al %(count)s werkende API-sleutels. Trek een sleutel "
                    "in die u niet meer gebruikt en maak dan een nieuwe."
                )
                % {"count": MAX_ACTIVE_KEYS},
                field="name",
            )
        return apikeys.create_key(
            ApiKey,
            actor=actor,
            prefix=KEY_PREFIX,
            name=name,
            organisation=contact.organisation,
            contact=contact,
            provider=contact.organisation,
        )


def revoke_api_key(*, actor: Any, key: ApiKey) -> ApiKey:
    contact = require_provider_manager(actor)
    if key.provider_id != contact.organisation_id:
        raise Refused(_("Deze sleutel is niet van uw organisatie."))
    return apikeys.revoke_key(key, actor=actor, organisation=contact.organisation, contact=contact)


def key_for(raw: str) -> ApiKey | None:
    """The live key ``raw`` stands for, if its maker may still act for an authorised provider.
    Anything else is None (the API answers 401). Its use is recorded by ``record_use`` once
    the request is admitted (not for a request refused by the rate limit)."""
    key: ApiKey | None = apikeys.find_key(
        ApiKey.objects.select_related("provider", "created_by").prefetch_related(
            "created_by__contacts__organisation"
        ),
        raw,
        KEY_PREFIX,
        organisation_of=lambda key: key.provider,
    )
    if key is None:
        return None
    # The key acts for its own provider, whatever else its maker is a contact of.
    roles = act_for_organisation(key.created_by, key.provider_id)
    if roles is None or not roles.provides or roles.contact is None:
        apikeys.record_refused(key, reason="maker_cannot_act", organisation=key.provider)
        return None
    return key


def record_use(key: ApiKey) -> None:
    """An admitted request with ``key``: its last use and an audit event."""
    apikeys.record_use(key, organisation=key.provider)
