"""The database-backed rate limiter: fixed windows, hashed keys, per-client addresses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import RequestFactory

from peregister.core import clock, ratelimit
from peregister.core.models import RateLimitWindow

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=clock.AMSTERDAM)


def test_allows_up_to_the_limit_then_refuses() -> None:
    with time_machine.travel(START, tick=False):
        results = [ratelimit.hit("scope", "1.2.3.4", limit=3, per_seconds=3600) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_a_new_window_starts_afresh_and_old_rows_are_cleaned_up() -> None:
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            ratelimit.hit("scope", "a", limit=2, per_seconds=60)
        assert not ratelimit.hit("scope", "a", limit=2, per_seconds=60)
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        assert ratelimit.hit("scope", "a", limit=2, per_seconds=60)
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        assert ratelimit.hit("scope", "a", limit=2, per_seconds=60)
    assert RateLimitWindow.objects.count() == 1


def test_scopes_and_identifiers_are_counted_apart() -> None:
    assert ratelimit.hit("one", "x", limit=1, per_seconds=60)
    assert ratelimit.hit("two", "x", limit=1, per_seconds=60)
    assert ratelimit.hit("one", "y", limit=1, per_seconds=60)
    assert not ratelimit.hit("one", "x", limit=1, per_seconds=60)


def test_no_address_or_username_is_stored() -> None:
    ratelimit.hit("new_link_target", "hr@werkgever.example", limit=1, per_seconds=60)
    row = RateLimitWindow.objects.get()
    assert "werkgever" not in row.key
    assert len(row.key) == 64


def test_client_address_uses_the_configured_proxy_header(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4"
    )
    settings.RATELIMIT_CLIENT_IP_HEADER = ""
    assert ratelimit.client_address(request) == "10.0.0.1"
    settings.RATELIMIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    assert ratelimit.client_address(request) == "198.51.100.4"
    bare = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")
    assert ratelimit.client_address(bare) == "10.0.0.2"


def test_the_stored_key_cannot_be_recomputed_from_the_address_alone(settings: Any) -> None:
    """The key is an HMAC under SECRET_KEY: with the table alone, trying every IPv4 address
    does not reveal who visited (a plain hash of scope and address would)."""
    import hashlib

    ratelimit.hit("statement-verify", "203.0.113.9", limit=5, per_seconds=60)
    stored = RateLimitWindow.objects.get().key
    assert stored != hashlib.sha256(b"statement-verify\x00203.0.113.9").hexdigest()
    assert stored != hashlib.sha256(b"203.0.113.9").hexdigest()
    # The same address under another secret is another key.
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    ratelimit.hit("statement-verify", "203.0.113.9", limit=5, per_seconds=60)
    assert RateLimitWindow.objects.count() == 2
