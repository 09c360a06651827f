"""Single sign-on through OpenID Connect: the protocol side, all of it Authlib's.

Authlib's Django client does the flow: discovery, the authorization code request with PKCE
(S256), ``state`` and ``nonce`` kept in the session and checked once (a replayed ``state``
finds nothing), the code exchange, the JWKS fetch (again when a key id is unknown: the
provider rotated) and the ID token's signature and claims. This module only configures it:
which issuer and audience to demand (``claims_options``), how much clock skew to allow
(``OIDC_LEEWAY_SECONDS``), and turns each of its errors into a Dutch refusal with a reason code
for the audit log. No code here checks a signature or a claim by itself.

Which account an identity belongs to, and the writes, are in ``accounts.sso_services``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)

from peregister.core.refusals import Refused
from peregister.notifications.mail import absolute_url

logger = logging.getLogger(__name__)

# The session keys of an SSO login: which provider and the ID token (the ``id_token_hint`` of
# RP-initiated logout); and an identity that is not linked yet (the *niet gekoppeld* page).
SESSION_LOGIN = "pe_sso_login"
SESSION_PENDING = "pe_sso_pending"
SESSION_NEXT = "pe_sso_next"


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    label: str
    scope: str
    number_claim: str
    email_claim: str
    trust_email: bool
    trust_mfa: bool
    mfa_amr: tuple[str, ...]
    mfa_acr: tuple[str, ...]
    form_action: tuple[str, ...] = ()
    mfa_amr_combined: bool = True

    @property
    def redirect_uri(self) -> str:
        """The callback the provider must have registered for this client (README)."""
        return absolute_url(reverse("accounts:sso_callback", kwargs={"provider": self.name}))


def provider_from_config(config: dict[str, Any]) -> Provider:
    """One provider as ``config.oidc.provider_from_env`` parsed it."""
    return Provider(
        **{
            **config,
            "mfa_amr": tuple(config["mfa_amr"]),
            "mfa_acr": tuple(config["mfa_acr"]),
            "form_action": tuple(config.get("form_action", ())),
        }
    )


def providers() -> list[Provider]:
    """The configured providers, in the order of ``OIDC_PROVIDERS`` (the login buttons)."""
    return [provider_from_config(config) for config in settings.OIDC_PROVIDERS]


def provider_named(name: str) -> Provider | None:
    return next((provider for provider in providers() if provider.name == name), None)


# One Authlib client per provider configuration: it caches the discovery document and the
# JWKS for the life of the process (a key id it does not know makes it fetch the keys again).
_clients: dict[Provider, Any] = {}


def client_for(provider: Provider) -> Any:
    client = _clients.get(provider)
    if client is None:
        registry = OAuth()
        client = registry.register(
            name=f"oidc_{provider.name}",
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": provider.scope,
                "code_challenge_method": "S256",
                "default_timeout": settings.OIDC_HTTP_TIMEOUT,
            },
        )
        _clients[provider] = client
    return client


# --- refusals -------------------------------------------------------------------------------


class Reason:
    """Why an SSO login was refused (the audit event's ``reason``)."""

    STATE = "state"
    CANCELLED = "cancelled"
    PROVIDER_ERROR = "provider_error"
    UNREACHABLE = "unreachable"
    BAD_SIGNATURE = "bad_signature"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired"
    UNKNOWN_ISSUER = "unknown_issuer"
    NONCE = "nonce_mismatch"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - a reason code, not a secret
    NO_ID_TOKEN = "no_id_token"  # noqa: S105 - a reason code, not a secret
    INACTIVE = "inactive_account"


MESSAGES = {
    Reason.STATE: _(
        "Deze inlogpoging is verlopen of al gebruikt. Start opnieuw via de knop op de loginpagina."
    ),
    Reason.CANCELLED: _("Het inloggen bij %(label)s is afgebroken. U bent niet ingelogd."),
    Reason.PROVIDER_ERROR: _(
        "%(label)s heeft het inloggen geweigerd. Probeer het opnieuw of log in met uw "
        "gebruikersnaam en wachtwoord."
    ),
    Reason.UNREACHABLE: _(
        "%(label)s is op dit moment niet bereikbaar. Probeer het later opnieuw of log in met uw "
        "gebruikersnaam en wachtwoord."
    ),
    Reason.BAD_SIGNATURE: _(
        "Het inlogbewijs van %(label)s is niet echt: de handtekening klopt niet. U bent niet "
        "ingelogd."
    ),
    Reason.WRONG_AUDIENCE: _(
        "Het inlogbewijs van %(label)s is niet voor PE-register bestemd. U bent niet ingelogd."
    ),
    Reason.EXPIRED: _(
        "Het inlogbewijs van %(label)s is verlopen. Start opnieuw via de knop op de loginpagina."
    ),
    Reason.UNKNOWN_ISSUER: _(
        "Het inlogbewijs komt niet van %(label)s maar van een onbekende uitgever. U bent niet "
        "ingelogd."
    ),
    Reason.NONCE: _(
        "Het inlogbewijs van %(label)s hoort niet bij deze inlogpoging. Start opnieuw via de "
        "knop op de loginpagina."
    ),
    Reason.INVALID_TOKEN: _(
        "Het inlogbewijs van %(label)s is onvolledig of ongeldig. U bent niet ingelogd."
    ),
    Reason.NO_ID_TOKEN: _("%(label)s gaf geen inlogbewijs (ID-token) mee. U bent niet ingelogd."),
    Reason.INACTIVE: _(
        "Het account dat bij uw %(label)s-account hoort, is niet actief. Neem contact op met "
        "het register."
    ),
}


def refusal(provider: Provider, reason: str) -> Refused:
    return Refused(MESSAGES[reason] % {"label": provider.label}, code=reason)


def _claim_refusal(provider: Provider, error: ClaimError) -> Refused:
    claim = getattr(error, "claim", "")
    reason = {
        "aud": Reason.WRONG_AUDIENCE,
        "azp": Reason.WRONG_AUDIENCE,
        "iss": Reason.UNKNOWN_ISSUER,
        "nonce": Reason.NONCE,
        "exp": Reason.EXPIRED,
    }.get(claim, Reason.INVALID_TOKEN)
    return refusal(provider, reason)


# --- the flow -------------------------------------------------------------------------------


def _metadata(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document; its ``issuer`` must be the configured one exactly
    (OpenID Connect Discovery 1.0 §4.3), else a look-alike could hand out its own keys."""
    try:
        metadata: dict[str, Any] = client_for(provider).load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("SSO provider %s: discovery failed (%s)", provider.name, type(exc).__name__)
        raise refusal(provider, Reason.UNREACHABLE) from exc
    if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer:
        _clients.pop(provider, None)
        raise refusal(provider, Reason.UNKNOWN_ISSUER)
    return metadata


def authorization_redirect(request: HttpRequest, provider: Provider) -> Any:
    """The redirect to the provider's login page (state, nonce and PKCE kept in the session)."""
    _metadata(provider)
    try:
        return client_for(provider).authorize_redirect(request, provider.redirect_uri)
    except requests.RequestException as exc:
        raise refusal(provider, Reason.UNREACHABLE) from exc


def complete(request: HttpRequest, provider: Provider) -> dict[str, Any]:
    """Finish the flow on the callback: the token response with its checked ID token's claims
    under ``userinfo``. Raises ``Refused`` (``code`` a ``Reason``) for anything wrong."""
    _metadata(provider)
    # Built per call: Authlib takes the ``validate`` hooks out of the options it is given.
    claims_options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
    }
    try:
        token: dict[str, Any] = client_for(provider).authorize_access_token(
            request, claims_options=claims_options, leeway=settings.OIDC_LEEWAY_SECONDS
        )
    except MismatchingStateError as exc:
        raise refusal(provider, Reason.STATE) from exc
    except OAuthError as exc:
        cancelled = exc.error in ("access_denied", "login_required", "consent_required")
        raise refusal(provider, Reason.CANCELLED if cancelled else Reason.PROVIDER_ERROR) from exc
    except requests.RequestException as exc:
        raise refusal(provider, Reason.UNREACHABLE) from exc
    except ExpiredTokenError as exc:
        raise refusal(provider, Reason.EXPIRED) from exc
    except ClaimError as exc:
        raise _claim_refusal(provider, exc) from exc
    except (BadSignatureError, InvalidKeyIdError) as exc:
        raise refusal(provider, Reason.BAD_SIGNATURE) from exc
    except (JoseError, ValueError) as exc:
        raise refusal(provider, Reason.INVALID_TOKEN) from exc
    if not token.get("userinfo") or not token.get("id_token"):
        raise refusal(provider, Reason.NO_ID_TOKEN)
    return token


# The kind of factor each RFC 8176 ``amr`` value proves: something known, something held,
# something one is. Two values of different kinds are two factors; two of one kind (``otp``
# and ``sms``) are still one. Values that name no factor (``mca``, ``rba``, ``geo``, ``user``,
# ``wia``) and ``mfa`` itself are not listed.
AMR_FACTOR_KINDS = {
    "pwd": "know",
    "pin": "know",
    "kba": "know",
    "otp": "have",
    "hwk": "have",
    "swk": "have",
    "sms": "have",
    "tel": "have",
    "sc": "have",
    "pop": "have",
    "fpt": "are",
    "face": "are",
    "iris": "are",
    "retina": "are",
    "vbm": "are",
}


def second_factor_by_provider(provider: Provider, claims: dict[str, Any]) -> bool:
    """Did the provider assert several factors that this register is configured to trust
    for it? Off unless ``OIDC_<NAME>_TRUST_MFA``. ``amr`` (RFC 8176, case-sensitive): a value
    listed in ``MFA_AMR`` (by default only ``mfa``), or, with ``MFA_AMR_COMBINED`` (on by
    default), values of two different kinds of factor; or an ``acr`` listed in ``MFA_ACR``."""
    if not provider.trust_mfa:
        return False
    amr = claims.get("amr")
    if isinstance(amr, list):
        values = {value for value in amr if isinstance(value, str)}
        if values & set(provider.mfa_amr):
            return True
        kinds = {AMR_FACTOR_KINDS[value] for value in values if value in AMR_FACTOR_KINDS}
        if provider.mfa_amr_combined and len(kinds) >= 2:
            return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in provider.mfa_acr


def verified_email(provider: Provider, claims: dict[str, Any]) -> str:
    """The e-mail address the provider vouches for: ``email_verified`` true, or a provider the
    register trusts for its addresses (``OIDC_<NAME>_TRUST_EMAIL``). Else ""."""
    email = claims.get(provider.email_claim) if provider.email_claim else None
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        return ""
    if claims.get("email_verified") is True or provider.trust_email:
        return email.strip().lower()
    return ""


def registration_number(provider: Provider, claims: dict[str, Any]) -> str:
    number = claims.get(provider.number_claim) if provider.number_claim else None
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str) or not number.strip() or len(number) > 20:
        return ""
    return number.strip()


def logout_url(request: HttpRequest) -> str | None:
    """Where to send the browser after logging out locally, when the session came from SSO:
    the provider's ``end_session_endpoint`` with ``id_token_hint`` and
    ``post_logout_redirect_uri`` (OpenID Connect RP-Initiated Logout 1.0). None otherwise."""
    login = request.session.get(SESSION_LOGIN)
    if not isinstance(login, dict):
        return None
    provider = provider_named(str(login.get("provider", "")))
    if provider is None:
        return None
    try:
        result = client_for(provider).create_logout_url(
            post_logout_redirect_uri=absolute_url(reverse("accounts:login")),
            id_token_hint=login.get("id_token"),
            client_id=provider.client_id,
        )
    except (requests.RequestException, RuntimeError, ValueError) as exc:
        # No end-session endpoint, or the provider is down: the local logout still happened.
        logger.warning("SSO provider %s: no RP-initiated logout (%s)", provider.name, exc)
        return None
    return str(result["url"])
