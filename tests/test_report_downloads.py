"""The rapportage as XLSX and CSV, on screen, and through the export_report command."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import cast

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peregister.access import policies
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.registry.models import PePeriod, Professional
from peregister.registry.periods import period_end
from peregister.reports.models import ReportSnapshot
from peregister.reports.render import headers, safe_cell, write_csv, write_xlsx
from peregister.reports.rows import report_rows
from tests import factories
from tests.conftest import World, client_for
from tests.reportfiles import download, file_url, request_file

XLSX = "xlsx"
CSV = "csv"
SCREEN = "/werkgever/rapportage/"


def _professional(world: World, **fields: object) -> Professional:
    registration = factories.RegistrationFactory(
        professional=factories.ProfessionalFactory(**fields)
    )
    factories.PePeriodFactory(registration=registration)
    factories.AccessGrantFactory(professional=registration.professional, contact=world.deputy)
    return cast(Professional, registration.professional)


def _xlsx(response: FileResponse) -> openpyxl.worksheet.worksheet.Worksheet:
    content = b"".join(response.streaming_content)  # type: ignore[arg-type]
    return openpyxl.load_workbook(io.BytesIO(content)).active


def _csv(response: StreamingHttpResponse) -> tuple[str, list[list[str]]]:
    text = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[arg-type]
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


@pytest.mark.parametrize("text", ["=1+1", "+31 6", "-2", "@SUM(A1)", "\t=x", "\r=x"])
def test_safe_cell_neutralises_formula_starts(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Anna", "0012345", "", "a=b", "De Vries - Jansen"])
def test_safe_cell_leaves_ordinary_text_alone(text: str) -> None:
    assert safe_cell(text) == text


def test_xlsx_has_styled_frozen_filtered_header_and_typed_cells(world: World) -> None:
    anna = _professional(world, initials="A.", last_name="Aalders", registration_number="0012345")
    factories.CompletionFactory(professional=anna, points=7)
    response = download(client_for(world.administrator.user), XLSX)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    today = clock.today()
    assert (
        f'filename="rapportage-uitzendbureau-de-brug-{today:%Y-%m-%d}.xlsx"'
        in response["Content-Disposition"]
    )
    sheet = _xlsx(response)
    assert [cell.value for cell in sheet[1]] == headers()
    assert sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N3"
    assert sheet.column_dimensions["A"].width > 20
    row = [cell.value for cell in sheet[2]]
    assert row[0] == "A. Aalders"
    assert row[1] == "0012345"  # text: the leading zeros survive
    assert sheet.cell(2, 2).data_type == "s"
    assert row[2] == "Uitzendprofessional"
    assert isinstance(row[3], dt.datetime)  # a real date cell
    assert row[3].date() == anna.registrations.get().periods.get().start
    assert (row[5], row[6]) == (7, 12)
    # 7 points on day 101 of a 730- or 731-day period: 50 at the end at that pace.
    assert (row[8], row[9]) == (50, "nee")
    assert row[10] == "nee"
    assert row[12] == world.deputy.name
    assert row[13] == "onbeperkt"


def test_a_name_starting_with_equals_is_neutralised_in_both_formats(world: World) -> None:
    _professional(world, initials="", last_name='=HYPERLINK("http://evil","x")')
    client = client_for(world.administrator.user)
    sheet = _xlsx(download(client, XLSX))
    names = [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]
    assert '\'=HYPERLINK("http://evil","x")' in names
    assert all(sheet.cell(row, 1).data_type == "s" for row in range(2, sheet.max_row + 1))
    _, rows = _csv(download(client, CSV))
    assert '\'=HYPERLINK("http://evil","x")' in [row[0] for row in rows[1:]]


def test_csv_has_bom_semicolons_and_dutch_dates(world: World) -> None:
    professional = _professional(world, last_name="Bakker", registration_number="0000042")
    start = clock.today() - dt.timedelta(days=200)  # past a quarter: *risico* may show
    PePeriod.objects.filter(registration__professional=professional).update(
        start=start, end=period_end(start, 24)
    )
    response = download(client_for(world.deputy.user), CSV)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert ".csv" in response["Content-Disposition"]
    text, rows = _csv(response)
    assert text.startswith("\ufeffnaam;registratienummer;register;")
    assert rows[0] == headers()
    bakker = next(row for row in rows if row[0].endswith("Bakker"))
    assert bakker[1] == "0000042"
    assert bakker[3] == start.strftime("%d-%m-%Y")
    assert (bakker[8], bakker[9]) == ("0", "ja")  # no points yet: forecast 0, risico
    assert bakker[10] == "nee"


def test_a_report_without_rows_still_downloads_the_header(world: World) -> None:
    client = client_for(world.other_org_admin.user)
    sheet = _xlsx(download(client, XLSX))
    assert sheet.max_row == 1
    assert [cell.value for cell in sheet[1]] == headers()
    _, rows = _csv(download(client, CSV))
    assert rows == [headers()]
    body = client.get(SCREEN).content.decode()
    assert "alleen de kolomkoppen" in body


@pytest.mark.parametrize("file_format", [XLSX, CSV])
def test_download_is_audited_and_the_professionals_are_linked_once_per_snapshot(
    world: World, file_format: str
) -> None:
    other = _professional(world)
    client = client_for(world.administrator.user)
    snapshot = request_file(client)
    for _ in range(3):
        b"".join(client.get(file_url(snapshot, file_format)).streaming_content)
    made = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_GENERATED)
    assert set(made.professionals.all()) == {world.professional, other}
    downloads = AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_DOWNLOADED)
    assert downloads.count() == 3  # every download is one event …
    event = downloads.first()
    assert event is not None
    assert event.actor == world.administrator.user
    assert event.organisation == world.organisation
    assert event.contact == world.administrator
    assert event.data == {"rows": 2, "format": file_format, "snapshot": str(snapshot.code)}
    # … pointing at the snapshot's one set of link rows, not linking them again.
    assert event.professionals_of == made
    assert not event.professionals.exists()
    assert AuditEvent.professionals.through.objects.count() == 2
    assert not world.other_professional.audit_events.exists()


def _download_queries(world: World, url: str, expected_rows: int) -> int:
    client = client_for(world.administrator.user)
    client.get(SCREEN)  # warm up the session
    snapshot = request_file(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(file_url(snapshot, url))
        content = b"".join(response.streaming_content)
    if url == CSV:
        assert content.decode("utf-8").count("\r\n") == expected_rows + 1
    else:
        assert openpyxl.load_workbook(io.BytesIO(content)).active.max_row == expected_rows + 1
    return len(captured)


@pytest.mark.parametrize("url", [XLSX, CSV])
def test_download_query_count_does_not_grow_with_rows(world: World, url: str) -> None:
    for _ in range(2):
        _professional(world)
    few = _download_queries(world, url, 3)
    for _ in range(27):
        _professional(world)
    assert _download_queries(world, url, 30) == few


def test_screen_shows_status_summary_with_bar_chart_and_table(world: World) -> None:
    met = _professional(world, last_name="Klaar")
    factories.CompletionFactory(professional=met, points=12)
    body = client_for(world.administrator.user).get(SCREEN).content.decode()
    assert "<h1>Rapportage</h1>" in body
    assert "Samenvatting" in body
    # Bar widths are classes (the CSP allows no inline styles).
    assert 'class="bar bar-met pct-50"' in body
    assert "50%" in body
    assert met.full_name in body
    assert world.professional.registration_number in body
    assert "puntkomma" in body  # the CSV format is documented on the page
    assert 'action="/werkgever/rapportage/bestand/"' in body


@pytest.mark.parametrize("page", ["abc", "-1", "0", "999999", "9" * 4000, ""])
def test_screen_page_parameter_garbage_is_harmless(world: World, page: str) -> None:
    response = client_for(world.administrator.user).get(SCREEN, {"pagina": page})
    assert response.status_code == 200
    assert world.professional.full_name in response.content.decode()


def test_screen_paginates_fifty_rows_and_clamps_to_the_last_page(world: World) -> None:
    for _ in range(50):
        _professional(world)
    client = client_for(world.administrator.user)
    first = client.get(SCREEN).content.decode()
    assert first.count('<th scope="row" role="rowheader">P. ') == 50
    assert "pagina 1 van 2" in first
    last = client.get(SCREEN, {"pagina": "77"}).content.decode()
    assert last.count('<th scope="row" role="rowheader">P. ') == 1
    assert "pagina 2 van 2" in last


def test_screen_query_count_does_not_grow_with_rows(world: World) -> None:
    client = client_for(world.administrator.user)

    def queries() -> int:
        client.get(SCREEN)
        with CaptureQueriesContext(connection) as captured:
            client.get(SCREEN)
        return len(captured)

    for _ in range(2):
        _professional(world)
    few = queries()
    for _ in range(27):
        _professional(world)
    assert queries() == few


def test_renderers_return_the_row_count(world: World, tmp_path: Path) -> None:
    _professional(world)
    at = clock.now()
    assert (
        write_csv(
            report_rows(policies.report_scope_or_404(world.administrator.user, at)), io.StringIO()
        )
        == 2
    )
    assert (
        write_xlsx(
            report_rows(policies.report_scope_or_404(world.administrator.user, at)),
            str(tmp_path / "r.xlsx"),
        )
        == 2
    )


@pytest.mark.parametrize("key", ["kvk", "code"])
def test_export_command_writes_the_same_report_and_audits_it(
    world: World, tmp_path: Path, key: str
) -> None:
    _professional(world, registration_number="0012345")
    organisation = world.organisation.kvk_number if key == "kvk" else str(world.organisation.code)
    target = tmp_path / "rapportage.xlsx"
    call_command(
        "export_report",
        organisation=organisation,
        format="xlsx",
        output=str(target),
        stdout=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(target).active
    assert sheet.max_row == 3
    assert "0012345" in [sheet.cell(row, 2).value for row in (2, 3)]
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_DOWNLOADED)
    assert event.actor == world.administrator.user
    assert event.data["rows"] == 2
    assert event.data["source"] == "command"
    assert event.professionals_of is not None
    assert event.professionals_of.professionals.count() == 2


def test_export_command_reads_the_snapshot_the_browser_made(world: World, tmp_path: Path) -> None:
    snapshot = request_file(client_for(world.administrator.user))
    target = tmp_path / "rapportage.csv"
    call_command(
        "export_report",
        organisation=world.organisation.kvk_number,
        format="csv",
        output=str(target),
        stdout=io.StringIO(),
    )
    assert ReportSnapshot.objects.get() == snapshot  # nothing changed: not made again
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_DOWNLOADED)
    assert event.data["snapshot"] == str(snapshot.code)
    assert world.professional.registration_number.encode() in target.read_bytes()


def test_export_command_writes_csv(world: World, tmp_path: Path) -> None:
    target = tmp_path / "rapportage.csv"
    call_command(
        "export_report",
        "--organisation",
        world.organisation.kvk_number,
        "--format",
        "csv",
        "--output",
        str(target),
        stdout=io.StringIO(),
    )
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfnaam;")
    assert world.professional.registration_number.encode() in raw
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize(
    "organisation", ["99999999", "not-a-code", "00000000-0000-0000-0000-000000000000"]
)
def test_export_command_refuses_unknown_organisations(
    world: World, tmp_path: Path, organisation: str
) -> None:
    with pytest.raises(CommandError):
        call_command(
            "export_report",
            organisation=organisation,
            format="csv",
            output=str(tmp_path / "x.csv"),
        )
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_DOWNLOADED).exists()


def test_export_command_refuses_a_suspended_organisation(world: World, tmp_path: Path) -> None:
    world.organisation.status = world.organisation.Status.SUSPENDED
    world.organisation.save()
    with pytest.raises(CommandError, match="niet geautoriseerd"):
        call_command(
            "export_report",
            organisation=world.organisation.kvk_number,
            format="csv",
            output=str(tmp_path / "x.csv"),
        )


def _made(client: Client) -> tuple[int, ReportSnapshot]:
    with CaptureQueriesContext(connection) as captured:
        snapshot = request_file(client)
    return len(captured), snapshot


def test_making_links_every_professional_in_one_statement_for_3_and_30(world: World) -> None:
    """The snapshot's links are one INSERT … SELECT: the same query count for 3 and 30
    professionals; each included professional finds every download in their access log."""
    client = client_for(world.administrator.user)
    client.get(SCREEN)  # warm up the session
    request_file(client)  # each next one also removes the files of the one before
    included = [world.professional] + [_professional(world) for _ in range(2)]
    few, _ = _made(client)
    included += [_professional(world) for _ in range(27)]
    many, snapshot = _made(client)
    assert many == few
    assert snapshot.rows_done == 30
    assert snapshot.event is not None
    assert set(snapshot.event.professionals.values_list("pk", flat=True)) == {
        p.pk for p in included
    }
    for file_format in (XLSX, CSV, XLSX):
        assert client.get(file_url(snapshot, file_format)).status_code == 200
    assert not world.other_professional.audit_events.exists()
    # The professional's own log (*Wie bekeek mijn dossier*) shows each download.
    last = included[-1]
    log = client_for(last.user).get("/mijn/wie-bekeek-mijn-dossier/").content.decode()
    assert "rapportage 3× gedownload" in log
    assert world.administrator.name in log
