"""*Professionals importeren* (issue 14): check step, signed confirmation, all or nothing,
idempotent, invitations for a whole import; and every kind of garbage file.

OWASP ASVS 4.0.3 V5.1.3/V5.1.4 (input validated, structured data checked), V12.1.1 (size
limit), V12.2.1 (file content checked, not its name), V5.2.8 (formulas refused on input).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from peregister.audit.models import AuditEvent
from peregister.backoffice import invitation_sending
from peregister.backoffice.models import InvitationRun, ProfessionalImport
from peregister.core import clock
from peregister.registry.models import PePeriod, Professional, Registration
from tests import factories
from tests.conftest import World, client_for

IMPORT = "/register/professionals/importeren/"
CONFIRM = "/register/professionals/importeren/bevestigen/"
HEADER = (
    "registratienummer;register;voorletters;tussenvoegsel;achternaam;e-mailadres;"
    "geboortedatum;begindatum"
)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


def csv_file(*lines: str, header: str = HEADER, bom: bool = True, sep: str = ";") -> bytes:
    text = "\r\n".join([header, *lines]).replace(";", sep) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode()


GOOD = (
    "0000101;up;A.;;Jansen;a.jansen@example.nl;;01-01-2026",
    "0000102;Uitzendprofessional;B.C.;de;Vries;;02-03-1980;01-03-2019",
)


def upload(client: Any, data: bytes, name: str = "professionals.csv") -> Any:
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})


def payload_of(response: Any) -> str:
    found = re.search(r'name="payload" value="([^"]+)"', response.content.decode())
    assert found, "no confirmation offered"
    return found.group(1)


def test_template_download_is_the_import_format(world: World) -> None:
    client = client_for(world.staff)
    response = client.get("/register/professionals/importeren/voorbeeld.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    assert response.content.decode("utf-8-sig").splitlines()[0] == HEADER
    # The template reads as the import's format; its example row is refused as the example
    # (review F20: rows typed below it must not take on "J.P. van der Berg").
    checked = upload(client, response.content, "voorbeeld.csv")
    assert checked.status_code == 400
    body = checked.content.decode()
    assert "0 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 fout" in " ".join(body.split())
    assert "Dit is de voorbeeldregel uit het voorbeeldbestand" in body
    example = response.content.decode("utf-8-sig").splitlines()[1]
    mine = upload(client, csv_file(example, GOOD[0]), "ingevuld.csv").content.decode()
    assert "1 fout" in " ".join(mine.split())


@pytest.mark.parametrize(("bom", "sep"), [(True, ";"), (False, ","), (True, ",")])
def test_check_then_confirm_takes_everyone_on(world: World, bom: bool, sep: str) -> None:
    client = client_for(world.staff)
    checked = upload(client, csv_file(*GOOD, bom=bom, sep=sep))
    assert checked.status_code == 200
    assert "2 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 fout" in checked.content.decode()
    assert checked.content.decode().count('class="status status-new">nieuw<') == 2
    # Nothing is written before confirmation.
    assert not Professional.objects.filter(
        registration_number="0000101", last_name="Jansen"
    ).exists()
    done = client.post(CONFIRM, {"payload": payload_of(checked)})
    assert done.status_code == 302
    jansen = Professional.objects.get(registration_number="0000101")
    assert (jansen.initials, jansen.last_name, jansen.email) == (
        "A.",
        "Jansen",
        "a.jansen@example.nl",
    )
    vries = Professional.objects.get(registration_number="0000102")
    assert vries.full_name == "B.C. de Vries"
    assert vries.date_of_birth == dt.date(1980, 3, 2)
    period = PePeriod.objects.get(registration__professional=vries)
    assert (period.start, period.end) == (dt.date(2025, 3, 1), dt.date(2027, 2, 28))
    record = ProfessionalImport.objects.get()
    assert (record.created, record.changed, record.unchanged) == (2, 0, 0)
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROFESSIONALS_IMPORTED)
    assert event.actor == world.staff
    assert set(event.professionals.all()) == {jansen, vries}


def test_importing_the_same_file_twice_changes_nothing(world: World) -> None:
    client = client_for(world.staff)
    client.post(CONFIRM, {"payload": payload_of(upload(client, csv_file(*GOOD)))})
    before = (Professional.objects.count(), Registration.objects.count(), PePeriod.objects.count())
    again = upload(client, csv_file(*GOOD))
    assert "0 nieuw, 0 gewijzigd, 2 ongewijzigd, 0 fout" in again.content.decode()
    assert 'name="payload"' not in again.content.decode()
    assert after_counts() == before
    assert ProfessionalImport.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PROFESSIONALS_IMPORTED).count() == 1


def after_counts() -> tuple[int, int, int]:
    return (Professional.objects.count(), Registration.objects.count(), PePeriod.objects.count())


def test_changed_rows_say_what_changes(world: World) -> None:
    client = client_for(world.staff)
    client.post(CONFIRM, {"payload": payload_of(upload(client, csv_file(*GOOD)))})
    changed = upload(
        client, csv_file("0000101;up;A.;;Jansen-Bos;nieuw@example.nl;;01-01-2026", GOOD[1])
    )
    page = changed.content.decode()
    assert "0 nieuw, 1 gewijzigd, 1 ongewijzigd, 0 fout" in page
    assert "achternaam, e-mailadres" in page
    client.post(CONFIRM, {"payload": payload_of(changed)})
    jansen = Professional.objects.get(registration_number="0000101")
    assert (jansen.last_name, jansen.email) == ("Jansen-Bos", "nieuw@example.nl")
    # The professional sees it in the dossier.
    assert jansen.audit_events.filter(action=AuditEvent.Action.PROFESSIONALS_IMPORTED).count() == 2


def test_the_same_number_in_another_register_is_another_professional(world: World) -> None:
    """Registers number their people each on their own (issue 14: unique per register): the
    number of someone in one register, in a row for another, is a newcomer there."""
    factories.RegisterFactory(code="bo", name="Backofficeprofessional")
    number = world.professional.registration_number
    line = f"{number};bo;B.;;Anders;;;01-06-2026"
    checked = upload(client_for(world.staff), csv_file(line))
    assert "1 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 fout" in " ".join(
        checked.content.decode().split()
    )
    client_for(world.staff).post(CONFIRM, {"payload": payload_of(checked)})
    newcomer = Professional.objects.get(register__code="bo", registration_number=number)
    assert newcomer.last_name == "Anders"
    assert newcomer.registrations.get().register.code == "bo"
    world.professional.refresh_from_db()
    assert world.professional.register.code == "up"
    assert not world.professional.registrations.filter(register__code="bo").exists()


def test_a_number_in_another_case_is_the_same_number(world: World) -> None:
    """Registers treat numbers without regard to case: ab-77 in the file is AB-77 on record."""
    client = client_for(world.staff)
    client.post(
        CONFIRM,
        {"payload": payload_of(upload(client, csv_file("AB-77;up;A.;;Jansen;;;01-01-2026")))},
    )
    again = upload(client, csv_file("ab-77;up;A.;;Jansen-Bos;;;01-01-2026"))
    assert "0 nieuw, 1 gewijzigd, 0 ongewijzigd, 0 fout" in " ".join(again.content.decode().split())
    client.post(CONFIRM, {"payload": payload_of(again)})
    [professional] = Professional.objects.filter(registration_number__iexact="ab-77")
    assert (professional.registration_number, professional.last_name) == ("AB-77", "Jansen-Bos")


def test_a_number_twice_in_a_file_in_two_cases_is_a_duplicate(world: World) -> None:
    lines = ("AB-78;up;A.;;Jansen;;;01-01-2026", "ab-78;up;B.;;Bos;;;01-01-2026")
    checked = upload(client_for(world.staff), csv_file(*lines))
    assert "Dit registratienummer staat eerder in het bestand." in checked.content.decode()
    assert not Professional.objects.filter(registration_number__iexact="ab-78").exists()


def test_one_number_in_two_registers_in_one_file_is_two_professionals(world: World) -> None:
    factories.RegisterFactory(code="bo", name="Backofficeprofessional")
    client = client_for(world.staff)
    lines = ("0077001;up;A.;;Jansen;;;01-01-2026", "0077001;bo;B.;;Bos;;;01-01-2026")
    checked = upload(client, csv_file(*lines))
    assert "2 nieuw, 0 gewijzigd" in " ".join(checked.content.decode().split())
    client.post(CONFIRM, {"payload": payload_of(checked)})
    assert sorted(
        Professional.objects.filter(registration_number="0077001").values_list(
            "register__code", "last_name"
        )
    ) == [("bo", "Bos"), ("up", "Jansen")]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("0000201;up;;;Jansen;;;01-01-2026", "Vul de voorletters in."),
        ("0000202;up;A.;;Jansen;geen-adres;;01-01-2026", "Vul een geldig e-mailadres in."),
        ("0000203;xx;A.;;Jansen;;;01-01-2026", "Onbekend register"),
        ("0000204;up;A.;;Jansen;;;01-01-2027", "De begindatum ligt in de toekomst."),
        ("0000205;up;A.;;Jansen;;;31-02-2026", "geen geldige datum"),
        ("0000206;up;A.;;Jansen;;31-02-1990;01-01-2026", "geboortedatum is geen geldige"),
        ('0000207;up;A.;;=HYPERLINK("x");;;01-01-2026', "formule"),
        ("0000208;up;A.;;" + "x" * 10_000 + ";;;01-01-2026", "Te lang"),
        ("00 00209;up;A.;;Jansen;;;01-01-2026", "cijfers en letters"),
        ("0000210;up;A.;;Jan\x07sen;;;01-01-2026", "tekens die niet"),
    ],
)
def test_row_errors_with_their_reason_and_no_write(world: World, line: str, reason: str) -> None:
    client = client_for(world.staff)
    before = after_counts()
    checked = upload(client, csv_file(line, GOOD[0]))
    page = checked.content.decode()
    assert checked.status_code == 400
    assert "1 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 fout" in page
    assert reason in page
    assert 'name="payload"' not in page
    assert after_counts() == before


def test_a_known_number_without_its_leading_zeros_is_an_error_not_a_new_person(
    world: World,
) -> None:
    """A CSV saved from Excel turns 0001031 into 1031: taking that on would register the same
    person twice under a number that is not theirs."""
    known = world.professional.registration_number
    assert known.startswith("0")
    stripped = known.lstrip("0")
    before = after_counts()
    page = upload(
        client_for(world.staff),
        csv_file(f"{stripped};up;A.;;Jansen;a.jansen@example.nl;;01-01-2026"),
    ).content.decode()
    assert "voorloopnullen weggevallen" in page
    assert known in page
    assert "1 fout" in page
    assert after_counts() == before


def test_duplicate_number_in_the_file(world: World) -> None:
    checked = upload(client_for(world.staff), csv_file(GOOD[0], GOOD[0]))
    assert "staat eerder in het bestand" in checked.content.decode()


def test_number_of_another_person_refused(world: World) -> None:
    other = world.other_professional
    Professional.objects.filter(pk=other.pk).update(date_of_birth=dt.date(1970, 1, 1))
    line = f"{other.registration_number};up;A.;;Jansen;;02-02-1990;01-01-2026"
    checked = upload(client_for(world.staff), csv_file(line))
    assert "hoort bij een andere persoon" in checked.content.decode()


def test_a_file_with_errors_cannot_be_confirmed_even_with_a_forged_fingerprint(
    world: World,
) -> None:
    from peregister.backoffice.professional_forms import sign_import
    from peregister.core import clock
    from peregister.registry.professional_import import check_rows, fingerprint, read_rows

    rows = read_rows(csv_file(GOOD[0], "0000203;xx;A.;;Jansen;;;01-01-2026"), name="x.csv")
    # The true outcome of the check, signed as if the page had offered a confirmation.
    seen = fingerprint(check_rows(rows, today=clock.today()))
    response = client_for(world.staff).post(CONFIRM, {"payload": sign_import(rows, seen, "x")})
    assert response.status_code == 400
    assert not Professional.objects.filter(
        registration_number="0000101", last_name="Jansen"
    ).exists()


def test_tampered_payload_is_refused(world: World) -> None:
    client = client_for(world.staff)
    payload = payload_of(upload(client, csv_file(*GOOD)))
    response = client.post(CONFIRM, {"payload": payload[:-3] + "abc"})
    assert response.status_code == 400
    assert "ongeldig" in response.content.decode()
    assert not Professional.objects.filter(
        registration_number="0000101", last_name="Jansen"
    ).exists()


def test_a_change_between_check_and_confirm_is_a_conflict(world: World) -> None:
    client = client_for(world.staff)
    payload = payload_of(upload(client, csv_file(*GOOD)))
    factories.ProfessionalFactory(registration_number="0000101", last_name="Anders")
    response = client.post(CONFIRM, {"payload": payload})
    assert response.status_code == 409
    assert "Controleer de regels opnieuw" in response.content.decode()
    assert not Professional.objects.filter(registration_number="0000102").exists()


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


XLSX_HEADER = HEADER.split(";")


def test_xlsx_import(world: World) -> None:
    data = xlsx(
        [
            XLSX_HEADER,
            [
                "0000301",
                "up",
                "C.",
                "",
                "Smit",
                "c.smit@example.nl",
                dt.date(1985, 5, 5),
                "01-02-2026",
            ],
        ]
    )
    client = client_for(world.staff)
    checked = upload(client, data, "lijst.xlsx")
    assert checked.status_code == 200
    assert "1 nieuw" in checked.content.decode()
    client.post(CONFIRM, {"payload": payload_of(checked)})
    smit = Professional.objects.get(registration_number="0000301")
    assert smit.date_of_birth == dt.date(1985, 5, 5)


def test_xlsx_number_cells_and_formulas_are_refused(world: World) -> None:
    data = xlsx(
        [
            XLSX_HEADER,
            [301, "up", "C.", "", "Smit", "", "", "01-02-2026"],
            ["0000302", "up", "D.", "", "=A1", "", "", "01-02-2026"],
        ]
    )
    page = upload(client_for(world.staff), data, "lijst.xlsx").content.decode()
    assert "voorloopnullen kunnen verloren" in page
    assert "formule" in page


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            HEADER.encode("utf-8") + "\r\n0000401;up;É.;;Smit;;;01-01-2026".encode("latin-1"),
            "l.csv",
            "geen UTF-8",
        ),
        (b"0000401;up;A.;;Jansen;;;01-01-2026\r\n", "geen-kop.csv", "mist de kolom"),
        (b"x" * (20 * 1024 * 1024), "groot.csv", "te groot"),
        (b"registratienummer;register\x00\r\n", "nul.csv", "geen CSV-tekstbestand"),
        (HEADER.encode() + b"\r\n", "leeg.csv", "alleen een kopregel"),
        (b"registratienummer register\r\n1 up\r\n", "sep.csv", "scheidingsteken"),
    ],
)
def test_garbage_files_answer_400_with_a_dutch_message(
    world: World, data: bytes, name: str, message: str
) -> None:
    before = after_counts()
    response = upload(client_for(world.staff), data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert after_counts() == before


def test_a_sheet_claiming_a_huge_size_is_refused_before_its_padding_is_read() -> None:
    """A few KB that declare 16,384 columns and a data row far down would make openpyxl pad
    every row to that size: blank rows count towards the limit, and only the first columns
    are read, so such a sheet is refused at once instead of keeping a worker busy."""
    from peregister.core.tabular import TableError
    from peregister.registry.professional_import import stream_rows

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(XLSX_HEADER)
    sheet.cell(row=1, column=16_384, value="x")
    sheet.cell(row=50_000, column=1, value="0000501")
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with pytest.raises(TableError) as refusal:
        list(stream_rows(buffer, name="groot.xlsx", max_rows=10))
    assert refusal.value.code == "too_many"


def test_a_zip_renamed_xlsx_is_refused(world: World) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "geen werkmap")
    response = upload(client_for(world.staff), buffer.getvalue(), "lijst.xlsx")
    assert response.status_code == 400
    assert "geen geldige Excel-werkmap" in response.content.decode()
    broken = upload(client_for(world.staff), b"PK\x03\x04" + b"\x00" * 100, "kapot.xlsx")
    assert broken.status_code == 400


def test_invite_everyone_of_an_import_in_batches(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.staff)
    lines = [
        f"00005{index:02d};up;A.;;Jansen;p{index}@example.nl;;01-01-2026" for index in range(5)
    ]
    lines.append("0000599;up;Z.;;Zonder;;;01-01-2026")  # no address: skipped
    client.post(CONFIRM, {"payload": payload_of(upload(client, csv_file(*lines)))})
    record = ProfessionalImport.objects.get()
    with (
        mock.patch.object(invitation_sending, "BATCH_SIZE", 2),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(f"/register/professionals/importeren/{record.code}/uitnodigen/")
    assert response.status_code == 302
    run = InvitationRun.objects.get()
    assert (run.state, run.total, run.sent, run.skipped) == ("done", 6, 5, 1)
    assert len(mail.outbox) == 5
    # One audit event per batch that sent something: 2 + 2 + 1 (the last batch skips one).
    events = AuditEvent.objects.filter(action=AuditEvent.Action.INVITATIONS_SENT)
    assert sorted(event.data["count"] for event in events) == [1, 2, 2]
    page = client.get(f"/register/professionals/importeren/{record.code}/").content.decode()
    assert "Uitnodigingen verstuurd: 5" in page


def test_inviting_an_import_twice_at_once_queues_it_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """A double click on *alle uitnodigen* (or a reload) while the first run is queued, or just
    after it, sends nobody the mail twice; later a resend is possible again."""
    client = client_for(world.staff)
    lines = [f"00006{i:02d};up;A.;;Jansen;q{i}@example.nl;;01-01-2026" for i in range(3)]
    client.post(CONFIRM, {"payload": payload_of(upload(client, csv_file(*lines)))})
    record = ProfessionalImport.objects.get()
    url = f"/register/professionals/importeren/{record.code}/uitnodigen/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302  # pending: the same run
    assert InvitationRun.objects.count() == 1
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
        assert client.post(url).status_code == 302  # done, but a minute ago: still the same
    assert InvitationRun.objects.count() == 1
    assert len(mail.outbox) == 3
    with (
        time_machine.travel(clock.now() + dt.timedelta(minutes=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(url)
    assert InvitationRun.objects.count() == 2
    assert len(mail.outbox) == 6


@pytest.mark.parametrize("quoted", [False, True])
def test_a_cell_beyond_128_kb_is_called_too_long_not_malformed(world: World, quoted: bool) -> None:
    long_cell = "x" * 140_000
    cell = f'"{long_cell}"' if quoted else long_cell
    response = upload(client_for(world.staff), csv_file(f"0000301;up;A.;;{cell};;;01-01-2026"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Een cel in het bestand is te lang (meer dan 128 kB)" in body
    assert "geen geldige CSV" not in body
    assert not Professional.objects.filter(registration_number="0000301").exists()


def _rezipped(data: bytes, member: str, content: bytes) -> bytes:
    """``data`` (a workbook) with one member replaced."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        names = [info.filename for info in source.infolist()]
        for name in names:
            target.writestr(name, content if name == member else source.read(name))
        if member not in names:
            target.writestr(member, content)
    return out.getvalue()


