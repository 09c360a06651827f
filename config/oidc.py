"""OpenID Connect identity providers from the environment (single sign-on, README "Single
sign-on"). Pure parsing, no Django: ``config/settings.py`` calls ``providers_from_env`` once.

``OIDC_PROVIDERS=mijnseu,other`` names the providers; each has its own variables
``OIDC_<NAME>_ISSUER``, ``…_CLIENT_ID``, ``…_CLIENT_SECRET`` (or ``…_CLIENT_SECRET_FILE``),
``…_LABEL`` and the optional ones below. A value that cannot be right stops the start (a typo
must not quietly switch a check off).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]{0,29}$")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
# The ``amr`` values (RFC 8176) that on their own say the login used several factors. Only
# counted when the provider's TRUST_MFA is on. ``otp``, ``hwk``, ``sms``, ``fpt``… each name
# one factor and are not enough alone; two of different kinds together are (``MFA_AMR_COMBINED``,
# on by default; ``accounts.sso.AMR_FACTOR_KINDS`` says which kind each value is).
DEFAULT_MFA_AMR = "mfa"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _flag(env: Mapping[str, str], name: str, *, default: bool = False) -> bool:
    word = env.get(name, "").strip().lower()
    if not word:
        return default
    if word in FALSE_WORDS:
        return False
    if word in TRUE_WORDS:
        return True
    raise ImproperlyConfigured(f"{name}={env[name]!r} is not a yes/no value.")


def _words(value: str) -> list[str]:
    return [word.strip() for word in value.replace(" ", ",").split(",") if word.strip()]


def _secret(env: Mapping[str, str], prefix: str) -> str:
    secret = env.get(f"{prefix}CLIENT_SECRET", "").strip()
    secret_file = env.get(f"{prefix}CLIENT_SECRET_FILE", "").strip()
    if secret_file:
        try:
            secret = Path(secret_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{prefix}CLIENT_SECRET_FILE names a file that cannot be read."
            ) from exc
    if not secret:
        raise ImproperlyConfigured(f"Set {prefix}CLIENT_SECRET or {prefix}CLIENT_SECRET_FILE.")
    return secret


def _issuer(env: Mapping[str, str], prefix: str, *, allow_http_loopback: bool) -> str:
    issuer = env.get(f"{prefix}ISSUER", "").strip().rstrip("/")
    parts = urlsplit(issuer)
    loopback_http = (
        allow_http_loopback and parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    )
    if not parts.hostname or not (parts.scheme == "https" or loopback_http):
        raise ImproperlyConfigured(
            f"Set {prefix}ISSUER to the provider's https issuer URL (its "
            "/.well-known/openid-configuration is read from there)."
        )
    return issuer


def provider_from_env(
    env: Mapping[str, str], name: str, *, allow_http_loopback: bool = False
) -> dict[str, Any]:
    prefix = f"OIDC_{name.upper()}_"
    client_id = env.get(f"{prefix}CLIENT_ID", "").strip()
    if not client_id:
        raise ImproperlyConfigured(f"Set {prefix}CLIENT_ID.")
    number_claim = env.get(f"{prefix}NUMBER_CLAIM", "").strip()
    email_claim = env.get(f"{prefix}EMAIL_CLAIM", "email").strip()
    if not (number_claim or email_claim):
        raise ImproperlyConfigured(f"Set {prefix}NUMBER_CLAIM or {prefix}EMAIL_CLAIM.")
    scope = _words(env.get(f"{prefix}SCOPE", "openid email profile"))
    if "openid" not in scope:
        raise ImproperlyConfigured(f"{prefix}SCOPE must include openid.")
    return {
        "name": name,
        "issuer": _issuer(env, prefix, allow_http_loopback=allow_http_loopback),
        "client_id": client_id,
        "client_secret": _secret(env, prefix),
        "label": env.get(f"{prefix}LABEL", "").strip() or name,
        "scope": " ".join(scope),
        "number_claim": number_claim,
        "email_claim": email_claim,
        "trust_email": _flag(env, f"{prefix}TRUST_EMAIL"),
        "trust_mfa": _flag(env, f"{prefix}TRUST_MFA"),
        "mfa_amr": _words(env.get(f"{prefix}MFA_AMR", DEFAULT_MFA_AMR)),
        "mfa_amr_combined": _flag(env, f"{prefix}MFA_AMR_COMBINED", default=True),
        "mfa_acr": _words(env.get(f"{prefix}MFA_ACR", "")),
        "form_action": _words(env.get(f"{prefix}FORM_ACTION", "")),
    }


def providers_from_env(
    env: Mapping[str, str], *, allow_http_loopback: bool = False
) -> list[dict[str, Any]]:
    """Every configured provider, in the order of ``OIDC_PROVIDERS`` (the buttons' order)."""
    names = [name.strip().lower() for name in env.get("OIDC_PROVIDERS", "").split(",")]
    providers: list[dict[str, Any]] = []
    for name in filter(None, names):
        if not NAME_PATTERN.match(name):
            raise ImproperlyConfigured(
                f"OIDC_PROVIDERS: {name!r} is not a name (a letter, then letters or digits)."
            )
        if any(provider["name"] == name for provider in providers):
            raise ImproperlyConfigured(f"OIDC_PROVIDERS names {name!r} twice.")
        providers.append(provider_from_env(env, name, allow_http_loopback=allow_http_loopback))
    return providers


def form_action_origins(providers: list[dict[str, Any]]) -> list[str]:
    """The origins the login button and the logout form end up at: both post to the register,
    which answers with a redirect to the provider, and browsers hold that redirect to the
    Content-Security-Policy's ``form-action`` as well. The issuer's origin, plus any listed in
    ``OIDC_<NAME>_FORM_ACTION`` for a provider whose login or logout page lives elsewhere."""
    origins: set[str] = set()
    for provider in providers:
        for url in [provider["issuer"], *provider.get("form_action", [])]:
            parts = urlsplit(url)
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)
