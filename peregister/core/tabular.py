"""Reading lists that staff upload (CSV, XLSX) and carrying a checked list to its confirmation.

One engine for every import (attendance, professionals): the refusals of a file as a whole
(too big, not text, not UTF-8, unknown separator, broken CSV, not a real XLSX), UTF-8 with or
without BOM, ``;`` or ``,`` read from the header, rows as lists of strings, and the checked
set signed for the confirmation step (checked again there by the caller).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.core import signing

# Quotes that Excel or a mail client may leave around a copied cell.
QUOTES = "\"'‘’“”"
# How long a checked list may wait for its confirmation.
CHECKED_MAX_AGE = dt.timedelta(hours=12)
# A cell that Excel would run as a formula (also what our own exports neutralise).
FORMULA_START = "="
# Columns read of a sheet: every import has far fewer. A sheet declares its own size, and
# openpyxl pads each row to it: without a bound, a 2 KB file claiming 16,384 columns and a
# million rows keeps a worker busy for hours.
XLSX_MAX_COLUMNS = 64
# A workbook is a ZIP of XML: a small file can unpack into gigabytes (a zip bomb), and openpyxl
# parses a whole row and the whole shared-strings table whatever it yields. The members' declared
# sizes are checked before anything is parsed (``zipfile`` never reads past them): at most this
# much XML, and at most this many times the packed size (real workbooks pack 5-20 times).
XLSX_MAX_UNPACKED = 160 * 1024 * 1024
XLSX_MAX_RATIO = 100
# What reading a damaged workbook raises besides openpyxl's own: a cut-off or invalid XML part
# (``ParseError`` is a ``SyntaxError``), a shared string that does not exist, a bad cell type.
_XLSX_READ_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    SyntaxError,
    IndexError,
    TypeError,
    AttributeError,
)


class TableError(ValueError):
    """The file or list as a whole cannot be used; ``code`` selects the message for staff.

    Codes of this module: ``too_big`` (``maximum_kb``), ``not_text``, ``encoding``,
    ``delimiter``, ``malformed``, ``cell_too_long`` (``maximum_kb``), ``empty``, ``not_xlsx``,
    ``too_many`` (``maximum``), ``unpacked``, ``tampered``; callers add their own.
    """

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _csv_error(exc: csv.Error) -> TableError:
    """The csv module's refusal as staff can act on it: a cell beyond its field limit (a
    pasted text, a runaway quote) is told apart from a file that is not CSV at all."""
    if "field larger than field limit" in str(exc):
        return TableError("cell_too_long", maximum_kb=csv.field_size_limit() // 1024)
    return TableError("malformed")


def clean_cell(raw: str) -> str:
    return raw.strip().strip(QUOTES).strip()


def decode_text(data: bytes, *, max_bytes: int) -> str:
    """UTF-8 text, with or without BOM; refuses big, binary and otherwise-encoded files."""
    if len(data) > max_bytes:
        raise TableError("too_big", maximum_kb=max_bytes // 1024)
    if b"\x00" in data:  # a spreadsheet, image or other binary file, not text
        raise TableError("not_text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError("encoding") from exc


def delimiter_of(header: str) -> str:
    """The header tells which separator the file uses: ``;`` (Dutch Excel) or ``,``."""
    if ";" in header:
        return ";"
    if "," in header:
        return ","
    raise TableError("delimiter")


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row, the header first."""
    first_line = next((line for line in text.splitlines() if line.strip()), None)
    if first_line is None:
        raise TableError("empty")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter_of(first_line), strict=True
    )
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, row
    except csv.Error as exc:
        raise _csv_error(exc) from exc


