"""Typed text that has to be stored as it came: NUL bytes and lone surrogates escaped.

PostgreSQL refuses both in text and JSON (``\\u0000 cannot be converted to text``), SQLite
takes them: unescaped they are a 500 on one database and not on the other. Escaping (not
dropping) keeps what was sent visible, which matters where it is evidence (an audit event).
"""

from __future__ import annotations

import re
from typing import Any

# NUL and the other C0 controls except tab, newline and carriage return, DEL, and UTF-16
# surrogates (a lone one arrives through JSON, never through a form).
_NOT_STORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape", "backslashreplace").decode("ascii")


def storable(text: str) -> str:
    """``text`` with every character a database may refuse written as its escape (``\\x00``)."""
    return _NOT_STORABLE.sub(_escape, text)


def is_storable(text: str) -> bool:
    return _NOT_STORABLE.search(text) is None


def storable_data(value: Any) -> Any:
    """``storable`` applied to every string in nested dicts, lists and tuples (keys too)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable_data(key): storable_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable_data(item) for item in value]
    return value