def _good_xlsx() -> bytes:
    return xlsx([XLSX_HEADER, ["0000601", "up", "A.", "", "Smit", "", "", "01-02-2026"]])


def _sheet(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: _rezipped(d, "xl/worksheets/sheet1.xml", _sheet(d)[: len(_sheet(d)) // 2]),
        lambda d: _rezipped(d, "xl/workbook.xml", b"<workbook"),
        lambda d: _rezipped(d, "xl/styles.xml", b"not xml at all"),
        lambda d: _rezipped(
            d,
            "xl/worksheets/sheet1.xml",
            _sheet(d).replace(
                b"<sheetData>", b'<sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row>', 1
            ),
        ),
    ],
    ids=["sheet-cut-off", "workbook-cut-off", "styles-not-xml", "missing-shared-string"],
)
def test_a_damaged_workbook_is_refused_not_a_500(world: World, damage: Any) -> None:
    """Review F5: every way a workbook can be broken is the Dutch "not a workbook" (400)."""
    before = after_counts()
    response = upload(client_for(world.staff), damage(_good_xlsx()), "kapot.xlsx")
    assert response.status_code == 400
    assert "geen geldige Excel-werkmap" in response.content.decode()
    assert after_counts() == before


@pytest.mark.parametrize("part", ["wide-row", "shared-strings"])
def test_a_zip_bomb_workbook_is_refused_before_it_is_parsed(world: World, part: str) -> None:
    """Review F6: a tiny file unpacking to many MB of XML is refused at once, unparsed.
    OWASP ASVS 4.0.3 V12.1.2 (compressed files checked against their unpacked size)."""
    import time

    good = _good_xlsx()
    if part == "wide-row":
        cells = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(200_000))
        bomb = _rezipped(
            good,
            "xl/worksheets/sheet1.xml",
            _sheet(good).replace(b"<sheetData>", b'<sheetData><row r="1">' + cells + b"</row>", 1),
        )
    else:
        strings = b"<si><t>x</t></si>" * 500_000
        bomb = _rezipped(
            good,
            "xl/sharedStrings.xml",
            b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main">' + strings + b"</sst>",
        )
    assert len(bomb) < 200_000
    from peregister.core.tabular import TableError
    from peregister.registry.professional_import import read_rows

    started = time.perf_counter()
    with pytest.raises(TableError) as refused:
        read_rows(bomb, name="bom.xlsx")
    assert refused.value.code == "unpacked"
    assert time.perf_counter() - started < 0.5  # refused from the ZIP directory, unparsed
    response = upload(client_for(world.staff), bomb, "bom.xlsx")
    assert response.status_code == 400
    assert "pakt uit tot veel meer gegevens" in response.content.decode()


