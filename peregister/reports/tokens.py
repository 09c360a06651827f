"""API tokens of an employer (the HR API): the beheerder or 2e contactpersoon creates, names,
optionally dates and revokes them; the API finds a token by its digest.

The key's life (digest, shown once, audit of create, revoke and use) is
``accounts.apikeys``, shared with the providers' API keys. Who may act, and what a token
reads, is the report policy (``access.policies.report_scope``): a token acts as the user who
made it, so it stops when that user may no longer fetch the *rapportage* (deactivated, no
longer beheerder or 2e contactpersoon, organisation suspended), when it is revoked, and after
its date. That is the providers' API keys' rule too (``providers.keys.key_for``), and what an
employer expects of anything a person set up: when that person leaves or hands the role to
someone without it, what they set up stops, and the new beheerder makes their own. The page
shows each token's ``state`` from the same steps as the API, so it never lists a token as
working that answers 401 (review 16 F7).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils.translation import gettext as _

from peregister.access import policies
from peregister.accounts import apikeys
from peregister.accounts.roles import act_for_organisation
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.organisations.models import Contact
from peregister.reports.models import OrganisationToken, TokenReadDay

TOKEN_PREFIX = "peo_"  # noqa: S105 - a prefix, not a secret
# A date further ahead is a typo more often than a plan; a token can always be made again.
MAX_DAYS = 5 * 366


@dataclass(frozen=True)
class TokenAccess:
    """What one API request may read: the token and the report scope it acts with."""

    token: OrganisationToken
    scope: policies.ReportScope
    # The token's ``hr_api.read`` event of the request's Amsterdam day, if made already
    # (read with the token: no query of its own).
    read_event_id: int | None = None

    @property
    def code(self) -> str:  # the rate limit's bucket (core.bearer)
        return str(self.token.code)


def _manager_scope(actor: Any) -> policies.ReportScope:
    scope = policies.report_scope(actor)
    if scope is None:
        raise Refused(
            _("Alleen de beheerder of 2e contactpersoon van de organisatie kan dit doen.")
        )
    return scope


def create_token(
    *, actor: Any, name: str, expires_on: dt.date | None = None
) -> tuple[OrganisationToken, str]:
    """A new token for the actor's organisation; returns it with the raw token (shown once)."""
    scope = _manager_scope(actor)
    today = clock.today()
    if expires_on is not None and not (today <= expires_on <= today + dt.timedelta(days=MAX_DAYS)):
        raise Refused(
            _("Kies een datum vanaf vandaag en hoogstens vijf jaar vooruit."), field="expires_on"
        )
    return apikeys.create_key(
        OrganisationToken,
        actor=actor,
        prefix=TOKEN_PREFIX,
        name=name,
        organisation=scope.organisation,
        contact=scope.contact,
        organisation_id=scope.organisation.pk,
        expires_on=expires_on,
    )


def revoke_token(*, actor: Any, token: OrganisationToken) -> OrganisationToken:
    scope = _manager_scope(actor)
    if token.organisation_id != scope.organisation.pk:
        raise Refused(_("Deze sleutel is niet van uw organisatie."))
    return apikeys.revoke_key(
        token, actor=actor, organisation=scope.organisation, contact=scope.contact
    )


def is_expired(token: OrganisationToken, at: dt.datetime | None = None) -> bool:
    return token.expires_on is not None and token.expires_on < clock.local_date(at or clock.now())


def _with_maker() -> Any:
    """Tokens with what judging them needs, in two queries: the maker (and whether they are a
    professional) with the token, their contacts with their organisations in the second."""
    return OrganisationToken.objects.select_related(
        "organisation", "created_by", "created_by__professional"
    ).prefetch_related(
        Prefetch("created_by__contacts", queryset=Contact.objects.select_related("organisation"))
    )


class TokenState(StrEnum):
    """What the API-tokens page says of a token: the API's own decision (``state``)."""

    WORKS = "works"
    REVOKED = "revoked"
    EXPIRED = "expired"
    # Its maker may no longer fetch the report: no longer beheerder or 2e contactpersoon
    # (a hand-over to a plain contact), deactivated, or their account closed.
    MAKER_STOPPED = "maker_stopped"


