"""Reading attendance lists as register staff bring them: pasted from Excel or uploaded as CSV.

Pure functions without the database: they only turn text into entries (registration number,
date, and a problem code when a line cannot be read). Whether a number exists, is a duplicate or
is already registered is decided afterwards, against the database, in ``completions.py``.

CSV layout (documented on the upload page): a header row with the columns ``registratienummer``
and ``datum`` (other columns are ignored, order is free), separated by ``;`` or ``,``, in UTF-8
with or without BOM. Dates as ``dd-mm-jjjj`` (also ``/`` or ``.``) or ``jjjj-mm-dd``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from peregister.core.dates import parse_date
from peregister.core.tabular import QUOTES, TableError, clean_cell, csv_rows, decode_text

MAX_ENTRIES = 1000
MAX_NUMBER_LENGTH = 20  # Professional.registration_number max_length
MAX_CSV_BYTES = 1024 * 1024
NUMBER_COLUMN = "registratienummer"
DATE_COLUMN = "datum"
# Optional: only needed for a number that more than one register uses (numbers are per register).
REGISTER_COLUMN = "register"
MAX_REGISTER_LENGTH = 20  # Register.code max_length

# Excel copies cells with tabs and line breaks; people type commas, semicolons and spaces.
_SEPARATORS = re.compile(r"[\s,;]+")


class Problem(StrEnum):
    """Why a line could not be read (the check step shows a Dutch message for each)."""

    TOO_LONG = "too_long"
    INVALID_DATE = "invalid_date"
    MISSING_VALUE = "missing_value"


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the list: ``position`` is 1-based as the user counts (CSV: the file's line)."""

    position: int
    number: str
    day: dt.date | None
    problem: Problem | None = None
    # The register's code, when the list says whose number it is (lower case; "" when not).
    register: str = ""


# The list as a whole cannot be used: the shared engine's error (``core.tabular``), with the
# codes of this list added (``too_many``, ``columns``, ``no_rows``).
ListError = TableError


def clean_number(raw: str) -> str:
    return clean_cell(raw)


def split_numbers(text: str) -> list[str]:
    """Registration numbers in the order given; never changes a number (leading zeros stay)."""
    numbers = [clean_number(token) for token in _SEPARATORS.split(text)]
    return [number for number in numbers if number]


def entry(position: int, number: str, day: dt.date | None, register: str = "") -> Entry:
    """One line as read (also a row the API receives): a number too long is a problem."""
    if register:
        register = clean_cell(register).lower()[: MAX_REGISTER_LENGTH + 1]
    if len(number) > MAX_NUMBER_LENGTH:
        return Entry(
            position, number[: MAX_NUMBER_LENGTH + 1], day, Problem.TOO_LONG, register=register
        )
    return Entry(position, number, day, register=register)


def parse_pasted(text: str, day: dt.date) -> list[Entry]:
    """A pasted list: every number gets the date chosen in the form."""
    numbers = split_numbers(text)
    if not numbers:
        raise ListError("empty")
    if len(numbers) > MAX_ENTRIES:
        raise ListError("too_many", maximum=MAX_ENTRIES, count=len(numbers))
    return [entry(position, number, day) for position, number in enumerate(numbers, start=1)]


def _columns(header: list[str]) -> tuple[int, int, int | None]:
    names = [cell.strip().strip(QUOTES).strip().lower() for cell in header]
    missing = [name for name in (NUMBER_COLUMN, DATE_COLUMN) if name not in names]
    if missing:
        raise ListError("columns", missing=", ".join(missing))
    register_index = names.index(REGISTER_COLUMN) if REGISTER_COLUMN in names else None
    return names.index(NUMBER_COLUMN), names.index(DATE_COLUMN), register_index


def parse_csv(data: bytes) -> list[Entry]:
    """An uploaded CSV file; raises ``ListError`` when the file as a whole is unusable."""
    text = decode_text(data, max_bytes=MAX_CSV_BYTES)
    entries: list[Entry] = []
    header: list[str] | None = None
    number_index = date_index = 0
    register_index: int | None = None
    for position, row in csv_rows(text):
        if header is None:
            header = row
            number_index, date_index, register_index = _columns(header)
            continue
        number = clean_number(row[number_index]) if number_index < len(row) else ""
        raw_day = row[date_index] if date_index < len(row) else ""
        register = (
            row[register_index] if register_index is not None and register_index < len(row) else ""
        )
        if not number or not raw_day.strip():
            entries.append(Entry(position, number, None, Problem.MISSING_VALUE))
            continue
        day = parse_date(raw_day)
        line = entry(position, number, day, register)
        if day is None and line.problem is None:
            line = Entry(position, number, None, Problem.INVALID_DATE, register=line.register)
        entries.append(line)
        if len(entries) > MAX_ENTRIES:
            raise ListError("too_many", maximum=MAX_ENTRIES, count=len(entries))
    if not entries:
        raise ListError("no_rows")
    return entries


def entries_to_data(entries: list[Entry]) -> list[list[object]]:
    """A JSON-friendly form of the entries, carried from the check step to the confirmation."""
    return [
        [e.position, e.number, e.day.isoformat() if e.day else "", e.problem or "", e.register]
        for e in entries
    ]


def entries_from_data(data: object) -> list[Entry]:
    """The inverse of ``entries_to_data``; anything else (crafted input) raises ``ListError``."""
    if not isinstance(data, list) or not data or len(data) > MAX_ENTRIES:
        raise ListError("tampered")
    entries: list[Entry] = []
    for item in data:
        if not (isinstance(item, list) and len(item) == 5):
            raise ListError("tampered")
        position, number, raw_day, problem, register = item
        if not (
            isinstance(position, int)
            and isinstance(number, str)
            and isinstance(raw_day, str)
            and isinstance(problem, str)
            and isinstance(register, str)
            and len(number) <= MAX_NUMBER_LENGTH + 1
            and len(register) <= MAX_REGISTER_LENGTH + 1
        ):
            raise ListError("tampered")
        try:
            day = dt.date.fromisoformat(raw_day) if raw_day else None
            parsed_problem = Problem(problem) if problem else None
        except ValueError as exc:
            raise ListError("tampered") from exc
        entries.append(
            entry(position, number, day, register)
            if parsed_problem is None
            else Entry(position, number, day, parsed_problem, register=register)
        )
    return entries
