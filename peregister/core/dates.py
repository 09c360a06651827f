"""How dates are written and read: one format for tables, one for prose, one way to type them.

Tables (and other compact lists) write ``29-03-2027``; sentences, headings and e-mail write
``29 maart 2027`` (the month in the reader's language). People type dates as ``dd-mm-jjjj``
whatever their browser's language, so date fields are plain text inputs read here, not the
browser's own date picker.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import dateformat, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from peregister.core.clock import AMSTERDAM

# Django date-format strings (https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date).
TABLE_DATE = "d-m-Y"
TABLE_DATETIME = "d-m-Y H:i"
PROSE_DATE = "j F Y"
PROSE_DATETIME = "j F Y, H:i"
# What a date field shows and what exports write: the table format in strftime's words.
TYPED_DATE = "%d-%m-%Y"

_DAY_FIRST = re.compile(r"^([0-9]{1,2})[-/. ]([0-9]{1,2})[-/. ]([0-9]{4})$")
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
# A year before this is a typo (``0202`` for ``2020``), never a date in a PE history or a birth
# date of a working professional; refusing it keeps such a date out of every period.
FIRST_YEAR = 1900


def parse_date(raw: str) -> dt.date | None:
    """A typed date, day first (``31-12-2027``, ``31/12/2027``, ``31.12.2027``, ``31 12 2027``)
    or ISO (``2027-12-31``, as older forms and files send); None when it is not a real date
    or lies before ``FIRST_YEAR``.

    Only ASCII digits: ``int()`` would accept other scripts' digits too.
    """
    text = raw.strip()
    if match := _DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    if year < FIRST_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _as_moment(value: Any) -> dt.date | dt.datetime | None:
    """Dates, datetimes (shown in Amsterdam time) and their ISO strings (as mail contexts carry
    them, being JSON); anything else is None.

    Mail queued before contexts carried ISO strings holds ``29-03-2027``: still read, so a retry
    or a resend after an upgrade writes the date.
    """
    if isinstance(value, str):
        try:
            value = (
                dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
            )
        except ValueError:
            return parse_date(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, AMSTERDAM) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return None


def _formatted(value: Any, date_format: str) -> str:
    moment = _as_moment(value)
    return "" if moment is None else dateformat.format(moment, date_format)


def table_date(value: Any) -> str:
    return _formatted(value, TABLE_DATE)


def table_datetime(value: Any) -> str:
    return _formatted(value, TABLE_DATETIME)


def prose_date(value: Any) -> str:
    return _formatted(value, PROSE_DATE)


def prose_datetime(value: Any) -> str:
    return _formatted(value, PROSE_DATETIME)


def iso(value: dt.date | None) -> str | None:
    """A date as it travels in a mail context (JSON): ISO, formatted by the mail's template."""
    return value.isoformat() if value else None


class DateTextInput(forms.DateInput):
    """A text box showing ``dd-mm-jjjj`` (a browser's date picker follows its own language)."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "class": "input-date",
                "autocomplete": "off",
                "spellcheck": "false",
                **(attrs or {}),
            },
            format=TYPED_DATE,
        )


class DutchDateField(forms.DateField):
    """A date typed as ``dd-mm-jjjj`` (ISO still read); the hint says how to write it."""

    widget = DateTextInput
    default_error_messages = {
        "invalid": _("Vul een geldige datum in als dd-mm-jjjj, bijvoorbeeld 31-12-2027.")
    }

    def __init__(self, **kwargs: Any) -> None:
        hint = _("Schrijf de datum als dd-mm-jjjj, bijvoorbeeld 31-12-2027.")
        help_text = kwargs.pop("help_text", None)
        # Lazy, so the hint follows the language of the request, not of the import.
        kwargs["help_text"] = format_lazy("{} {}", help_text, hint) if help_text else hint
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        day = parse_date(str(value))
        if day is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return day