def _maker_scope(token: OrganisationToken, at: dt.datetime) -> policies.ReportScope | None:
    """The report the token reads at ``at``: its maker's, acting for the token's own
    organisation whatever else they are a contact of (the maker loaded just now, with the
    token: see ``report_scope``). None when the maker may no longer fetch it."""
    roles = act_for_organisation(token.created_by, token.organisation_id)
    if roles is None:
        return None
    scope = policies.report_scope(roles, at)
    if scope is None or scope.organisation.pk != token.organisation_id:
        return None
    return scope


def _judged(
    token: OrganisationToken, at: dt.datetime
) -> tuple[TokenState, policies.ReportScope | None]:
    """Whether a token (loaded with ``_with_maker``) answers at ``at``, and the scope it then
    reads: the one decision behind the page (``state``) and the API (``access_for``)."""
    if token.revoked_at is not None:
        return TokenState.REVOKED, None
    if is_expired(token, at):
        return TokenState.EXPIRED, None
    scope = _maker_scope(token, at)
    return (TokenState.WORKS, scope) if scope is not None else (TokenState.MAKER_STOPPED, None)


def state(token: OrganisationToken, at: dt.datetime) -> TokenState:
    """Whether a token (loaded with ``_with_maker``) answers at ``at``, and if not why: the
    same steps as ``access_for``, so the page and the API never disagree."""
    return _judged(token, at)[0]


def organisation_tokens(scope: policies.ReportScope) -> list[OrganisationToken]:
    """The API-tokens page: the organisation's tokens, each with its ``state`` and the maker's
    name as a contact of this organisation (a person may be a contact of several); three
    queries whatever the number of tokens."""
    found = list(
        _with_maker()
        .filter(organisation=scope.organisation)
        .annotate(
            maker_name=Subquery(
                Contact.objects.filter(
                    user_id=OuterRef("created_by_id"), organisation=scope.organisation
                ).values("name")[:1]
            )
        )
        .order_by("revoked_at", "-created_at", "-id")
    )
    for token in found:
        token.state = state(token, scope.at)  # type: ignore[attr-defined]
    return found


def access_for(raw: str) -> TokenAccess | None:
    """What ``raw`` may read now: the live token's report scope, or None (401). A known token
    that does not work is an ``access.denied`` event (``apikeys.record_refused``); its use is
    recorded by ``record_use`` once the rate limit admits the request."""
    now = clock.now()
    day_event = TokenReadDay.objects.filter(token=OuterRef("pk"), day=clock.local_date(now))
    token: OrganisationToken | None = apikeys.find_key(
        _with_maker().annotate(read_event_id=Subquery(day_event.values("event_id")[:1])),
        raw,
        TOKEN_PREFIX,
        organisation_of=_organisation,
    )
    if token is None:
        return None
    found, scope = _judged(token, now)
    if scope is None:
        # Expired, or its maker may no longer act: a security event as for a provider's key
        # (revoked ones are recorded by ``find_key``), as rarely.
        apikeys.record_refused(token, reason=found.value, organisation=token.organisation)
        return None
    return TokenAccess(token=token, scope=scope, read_event_id=token.read_event_id)  # type: ignore[attr-defined]


def _organisation(token: OrganisationToken) -> Any:
    return token.organisation


def read_event(access: TokenAccess) -> int:
    """The token's ``hr_api.read`` event of the request's Amsterdam day (``scope.today``),
    made by the day's first answer that shows a professional: the professionals of every
    answer that day are linked to it once (``audit.service.link_once``), so *Wie bekeek mijn
    dossier* shows one line per token per day, at the moment of that first answer. Inside the
    caller's transaction; a concurrent first answer of the same day finds the other's event."""
    if access.read_event_id is not None:
        return access.read_event_id
    token, day = access.token, access.scope.today
    try:
        with transaction.atomic():
            event = record(
                AuditEvent.Action.HR_API_READ,
                actor=token.created_by,
                organisation=access.scope.organisation,
                contact=access.scope.contact,
                token=str(token.code),
                token_name=token.name,
                day=day.isoformat(),
            )
            TokenReadDay.objects.create(token=token, day=day, event=event)
    except IntegrityError:
        return TokenReadDay.objects.get(token=token, day=day).event_id
    return event.pk


def record_use(access: TokenAccess) -> None:
    """An admitted request with the token: its last use and an audit event."""
    apikeys.record_use(access.token, organisation=access.token.organisation)
