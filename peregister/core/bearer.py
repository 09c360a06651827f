"""``Authorization: Bearer <key>`` for the API, one class for every kind of key.

A subclass says how a raw key is found (``find``: None answers 401), names its rate-limit
bucket and records an admitted use (``admitted``). The body size is checked before anything is
read (413) and each key is limited to ``API_REQUESTS_PER_MINUTE`` (429 with ``Retry-After``).
Never logs the header (Ninja's own bearer class does, in DEBUG, when the scheme is wrong).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security.http import HttpAuthBase

from peregister.core import ratelimit

# Bodies above this are refused before they are read (413): 1,000 rows fit in a tenth of it.
MAX_BODY_BYTES = 1024 * 1024


class PayloadTooLarge(Exception):
    pass


class RateLimited(Exception):
    per_seconds = 60


class BearerAuth(HttpAuthBase):
    openapi_scheme = "bearer"
    bucket = "api-key"

    def find(self, raw: str) -> Any | None:
        raise NotImplementedError

    def admitted(self, found: Any) -> None:
        """Records the use of a key the rate limit let through; a refused request leaves no
        trace of use, so a client hammering the API cannot fill the audit log."""
        raise NotImplementedError

    def __call__(self, request: HttpRequest) -> Any | None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            raise PayloadTooLarge
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        key = self.find(token.strip())
        if key is None:
            return None
        limit = settings.API_REQUESTS_PER_MINUTE
        if not ratelimit.hit(self.bucket, str(key.code), limit=limit, per_seconds=60):
            raise RateLimited
        self.admitted(key)
        return key
