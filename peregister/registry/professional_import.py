"""*Professionals importeren*: reading the file and checking every row against the register.

Reading (``read_rows``) turns a CSV or XLSX file into rows of text through the shared engine
(``core.tabular``); checking (``check_rows``) judges each row with the intake rules
(``registry.intake``, the same as the staff form) and the database: *nieuw*, *gewijzigd* (with
what changes), *ongewijzigd* or *fout* with its reason. Nothing here writes; applying the
checked rows is ``backoffice.professional_import.import_professionals``.

The registration number is the key: a row with a known number is that professional. Empty
optional cells (e-mail, date of birth) keep what the register has.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from peregister.core.dates import parse_date
from peregister.core.tabular import (
    FORMULA_START,
    QUOTES,
    TableError,
    csv_stream_rows,
    decode_text,
    xlsx_rows,
)
from peregister.registry.completions import zero_padded_candidates
from peregister.registry.intake import FIELD_LABELS, PersonData, number_problem, person_problems
from peregister.registry.models import Professional, Register, Registration

# Read and checked in the request, the check page listing every row.
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# Larger files, up to these, are read and checked (and applied) by the task worker.
LARGE_MAX_BYTES = 16 * 1024 * 1024
LARGE_MAX_ROWS = 100_000
# Rows checked per round of queries (the numbers of one batch are looked up at once).
CHECK_BATCH = 1000
# Cells longer than any field are cut here (the check refuses them as too long), so a file of
# 10,000-character names never travels whole into the signed set.
MAX_CELL = 300

COLUMNS = (
    "registratienummer",
    "register",
    "voorletters",
    "tussenvoegsel",
    "achternaam",
    "e-mailadres",
    "geboortedatum",
    "begindatum",
)
REQUIRED_COLUMNS = ("registratienummer", "register", "voorletters", "achternaam", "begindatum")
TEMPLATE_EXAMPLE = ("0012345", "up", "J.P.", "van der", "Berg", "jp@example.nl", "", "01-09-2025")

# Problems found while reading a cell (the check gives each its message).
FORMULA = "formula"
NUMBER_AS_NUMBER = "number_as_number"


class Status(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Row:
    """One line of the file, as text; ``problem`` when a cell could not be taken as text."""

    position: int
    cells: tuple[str, ...]  # in the order of ``COLUMNS``
    problem: str = ""

    def get(self, column: str) -> str:
        return self.cells[COLUMNS.index(column)]


@dataclass
class CheckedRow:
    row: Row
    status: Status
    reason: str = ""
    changes: list[str] = field(default_factory=list)
    professional: Professional | None = None
    register: Register | None = None
    person: PersonData | None = None
    registered_on: dt.date | None = None


def _text(value: Any) -> tuple[str, str]:
    """A cell as text and the problem with it, if any."""
    if isinstance(value, bool):
        return str(value), ""
    if isinstance(value, int | float):
        # Excel stored a number: leading zeros (and text-ness) may be lost.
        return str(value), NUMBER_AS_NUMBER
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return day.strftime("%d-%m-%Y"), ""
    text = str(value).strip().strip(QUOTES).strip()
    if text.startswith(FORMULA_START):
        return text[:MAX_CELL], FORMULA
    return text[:MAX_CELL], ""


def _header_indexes(header: list[Any]) -> dict[str, int]:
    names = [str(cell or "").strip().strip(QUOTES).strip().lower() for cell in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise TableError("columns", missing=", ".join(missing))
    # A column not read would lose its data without a word (``email`` for ``e-mailadres``):
    # refused, as is a column twice (which one holds the truth?). An empty header cell is
    # the trailing separator spreadsheets add; its cells are not read.
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        raise TableError("unknown_columns", unknown=", ".join(unknown), known=", ".join(COLUMNS))
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        raise TableError("twice_columns", twice=", ".join(twice))
    return {name: names.index(name) for name in COLUMNS if name in names}


def _rows(source: Iterable[tuple[int, list[Any]]]) -> Iterator[Row]:
    indexes: dict[str, int] | None = None
    for position, cells in source:
        if indexes is None:
            indexes = _header_indexes(cells)
            continue
        texts: list[str] = []
        problem = ""
        for column in COLUMNS:
            index = indexes.get(column)
            value = cells[index] if index is not None and index < len(cells) else ""
            text, cell_problem = _text(value)
            if cell_problem == FORMULA or (cell_problem and column == "registratienummer"):
                problem = problem or cell_problem
            texts.append(text)
        yield Row(position, tuple(texts), problem)


def stream_rows(source: IO[bytes], *, name: str, max_rows: int) -> Iterator[Row]:
    """The rows of a file as it is read (``.xlsx`` by name or content, else CSV); constant
    memory for any length. More than ``max_rows`` rows, or none, is refused."""
    start = source.read(2)
    source.seek(0)
    rows: Iterable[tuple[int, list[Any]]]
    if name.lower().endswith(".xlsx") or start == b"PK":
        rows = xlsx_rows(source, max_rows=max_rows)
    else:
        rows = csv_stream_rows(source)
    count = 0
    for row in _rows(rows):
        count += 1
        if count > max_rows:
            raise TableError("too_many", maximum=max_rows)
        yield row
    if not count:
        raise TableError("no_rows")


def read_rows(data: bytes, *, name: str) -> list[Row]:
    """The rows of an uploaded file read in the request (at most ``MAX_ROWS``)."""
    if len(data) > MAX_BYTES:
        raise TableError("too_big", maximum_kb=MAX_BYTES // 1024)
    if not (name.lower().endswith(".xlsx") or data[:2] == b"PK"):
        decode_text(data, max_bytes=MAX_BYTES)  # NUL bytes and encoding refused as a whole
    return list(stream_rows(io.BytesIO(data), name=name, max_rows=MAX_ROWS))


def check_start(data: bytes, *, name: str) -> None:
    """Read only the header and the first row of a file the task worker will read whole, so a
    missing column, a wrong encoding or a file that is no workbook is refused in the request
    (``TableError``), whatever the file's size."""
    next(stream_rows(io.BytesIO(data), name=name, max_rows=LARGE_MAX_ROWS), None)


