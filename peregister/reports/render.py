"""Two renderers for report rows: CSV (for Dutch Excel) and XLSX. Both stream row by row.

CSV: UTF-8 with a byte-order mark and ``;`` as the delimiter, which is what Excel with Dutch
regional settings expects (``,`` is the decimal separator there). XLSX: XlsxWriter in
``constant_memory`` mode, which flushes every finished row to disk.

Every text cell goes through ``safe_cell``: spreadsheet programs execute a cell starting with
``= + - @`` (or a tab / carriage return in front of one) as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peregister.core.dates import TYPED_DATE
from peregister.reports.rows import ReportRow, status_labels

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
StrOrPromise = str | Promise
CSV_BOM = "\ufeff"
CSV_DELIMITER = ";"
CSV_DATE_FORMAT = TYPED_DATE  # the product's table format, as on screen
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Column:
    header: StrOrPromise
    width: int


COLUMNS = (
    Column(gettext_lazy("naam"), 28),
    Column(gettext_lazy("registratienummer"), 18),
    Column(gettext_lazy("register"), 26),
    Column(gettext_lazy("begin PE-periode"), 16),
    Column(gettext_lazy("einde PE-periode"), 16),
    Column(gettext_lazy("behaalde punten"), 15),
    Column(gettext_lazy("vereiste punten"), 15),
    Column(gettext_lazy("status"), 22),
    Column(gettext_lazy("prognose punten"), 15),
    Column(gettext_lazy("risico"), 10),
    Column(gettext_lazy("dossier ingediend"), 17),
    Column(gettext_lazy("datum ingediend"), 16),
    Column(gettext_lazy("geautoriseerde contactpersoon/-personen"), 40),
    Column(gettext_lazy("geautoriseerd tot"), 17),
)


def safe_cell(text: str) -> str:
    """Neutralise a value a spreadsheet would run as a formula by making it plain text."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def headers() -> list[str]:
    return [str(column.header) for column in COLUMNS]


@dataclass(frozen=True)
class Labels:
    """The words a file repeats on every row, translated once per file (not once per row)."""

    yes: str
    no: str
    unlimited: str
    status: dict[str, str]  # row status → label, already neutralised with ``safe_cell``

    @classmethod
    def current(cls) -> Labels:
        """In the active language."""
        return cls(
            yes=_("ja"),
            no=_("nee"),
            unlimited=_("onbeperkt"),
            status={key: safe_cell(label) for key, label in status_labels().items()},
        )


# --- CSV ------------------------------------------------------------------------------------


def _csv_records(rows: Iterable[ReportRow]) -> Iterator[list[str]]:
    """The cells of each row as CSV text; dates are formatted once per distinct date."""
    labels = Labels.current()
    dates: dict[dt.date, str] = {}

    def date(day: dt.date | None) -> str:
        if day is None:
            return ""
        text = dates.get(day)
        if text is None:
            text = dates[day] = day.strftime(CSV_DATE_FORMAT)
        return text

    for row in rows:
        yield [
            safe_cell(row.name),
            safe_cell(row.registration_number),
            safe_cell(row.register),
            date(row.period_start),
            date(row.period_end),
            "" if row.points_earned is None else str(row.points_earned),
            "" if row.points_required is None else str(row.points_required),
            labels.status[row.status],
            "" if row.forecast_points is None else str(row.forecast_points),
            labels.yes if row.at_risk else labels.no,
            labels.yes if row.dossier_submitted else labels.no,
            date(row.submitted_on),
            safe_cell(row.contacts),
            labels.unlimited if row.authorised_until is None else date(row.authorised_until),
        ]


def _csv_writer(out: Any) -> Any:
    # Any: typeshed names the writer type only in the private ``_csv`` module.
    return csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")


def write_csv(rows: Iterable[ReportRow], out: IO[str]) -> int:
    """Write the whole CSV (BOM, header, rows) to ``out``; returns the number of rows."""
    writer = _csv_writer(out)
    out.write(CSV_BOM)
    writer.writerow(headers())
    count = 0
    for record in _csv_records(rows):
        writer.writerow(record)
        count += 1
    return count


def tee_csv(rows: Iterable[ReportRow], out: IO[str]) -> Iterator[ReportRow]:
    """Write the CSV of ``rows`` to ``out`` as they pass, handing each row on: one pass over
    the rows feeds the CSV and another renderer (a report snapshot's XLSX)."""
    writer = _csv_writer(out)
    out.write(CSV_BOM)
    writer.writerow(headers())
    passing: list[ReportRow] = []

    def source() -> Iterator[ReportRow]:
        for row in rows:
            passing.append(row)
            yield row

    # ``_csv_records`` turns one row into one record as it is pulled.
    for record in _csv_records(source()):
        writer.writerow(record)
        yield passing.pop()


# --- XLSX -----------------------------------------------------------------------------------


def write_xlsx(rows: Iterable[ReportRow], out: IO[bytes] | str) -> int:
    """Write the workbook to ``out`` (a path or a seekable binary file); returns the row count.

    Text is written with ``write_string`` only, so a registration number stays text (leading
    zeros survive) and nothing is ever turned into a formula, number or link.
    """
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        sheet = workbook.add_worksheet(_("Rapportage")[:31])
        header = workbook.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": "#154273",
                "border": 1,
                "text_wrap": True,
                "valign": "top",
            }
        )
        date = workbook.add_format({"num_format": "dd-mm-yyyy", "align": "left"})
        text = workbook.add_format({"num_format": "@"})
        for index, column in enumerate(COLUMNS):
            sheet.set_column(index, index, column.width)
        for index, title in enumerate(headers()):
            sheet.write_string(0, index, title, header)
        sheet.freeze_panes(1, 0)

        def write_date(row_index: int, col: int, day: dt.date | None) -> None:
            if day is None:
                sheet.write_blank(row_index, col, None)
            else:
                sheet.write_datetime(row_index, col, day, date)

        def write_number(row_index: int, col: int, value: int | None) -> None:
            if value is None:
                sheet.write_blank(row_index, col, None)
            else:
                sheet.write_number(row_index, col, value)

        labels = Labels.current()
        count = 0
        for count, row in enumerate(rows, start=1):
            sheet.write_string(count, 0, safe_cell(row.name))
            sheet.write_string(count, 1, safe_cell(row.registration_number), text)
            sheet.write_string(count, 2, safe_cell(row.register))
            write_date(count, 3, row.period_start)
            write_date(count, 4, row.period_end)
            write_number(count, 5, row.points_earned)
            write_number(count, 6, row.points_required)
            sheet.write_string(count, 7, labels.status[row.status])
            write_number(count, 8, row.forecast_points)
            sheet.write_string(count, 9, labels.yes if row.at_risk else labels.no)
            sheet.write_string(count, 10, labels.yes if row.dossier_submitted else labels.no)
            write_date(count, 11, row.submitted_on)
            sheet.write_string(count, 12, safe_cell(row.contacts))
            if row.authorised_until is None:
                sheet.write_string(count, 13, labels.unlimited)
            else:
                write_date(count, 13, row.authorised_until)
        sheet.autofilter(0, 0, count, len(COLUMNS) - 1)
    finally:
        workbook.close()
    return count