def csv_stream_rows(source: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """``csv_rows`` of a binary stream, read as it goes (constant memory for any length):
    UTF-8 with or without BOM, ``;`` or ``,`` from the header; NUL bytes and other encodings
    are refused when reached."""
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        header = ""
        while not header.strip():
            header = text.readline()
            if not header:
                raise TableError("empty")
        delimiter = delimiter_of(header)
        reader = csv.reader(
            _checked_lines(itertools.chain([header], text)), delimiter=delimiter, strict=True
        )
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise TableError("encoding") from exc
    except csv.Error as exc:
        raise _csv_error(exc) from exc
    finally:
        # The caller owns the stream (it may be closed already when a reader is dropped).
        with contextlib.suppress(ValueError):
            text.detach()


def _checked_lines(lines: Iterator[str]) -> Iterator[str]:
    for line in lines:
        if "\x00" in line:  # a spreadsheet, image or other binary file, not text
            raise TableError("not_text")
        yield line


def read_upload(upload: Any, *, max_bytes: int) -> bytes:
    """At most ``max_bytes`` + 1 bytes of an uploaded file (more is refused, not read)."""
    if upload.size is not None and upload.size > max_bytes:
        raise TableError("too_big", maximum_kb=max_bytes // 1024)
    data: bytes = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableError("too_big", maximum_kb=max_bytes // 1024)
    return data


def _xlsx_cell(value: Any) -> Any:
    """Cells as the checks need them: text as is, a formula marked, numbers and dates kept
    (a number where text was expected is how Excel drops leading zeros)."""
    if value is None:
        return ""
    return value


def xlsx_rows(source: IO[bytes], *, max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of the first sheet's non-blank rows, read with openpyxl in read-only
    mode (constant memory). A formula comes as its text (``=…``), never its result.

    Blank rows count towards ``max_rows`` (plus the header) too: a sheet longer than that is
    ``too_many`` before its padding is read.
    """
    from openpyxl import load_workbook  # only an XLSX upload needs it
    from openpyxl.utils.exceptions import InvalidFileException

    if not zipfile.is_zipfile(source):
        raise TableError("not_xlsx")
    source.seek(0)
    _refuse_bombs(source)
    source.seek(0)
    try:
        workbook = load_workbook(source, read_only=True, data_only=False)
    except (InvalidFileException, *_XLSX_READ_ERRORS) as exc:
        # A ZIP that is not a workbook (a renamed .zip, a .docx) or a damaged one.
        raise TableError("not_xlsx") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TableError("empty")
        rows = sheet.iter_rows(max_row=max_rows + 2, max_col=XLSX_MAX_COLUMNS, values_only=True)
        for number, row in enumerate(rows, start=1):
            if number > max_rows + 1:
                raise TableError("too_many", maximum=max_rows)
            cells = [_xlsx_cell(value) for value in row]
            if any(str(cell).strip() for cell in cells):
                yield number, cells
    except TableError:
        raise
    except _XLSX_READ_ERRORS as exc:
        raise TableError("not_xlsx") from exc
    finally:
        workbook.close()


def _refuse_bombs(source: IO[bytes]) -> None:
    """``too_big`` when the workbook's XML would unpack far beyond what a list of people needs."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except _XLSX_READ_ERRORS as exc:
        raise TableError("not_xlsx") from exc
    unpacked = sum(member.file_size for member in members)
    packed = max(sum(member.compress_size for member in members), 1)
    if unpacked > XLSX_MAX_UNPACKED or unpacked > packed * XLSX_MAX_RATIO:
        raise TableError("unpacked")


def sign_checked(data: Any, *, salt: str) -> str:
    """The checked set, signed for the confirmation (compressed: lists repeat a lot)."""
    return signing.dumps(data, salt=salt, compress=True)


def load_checked(raw: str, *, salt: str) -> Any:
    """The signed set back; a changed, foreign or stale one is ``tampered``. The caller checks
    the content again against the database before it applies anything."""
    try:
        return signing.loads(raw, salt=salt, max_age=CHECKED_MAX_AGE)
    except signing.BadSignature as exc:
        raise TableError("tampered") from exc