def rows_to_data(rows: list[Row]) -> list[list[Any]]:
    return [[row.position, list(row.cells), row.problem] for row in rows]


def rows_from_data(data: Any) -> list[Row]:
    """The inverse of ``rows_to_data``; anything else (crafted input) is ``tampered``."""
    if not isinstance(data, list) or not data or len(data) > MAX_ROWS:
        raise TableError("tampered")
    rows: list[Row] = []
    for item in data:
        if not (isinstance(item, list) and len(item) == 3):
            raise TableError("tampered")
        position, cells, problem = item
        if not (
            isinstance(position, int)
            and isinstance(problem, str)
            and problem in ("", FORMULA, NUMBER_AS_NUMBER)
            and isinstance(cells, list)
            and len(cells) == len(COLUMNS)
            and all(isinstance(cell, str) and len(cell) <= MAX_CELL for cell in cells)
        ):
            raise TableError("tampered")
        rows.append(Row(position, tuple(cells), problem))
    return rows


def _read_problem(problem: str) -> str:
    if problem == FORMULA:
        return _("Een cel is een formule; zet er de waarde zelf in.")
    return _(
        "Het registratienummer staat als getal in het bestand: voorloopnullen kunnen verloren "
        "zijn. Maak de kolom ‘tekst’ en vul de nummers opnieuw in."
    )


def _registers() -> dict[str, Register]:
    found: dict[str, Register] = {}
    for register in Register.objects.all():
        found[register.code.lower()] = register
        found[register.name.lower()] = register
    return found


