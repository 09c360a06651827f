"""A small database-backed rate limiter (fixed windows) that works on every deployment.

Counting is one atomic ``UPDATE … SET hits = hits + 1``; the first hit of a window inserts the
row and a concurrent insert is caught by the unique constraint, so no read-then-write race
exists on SQLite or PostgreSQL.

The stored key is an HMAC of scope and identifier under ``SECRET_KEY``: a plain hash of an IP
address is undone by hashing all four billion of them, so the table would tell who visited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse

from peregister.core import clock
from peregister.core.models import RateLimitWindow

# Rows older than this are removed now and then; no window is longer.
KEEP = dt.timedelta(days=1)


def _digest(scope: str, identifier: str) -> str:
    message = f"{scope}\x00{identifier}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _window_start(moment: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(moment.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def hit(scope: str, identifier: str, *, limit: int, per_seconds: int) -> bool:
    """Count one use of ``identifier`` in ``scope``; True while within ``limit`` per window."""
    return count(scope, identifier, per_seconds=per_seconds) <= limit


def peek(scope: str, identifier: str, *, per_seconds: int) -> int:
    """How often ``identifier`` was counted in ``scope`` in the current window (not counting)."""
    start = _window_start(clock.now(), per_seconds)
    hits = (
        RateLimitWindow.objects.filter(key=_digest(scope, identifier), window_start=start)
        .values_list("hits", flat=True)
        .first()
    )
    return hits or 0


def reset(scope: str, identifier: str) -> None:
    """Forget every window of ``identifier`` in ``scope`` (a successful login clears its misses)."""
    RateLimitWindow.objects.filter(key=_digest(scope, identifier)).delete()


def count(scope: str, identifier: str, *, per_seconds: int) -> int:
    """Count one use of ``identifier`` in ``scope``; the number of uses in this window."""
    key = _digest(scope, identifier)
    start = _window_start(clock.now(), per_seconds)
    with transaction.atomic():
        updated = RateLimitWindow.objects.filter(key=key, window_start=start).update(
            hits=F("hits") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitWindow.objects.create(key=key, window_start=start, hits=1)
            except IntegrityError:
                # Another request inserted the row first: count on it.
                RateLimitWindow.objects.filter(key=key, window_start=start).update(
                    hits=F("hits") + 1
                )
            else:
                RateLimitWindow.objects.filter(window_start__lt=clock.now() - KEEP).delete()
        hits = (
            RateLimitWindow.objects.filter(key=key, window_start=start)
            .values_list("hits", flat=True)
            .first()
        )
    return hits or 0


def client_address(request: HttpRequest) -> str:
    """The client's address; behind a proxy, the header named in RATELIMIT_CLIENT_IP_HEADER."""
    header = getattr(settings, "RATELIMIT_CLIENT_IP_HEADER", "")
    if header:
        forwarded = request.META.get(header, "")
        # The proxy appends the address it saw; the last entry is the one it vouches for.
        candidate = forwarded.split(",")[-1].strip()
        if candidate:
            return candidate
    return str(request.META.get("REMOTE_ADDR", ""))


def hit_for_client(request: HttpRequest, scope: str, *, limit: int, per_seconds: int) -> bool:
    return hit(scope, client_address(request), limit=limit, per_seconds=per_seconds)


def retry_after(response: HttpResponse, per_seconds: int) -> HttpResponse:
    """Tell a refused client when the window ends (``Retry-After``, RFC 9110 §10.2.3)."""
    epoch = int(clock.now().timestamp())
    response["Retry-After"] = str(per_seconds - epoch % per_seconds)
    return response
