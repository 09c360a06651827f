"""The register's Ed25519 signing key for *PE-verklaringen*, and the public keys it publishes.

Production reads the private key (PEM, PKCS#8) from ``STATEMENT_SIGNING_KEY`` or from the file
named by ``STATEMENT_SIGNING_KEY_FILE`` (outside the repository); settings refuse to start
without one. Development generates one into ``var/`` (git-ignored) on first use; the test
suite generates one per process. No error message or log line ever contains key material.

Rotation: configure a new key. Its public half is recorded in ``PublishedKey`` the first time
it signs; earlier keys stay there, so the JWKS keeps every key a statement was signed with.
Retirement (``retire_signing_key``): a retired key leaves the JWKS and verifies nothing, and
the register refuses to sign with it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from django.conf import settings
from joserfc.jwk import OKPKey

from peregister.core import clock
from peregister.statements.keyfile import CURVE, ensure_key_file
from peregister.statements.models import PublishedKey

ALGORITHM = "EdDSA"


class SigningKeyError(Exception):
    """The configured key is missing or unusable; the message names the setting, not the key."""


def _parse(pem: bytes) -> OKPKey:
    try:
        key = OKPKey.import_key(pem)
    except Exception:
        # ``from None``: the parser's own error could quote part of the input.
        raise SigningKeyError(
            "The PE-verklaring signing key is not a PEM-encoded Ed25519 private key."
        ) from None
    if key.curve_name != CURVE or not key.is_private:
        raise SigningKeyError("The PE-verklaring signing key must be an Ed25519 private key.")
    return key


@functools.lru_cache(maxsize=8)
def _parsed(pem: bytes) -> OKPKey:
    return _parse(pem)


@functools.cache
def _generated_for_this_process() -> OKPKey:
    return OKPKey.generate_key(CURVE)


def _configured_pem() -> bytes | None:
    inline = getattr(settings, "STATEMENT_SIGNING_KEY", "")
    if inline:
        return inline.encode()
    path = getattr(settings, "STATEMENT_SIGNING_KEY_FILE", "")
    if path:
        try:
            return Path(path).read_bytes()
        except OSError:
            raise SigningKeyError(
                "STATEMENT_SIGNING_KEY_FILE cannot be read (check the path and permissions)."
            ) from None
    return None


def signing_key() -> OKPKey:
    """The key new statements are signed with."""
    pem = _configured_pem()
    if pem is not None:
        return _parsed(pem)
    if settings.TESTING:
        return _generated_for_this_process()
    if settings.DEBUG:
        return _parsed(ensure_key_file(Path(settings.STATEMENT_DEV_KEY_FILE)))
    raise SigningKeyError("Set STATEMENT_SIGNING_KEY or STATEMENT_SIGNING_KEY_FILE.")


def key_id(key: OKPKey) -> str:
    """The RFC 7638 thumbprint: the same key always gets the same ``kid``."""
    return str(key.thumbprint())


def public_jwk(key: OKPKey) -> dict[str, Any]:
    return {**key.as_dict(private=False), "kid": key_id(key), "use": "sig", "alg": ALGORITHM}


RETIRED_MESSAGE = (
    "The configured PE-verklaring signing key has been retired: configure a new key "
    "(STATEMENT_SIGNING_KEY or STATEMENT_SIGNING_KEY_FILE) and restart."
)


def publish(key: OKPKey) -> str:
    """Record the key's public half (once) so the JWKS lists it for good; returns its ``kid``.
    A retired key is refused: nothing it signs would verify."""
    kid = key_id(key)
    row, _created = PublishedKey.objects.get_or_create(
        kid=kid, defaults={"public_jwk": public_jwk(key), "first_used_at": clock.now()}
    )
    if row.retired_at is not None:
        raise SigningKeyError(RETIRED_MESSAGE)
    return kid


def published_key(kid: str) -> OKPKey | None:
    """The public key with this ``kid`` from the register's published set, unless retired."""
    row = PublishedKey.objects.filter(kid=kid, retired_at__isnull=True).first()
    if row is None:
        return None
    return OKPKey.import_key(row.public_jwk)


def jwks() -> dict[str, list[dict[str, Any]]]:
    """Every published key that is not retired, and the current key even before it signed
    anything (unless it is retired)."""
    rows = list(
        PublishedKey.objects.order_by("first_used_at", "id").values(
            "public_jwk", "kid", "retired_at"
        )
    )
    keys = [row["public_jwk"] for row in rows if row["retired_at"] is None]
    current = public_jwk(signing_key())
    if all(row["kid"] != current["kid"] for row in rows):
        keys.append(current)
    return {"keys": keys}