def check_rows(rows: list[Row], *, today: dt.date) -> list[CheckedRow]:
    """Every row judged; a constant number of queries whatever the number of rows."""
    return list(check_stream(rows, today=today, batch_size=max(len(rows), 1)))


def check_stream(
    rows: Iterable[Row], *, today: dt.date, batch_size: int = CHECK_BATCH
) -> Iterator[CheckedRow]:
    """``check_rows`` for a stream of any length: a round of queries per ``batch_size`` rows,
    the numbers already seen in the file remembered across batches."""
    registers = _registers()
    seen: set[tuple[int, str]] = set()
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            yield from _check_batch(batch, today, registers, seen)
            batch = []
    if batch:
        yield from _check_batch(batch, today, registers, seen)


def _check_batch(
    rows: list[Row],
    today: dt.date,
    registers: dict[str, Register],
    seen: set[tuple[int, str]],
) -> list[CheckedRow]:
    numbers = {row.get("registratienummer") for row in rows}
    # A number is the register's own, compared without regard to case: keyed by both.
    existing: dict[tuple[int, str], Professional] = {
        (p.register_id, p.registration_number.lower()): p
        for p in Professional.objects.annotate(key=Lower("registration_number")).filter(
            key__in={number.lower() for number in numbers}
        )
    }
    registered: set[tuple[int, int]] = set()
    ended: set[tuple[int, int]] = set()
    for pk, register_id, status in Registration.objects.filter(
        professional_id__in=[p.pk for p in existing.values()]
    ).values_list("professional_id", "register_id", "status"):
        registered.add((pk, register_id))
        if status == Registration.Status.ENDED:
            ended.add((pk, register_id))
    # A new number that is a known one without its leading zeros (a CSV saved from Excel) would
    # take the same person on twice: the same check as the attendance import's.
    known = {number for _register, number in existing}
    padded = zero_padded_candidates([number for number in numbers if number.lower() not in known])
    unpadded = {
        (register_id, padded[number]): number
        for register_id, number in Professional.objects.filter(
            registration_number__in=padded
        ).values_list("register_id", "registration_number")
    }
    return [
        _check(row, today, registers, existing, registered, ended, seen, unpadded) for row in rows
    ]


def _error(row: Row, reason: str) -> CheckedRow:
    return CheckedRow(row, Status.ERROR, reason=reason)


