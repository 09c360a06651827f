"""How numbers are typed: ASCII digits only, everywhere a number is read from input.

``int()`` and ``str.isdigit()`` also accept digits of other scripts (``٣``, ``１２``) and
superscripts (``²``); a register reads what people see on a Dutch keyboard (ASVS 5.1.3).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms

ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_digits(text: str) -> bool:
    """True when ``text`` is one or more of the digits 0-9 and nothing else."""
    return bool(ASCII_DIGITS.fullmatch(text))


class AsciiIntegerField(forms.IntegerField):
    """Django's IntegerField, reading an optional minus sign and ASCII digits only."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            text = value.strip()
            if text and not ascii_digits(text.removeprefix("-")):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
