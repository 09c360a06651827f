"""Opaque UUID codes in URLs and forms: malformed codes are simply unknown, never an error."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms


def parse_code(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError):
        return None


class CodeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Choose an object by its ``code``; a malformed code is just an unknown choice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and parse_code(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)