def _check(
    row: Row,
    today: dt.date,
    registers: dict[str, Register],
    existing: dict[tuple[int, str], Professional],
    registered: set[tuple[int, int]],
    ended: set[tuple[int, int]],
    seen: set[tuple[int, str]],
    unpadded: dict[tuple[int, str], str],
) -> CheckedRow:
    number = row.get("registratienummer")
    if row.problem:
        return _error(row, _read_problem(row.problem))
    if problem := number_problem(number):
        return _error(row, problem)
    if row.cells == TEMPLATE_EXAMPLE:
        # Rows typed below the template's example would otherwise take on "J.P. van der Berg".
        return _error(row, _("Dit is de voorbeeldregel uit het voorbeeldbestand: verwijder die."))
    register = registers.get(row.get("register").lower())
    if register is None:
        return _error(
            row, _("Onbekend register ‘%(register)s’.") % {"register": row.get("register")[:40]}
        )
    key = (register.pk, number.lower())
    if key in seen:
        return _error(row, _("Dit registratienummer staat eerder in het bestand."))
    seen.add(key)
    raw_start = row.get("begindatum")
    registered_on = parse_date(raw_start) if raw_start else None
    if registered_on is None:
        return _error(row, _("De begindatum ontbreekt of is geen geldige datum (dd-mm-jjjj)."))
    if registered_on > today:
        return _error(row, _("De begindatum ligt in de toekomst."))
    raw_birth = row.get("geboortedatum")
    birth = parse_date(raw_birth) if raw_birth else None
    if raw_birth and birth is None:
        return _error(row, _("De geboortedatum is geen geldige datum (dd-mm-jjjj)."))
    current = existing.get(key)
    person = PersonData(
        initials=row.get("voorletters"),
        last_name=row.get("achternaam"),
        # Empty optional cells (or a column left out) keep what the register has (README).
        name_prefix=row.get("tussenvoegsel") or (current.name_prefix if current else ""),
        email=row.get("e-mailadres") or (current.email if current else ""),
        date_of_birth=birth or (current.date_of_birth if current else None),
    )
    problems = person_problems(person, register=register, today=today)
    if problems:
        field_name, message = problems[0]
        return _error(row, f"{FIELD_LABELS.get(field_name, field_name)}: {message}")
    if current is None and (register.pk, number) in unpadded:
        return _error(
            row,
            _(
                "Registratienummer %(number)s bestaat niet, maar %(known)s wel: zijn de "
                "voorloopnullen weggevallen? Maak de kolom ‘tekst’ en vul de nummers opnieuw in."
            )
            % {"number": number, "known": unpadded[(register.pk, number)]},
        )
    if current is None:
        return CheckedRow(
            row, Status.NEW, register=register, person=person, registered_on=registered_on
        )
    if birth and current.date_of_birth and birth != current.date_of_birth:
        return _error(
            row,
            _(
                "Dit registratienummer hoort bij een andere persoon (de geboortedatum verschilt): "
                "%(name)s."
            )
            % {"name": current.full_name},
        )
    if (current.pk, register.pk) in ended:
        # Re-importing would otherwise read as *ongewijzigd* while the register says it ended.
        return _error(
            row,
            _(
                "De registratie van %(name)s in %(register)s is beëindigd; de import heropent "
                "geen registraties."
            )
            % {"name": current.full_name, "register": register.name},
        )
    if _another_person(person, current):
        return _error(
            row,
            _(
                "Dit registratienummer hoort bij %(name)s: controleer het nummer. Is het dezelfde "
                "persoon, wijzig de naam dan eerst via ‘Wijzigen’."
            )
            % {"name": current.full_name},
        )
    changes = [str(FIELD_LABELS[name]) for name in person.changes_from(current)]
    if (current.pk, register.pk) not in registered:
        changes.append(_("nieuwe registratie in %(register)s") % {"register": register.name})
    return CheckedRow(
        row,
        Status.CHANGED if changes else Status.UNCHANGED,
        changes=changes,
        professional=current,
        register=register,
        person=person,
        registered_on=registered_on,
    )


def _same(one: str, other: str) -> bool:
    return " ".join(one.split()).casefold() == " ".join(other.split()).casefold()


def _another_person(person: PersonData, current: Professional) -> bool:
    """A row that gives someone another surname and other voorletters or e-mail at once is read
    as another person under a wrong number (a typo, a shifted column), not as a correction: a
    surname alone may change (marriage), an address or voorletters alone too, and a surname with
    a name added to it (Jansen-Bos) with a new address."""
    new, old = (" ".join(name.split()).casefold() for name in (person.last_name, current.last_name))
    if new in old or old in new:  # the same, or a name added to it (Jansen → Jansen-Bos)
        return False
    other_initials = not _same(person.initials, current.initials)
    other_address = bool(current.email) and not _same(person.email, current.email)
    return other_initials or other_address


class Fingerprint:
    """What staff saw and confirm: each row's position, status and changes, as one digest
    (compared on confirmation; the same for a list of 10 rows or a stream of 100,000)."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def add(self, checked: CheckedRow) -> None:
        line = [checked.row.position, str(checked.status), [str(c) for c in checked.changes]]
        self._digest.update(json.dumps(line, ensure_ascii=False).encode() + b"\n")

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def fingerprint(checked: Iterable[CheckedRow]) -> str:
    print_ = Fingerprint()
    for row in checked:
        print_.add(row)
    return print_.hexdigest()


def template_rows() -> list[tuple[str, ...]]:
    return [COLUMNS, TEMPLATE_EXAMPLE]
