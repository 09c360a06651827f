"""Structured logs: one JSON object per line, with the request id, and nothing personal.

``mask`` is the last line of defence: every formatted line has its e-mail addresses and
link secrets (set-password tokens in paths) replaced, whatever a library put in a message or
a traceback. Code should not log them in the first place; the test suite scans its own log
output for them (``tests/test_log_hygiene.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from types import TracebackType
from typing import Any

from peregister.core import request_context

# Any local part (Unicode letters and RFC 5322's specials) at any domain, dotted or not
# (``root@localhost``, IDN domains in Unicode). Generous on purpose: a masked non-address costs
# nothing, a missed address leaks.
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")
# secrets.token_urlsafe(32) and longer: 43+ URL-safe characters in one piece.
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43,}(?![A-Za-z0-9_-])")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged, except
# Django's ``request`` (its text is the full path, link secrets included; the message has it).
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}
_LEFT_OUT = _STANDARD | {"request"}


def mask(text: str) -> str:
    return TOKEN.sub("[secret]", EMAIL.sub("[e-mail]", text))


class ContextFilter(logging.Filter):
    """Adds the current request id to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_context.current()
        return True


class MaskingFormatter(logging.Formatter):
    """Plain text lines (development), masked like the JSON ones."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_context.current()
        return mask(super().format(record))


class JsonFormatter(logging.Formatter):
    def __init__(self, *args: Any, masked: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Unmasked only for the test suite's own scan, which must see what code really logs.
        self.masked = masked

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_context.current(),
        }
        for key, value in record.__dict__.items():
            if key not in _LEFT_OUT and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        line = json.dumps(entry, ensure_ascii=False)
        return mask(line) if self.masked else line


def log_uncaught(
    kind: type[BaseException], value: BaseException, traceback: TracebackType | None
) -> None:
    """``sys.excepthook``: a command's crash goes to the log as one masked record, not as a raw
    traceback on stderr (where an address in the exception's text would leave unmasked)."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    logging.getLogger("peregister.uncaught").critical(
        "uncaught exception", exc_info=(kind, value, traceback)
    )


def install_excepthook() -> None:
    """Take over Python's default hook (and only that: a debugger's or test runner's stays)."""
    if sys.excepthook is sys.__excepthook__:
        sys.excepthook = log_uncaught
