"""Sign a credential as a JWT (``vc+jwt``, EdDSA over Ed25519) and check such a signature.

``alg`` is ``EdDSA``: RFC 9864 prefers the fully specified ``Ed25519``, but verifiers in use
today (PyJWT, most JOSE libraries) only know ``EdDSA``; the key in the JWKS pins the curve
(``crv: Ed25519``), so nothing is left open. joserfc's warning about it is silenced here only.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from joserfc import jws, jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey

from peregister.statements import keys

MEDIA_TYPE = "vc+jwt"


@contextmanager
def _eddsa() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SecurityWarning, message="EdDSA is deprecated")
        yield


@dataclass(frozen=True)
class Signed:
    token: str
    kid: str


def sign(document: dict[str, Any], *, issued_at: dt.datetime, expires_at: dt.datetime) -> Signed:
    """The credential as a JWT signed with the register's current key (published first)."""
    key = keys.signing_key()
    kid = keys.publish(key)
    claims = {
        **document,
        "iss": settings.SITE_URL,
        "jti": document["id"],
        "iat": int(issued_at.timestamp()),
        "nbf": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    header = {"alg": keys.ALGORITHM, "typ": MEDIA_TYPE, "kid": kid}
    with _eddsa():
        token = jwt.encode(header, claims, key, algorithms=[keys.ALGORITHM])
    return Signed(token=token, kid=kid)


def verified_claims(token: str, key: OKPKey | None) -> dict[str, Any] | None:
    """The JWT's claims when ``key`` signed it (expiry is not judged here); else ``None``."""
    if key is None:
        return None
    try:
        with _eddsa():
            decoded = jwt.decode(token, key, algorithms=[keys.ALGORITHM])
    except (JoseError, ValueError):
        return None
    if decoded.header.get("typ") != MEDIA_TYPE:
        return None
    return dict(decoded.claims)


def check(token: str) -> dict[str, Any] | None:
    """Claims of a JWT if a key the register publishes (named by its ``kid``) signed it."""
    try:
        kid = jws.extract_compact(token.encode()).protected.get("kid")
    except (JoseError, ValueError):
        return None
    if not isinstance(kid, str):
        return None
    return verified_claims(token, keys.published_key(kid))
