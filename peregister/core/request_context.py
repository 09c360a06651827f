"""The request id of the work in progress, carried from a web request into the task worker.

A context variable, so threads and tasks each see their own. The outbox stores it with every
mail, and the worker binds it again while delivering, so one id links the request's log lines
to the worker's.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# What a proxy may hand us in X-Request-ID; anything else is replaced by a fresh id.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current() -> str:
    return _request_id.get()


def new_id() -> str:
    return uuid.uuid4().hex


def acceptable(value: str) -> bool:
    return bool(_ACCEPTABLE.match(value or ""))


@contextmanager
def bound(request_id: str) -> Iterator[None]:
    """Run a block with ``request_id`` as the current id (empty: no id)."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)