def test_inviting_an_import_skips_the_ended(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Review F4: a professional whose registration was ended after the import is skipped."""
    client = client_for(world.staff)
    lines = [f"00007{i:02d};up;A.;;Jansen;e{i}@example.nl;;01-01-2026" for i in range(2)]
    client.post(CONFIRM, {"payload": payload_of(upload(client, csv_file(*lines)))})
    Registration.objects.filter(professional__registration_number="0000700").update(
        status=Registration.Status.ENDED
    )
    record = ProfessionalImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/register/professionals/importeren/{record.code}/uitnodigen/")
    run = InvitationRun.objects.get()
    assert (run.sent, run.skipped) == (1, 1)
    assert [message.to for message in mail.outbox] == [["e1@example.nl"]]


def test_a_number_of_someone_else_is_an_error_without_a_date_of_birth(world: World) -> None:
    """Review F19: a row with someone's number but another surname and other voorletters (or
    e-mail) is another person under a wrong number: *fout*, never *gewijzigd*."""
    Professional.objects.filter(pk=world.professional.pk).update(
        initials="P.", last_name="Jansen", email="pim@example.nl"
    )
    number = world.professional.registration_number
    client = client_for(world.staff)
    for line in (
        f"{number};up;K.;de;Bakker;k.bakker@example.nl;;01-01-2026",
        f"{number};up;K.;;Bakker;;;01-01-2026",
        f"{number};up;P.;;Bakker;k.bakker@example.nl;;01-01-2026",
    ):
        page = upload(client, csv_file(line)).content.decode()
        assert "Dit registratienummer hoort bij P. Jansen" in page, line
    # A surname alone (marriage) is a correction.
    married = upload(client, csv_file(f"{number};up;P.;;Bakker;;;01-01-2026")).content.decode()
    assert "1 gewijzigd" in " ".join(married.split())
    world.professional.refresh_from_db()
    assert world.professional.last_name == "Jansen"


def test_reimporting_an_ended_registration_is_an_error_not_unchanged(world: World) -> None:
    """Review F3: the file and the register must not silently disagree."""
    client = client_for(world.staff)
    client.post(CONFIRM, {"payload": payload_of(upload(client, csv_file(GOOD[0])))})
    Registration.objects.filter(professional__registration_number="0000101").update(
        status=Registration.Status.ENDED
    )
    page = upload(client, csv_file(GOOD[0])).content.decode()
    assert "0 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 fout" in " ".join(page.split())
    assert "in Uitzendprofessional is beëindigd" in page


def test_a_file_without_tussenvoegsel_keeps_the_registers(world: World) -> None:
    """Review F26: as the README says, a left-out or empty tussenvoegsel keeps what is stored."""
    client = client_for(world.staff)
    client.post(CONFIRM, {"payload": payload_of(upload(client, csv_file(GOOD[1])))})
    minimal = "registratienummer;register;voorletters;achternaam;begindatum"
    page = upload(client, csv_file("0000102;up;B.C.;Vries;01-03-2019", header=minimal))
    assert "0 nieuw, 0 gewijzigd, 1 ongewijzigd" in " ".join(page.content.decode().split())
    assert Professional.objects.get(registration_number="0000102").name_prefix == "de"
