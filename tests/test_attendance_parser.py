"""The paste and CSV parser for attendance lists: a table of messy inputs as staff bring them."""

from __future__ import annotations

import datetime as dt

import pytest

from peregister.registry.attendance import (
    MAX_CSV_BYTES,
    MAX_ENTRIES,
    Entry,
    ListError,
    Problem,
    entries_from_data,
    entries_to_data,
    parse_csv,
    parse_date,
    parse_pasted,
    split_numbers,
)

DAY = dt.date(2026, 3, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0012345", ["0012345"]),
        ("0012345\n0067890\n", ["0012345", "0067890"]),
        ("0012345\r\n0067890\r\n", ["0012345", "0067890"]),  # Excel on Windows
        ("0012345,0067890", ["0012345", "0067890"]),
        ("0012345; 0067890 ;0011111", ["0012345", "0067890", "0011111"]),
        ("0012345\t0067890", ["0012345", "0067890"]),  # a row copied from Excel
        ("0012345 0067890", ["0012345", "0067890"]),
        ("  \n0012345\n\n\n0067890  \n", ["0012345", "0067890"]),  # blank lines
        ("\"0012345\"\n'0067890'", ["0012345", "0067890"]),  # quoted cells
        ("0012345\u00a00067890", ["0012345", "0067890"]),  # non-breaking space
        ("0012345,,;;\t\t0067890", ["0012345", "0067890"]),  # empty cells
        ("0012345\n0012345", ["0012345", "0012345"]),  # duplicates kept: the check reports them
        ("12345", ["12345"]),  # lost leading zeros are never restored here
        ("AB-123", ["AB-123"]),  # text numbers stay text
    ],
)
def test_split_numbers(text: str, expected: list[str]) -> None:
    assert split_numbers(text) == expected


def test_pasted_entries_get_the_date_and_their_position() -> None:
    assert parse_pasted("0012345\n0067890", DAY) == [
        Entry(1, "0012345", DAY),
        Entry(2, "0067890", DAY),
    ]


def test_pasted_number_that_is_too_long_is_a_problem_not_a_truncation() -> None:
    (entry,) = parse_pasted("1" * 30, DAY)
    assert entry.problem == Problem.TOO_LONG
    assert entry.number != "1" * 20  # never silently shortened to a valid-looking number


@pytest.mark.parametrize("text", ["", "   ", "\n\n", ",;\t"])
def test_empty_paste_is_refused(text: str) -> None:
    with pytest.raises(ListError) as error:
        parse_pasted(text, DAY)
    assert error.value.code == "empty"


def test_too_many_numbers_are_refused() -> None:
    with pytest.raises(ListError) as error:
        parse_pasted("\n".join(f"{n:07d}" for n in range(MAX_ENTRIES + 1)), DAY)
    assert error.value.code == "too_many"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14-03-2026", DAY),
        ("14/03/2026", DAY),
        ("14.3.2026", DAY),
        ("2026-03-14", DAY),
        (" 14-03-2026 ", DAY),
        ("31-02-2026", None),
        ("14-03-26", None),
        ("03/14/2026", None),
        ("morgen", None),
        ("", None),
    ],
)
def test_parse_date(raw: str, expected: dt.date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"registratienummer;datum\n0012345;14-03-2026\n",
        b"\xef\xbb\xbfregistratienummer;datum\r\n0012345;14-03-2026\r\n",  # Excel's BOM
        b"Registratienummer,Datum\n0012345,2026-03-14\n",
        b"naam;datum;registratienummer\nPim;14-03-2026;0012345\n",  # other columns, any order
        b'"registratienummer";"datum"\n"0012345";"14-03-2026"\n',
        b"registratienummer;datum\n\n0012345;14-03-2026\n;\n",  # blank rows skipped
    ],
)
def test_csv_layouts_that_work(data: bytes) -> None:
    (entry,) = parse_csv(data)
    assert (entry.number, entry.day, entry.problem) == ("0012345", DAY, None)


def test_csv_rows_with_problems_are_reported_per_line() -> None:
    data = (
        "registratienummer;datum\n"
        "0012345;31-02-2026\n"
        "0067890\n"
        ";14-03-2026\n"
        f"{'9' * 25};14-03-2026\n"
        "0011111;14-03-2026\n"
    ).encode()
    entries = parse_csv(data)
    assert [(e.position, e.problem) for e in entries] == [
        (2, Problem.INVALID_DATE),
        (3, Problem.MISSING_VALUE),
        (4, Problem.MISSING_VALUE),
        (5, Problem.TOO_LONG),
        (6, None),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"registratienummer\tdatum\n0012345\t14-03-2026\n", "delimiter"),
        (b"registratienummer|datum\n0012345|14-03-2026\n", "delimiter"),
        (b"nummer;datum\n0012345;14-03-2026\n", "columns"),
        (b"registratienummer;dag\n0012345;14-03-2026\n", "columns"),
        (b"0012345;14-03-2026\n0067890;14-03-2026\n", "columns"),  # no header row
        (b"registratienummer;datum\n", "no_rows"),
        ("registratienummer;datum\n0012345;14-03-2026\nJosé".encode("latin-1"), "encoding"),
        (b"PK\x03\x04\x00\x00registratienummer;datum", "not_text"),  # an .xlsx renamed
        (b'registratienummer;datum\n"0012345;14-03-2026\n', "malformed"),
        # A cell beyond the csv module's 128 KB field limit is told apart from broken CSV.
        (b"registratienummer;datum\n0012345;" + b"x" * 140_000 + b"\n", "cell_too_long"),
        (b"x" * (MAX_CSV_BYTES + 1), "too_big"),
    ],
)
def test_unusable_csv_files_are_refused_whole(data: bytes, code: str) -> None:
    with pytest.raises(ListError) as error:
        parse_csv(data)
    assert error.value.code == code


def test_csv_with_too_many_rows_is_refused() -> None:
    rows = "".join(f"{n:07d};14-03-2026\n" for n in range(MAX_ENTRIES + 1))
    with pytest.raises(ListError) as error:
        parse_csv(f"registratienummer;datum\n{rows}".encode())
    assert error.value.code == "too_many"


def test_entries_survive_the_round_trip_through_the_check_page() -> None:
    entries = [
        Entry(1, "0012345", DAY),
        Entry(2, "0067890", None, Problem.INVALID_DATE),
    ]
    assert entries_from_data(entries_to_data(entries)) == entries


@pytest.mark.parametrize(
    "data",
    [
        None,
        "x",
        [],
        [[1, "0012345", "2026-03-14"]],
        [[1, 12345, "2026-03-14", ""]],
        [[1, "0012345", "2026-02-31", ""]],
        [[1, "0012345", "2026-03-14", "nonsense"]],
        [["1", "0012345", "2026-03-14", ""]],
        [[1, "9" * 50, "2026-03-14", ""]],
        [[1, "0012345", "2026-03-14", ""]] * (MAX_ENTRIES + 1),
    ],
)
def test_crafted_round_trip_data_is_refused(data: object) -> None:
    with pytest.raises(ListError):
        entries_from_data(data)
