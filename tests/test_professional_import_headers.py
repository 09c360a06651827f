"""*Professionals importeren* refuses a header it does not know (review 14 F24): a misspelt
optional column (``tussenvoegsels``, ``email``, ``geboorte datum``) was silently not read, so
names, addresses and dates of birth were lost. The message names the unknown column(s) and the
columns the import reads; nothing is written.

OWASP ASVS 4.0.3 V5.1.3 (structured input validated against a set of allowed fields).
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook

from peregister.registry.models import Professional
from tests.conftest import World, client_for
from tests.test_professional_import import csv_file, upload


def test_a_misspelt_optional_column_is_refused_and_named(world: World) -> None:
    header = (
        "registratienummer;register;voorletters;tussenvoegsels;achternaam;email;"
        "geboorte datum;begindatum"
    )
    line = "9900101;up;J.P.;van der;Berg;jp@example.nl;02-03-1980;01-01-2026"
    response = upload(client_for(world.staff), csv_file(line, header=header))
    assert response.status_code == 400
    body = " ".join(response.content.decode().split())
    assert "onbekende kolom(men): tussenvoegsels, email, geboorte datum" in body
    assert "tussenvoegsel, achternaam, e-mailadres, geboortedatum, begindatum" in body
    assert 'name="payload"' not in body
    assert not Professional.objects.filter(registration_number="9900101").exists()


def test_a_column_twice_is_refused(world: World) -> None:
    header = "registratienummer;register;voorletters;achternaam;achternaam;begindatum"
    response = upload(
        client_for(world.staff), csv_file("9900101;up;J.;Berg;Bos;01-01-2026", header=header)
    )
    assert response.status_code == 400
    assert "staat twee keer in de kopregel: achternaam" in response.content.decode()


def test_a_large_file_with_an_unknown_column_is_refused_in_the_request(world: World) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["registratienummer", "register", "voorletters", "achternaam", "begindatum", "mail"]
    )
    for number in range(2100):
        sheet.append([f"{number:07d}", "up", "J.", "Berg", "01-01-2026", "x@example.nl"])
    buffer = BytesIO()
    book.save(buffer)
    response = upload(client_for(world.staff), buffer.getvalue(), "groot.xlsx")
    assert response.status_code == 400
    assert "onbekende kolom(men): mail" in " ".join(response.content.decode().split())


def test_an_empty_header_cell_without_data_is_no_column(world: World) -> None:
    header = "registratienummer;register;voorletters;achternaam;begindatum;"
    response = upload(
        client_for(world.staff), csv_file("9900101;up;J.;Berg;01-01-2026;", header=header)
    )
    assert response.status_code == 200
    assert "1 nieuw" in response.content.decode()
