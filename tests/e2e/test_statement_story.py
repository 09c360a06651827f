"""PE-verklaring in a real browser: the professional makes a statement and downloads its PDF;
an anonymous visitor opens the link the PDF's QR code holds (decoded from the rendered PDF)
and sees *geldig*; the professional withdraws it and the same page says *ingetrokken*. Then the
professional downloads their data. Every page is axe-clean."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in
from tests.statements_helpers import qr_codes_in_pdf

pytestmark = pytest.mark.e2e


def test_statement_link_from_the_pdf_says_geldig_then_ingetrokken(
    world: World,
    new_context: Callable[[], BrowserContext],
    live_server: object,
    settings: object,
    tmp_path: Path,
) -> None:
    # Links in the PDF come from SITE_URL: point it at the test server.
    settings.SITE_URL = str(live_server)  # type: ignore[attr-defined]
    professional = world.professional
    factories.CompletionFactory(professional=professional, activity__points=6)

    page = new_context().new_page()
    log_in(page, professional.user.username, factories.PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn PE-dossier"
    ).click()
    page.get_by_role("link", name="PE-verklaring maken of intrekken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PE-verklaringen")
    check_page(page, "statements-list-empty")

    page.get_by_role("link", name="Nieuwe PE-verklaring").click()
    expect(page.get_by_label("Link geldig (dagen)")).to_have_value("30")
    page.get_by_label("Registratienummer").uncheck()
    check_page(page, "statements-new")
    page.get_by_role("button", name="PE-verklaring maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw PE-verklaring is klaar")
    shown_link = page.get_by_label("Link naar de controlepagina").input_value()
    check_page(page, "statements-created")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    pdf_path = tmp_path / "verklaring.pdf"
    download_info.value.save_as(pdf_path)
    [qr_target] = qr_codes_in_pdf(pdf_path.read_bytes())
    assert qr_target == shown_link

    # Someone without an account scans the QR code.
    visitor = new_context().new_page()
    visitor.goto(qr_target)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("PE-verklaring controleren")
    expect(visitor.locator(".verify-status")).to_contain_text("geldig")
    expect(visitor.get_by_text(professional.full_name)).to_be_visible()
    expect(visitor.get_by_text("6 van de 12 vereiste punten")).to_be_visible()
    expect(visitor.get_by_text(professional.registration_number, exact=True)).to_have_count(0)
    check_page(visitor, "statements-verify-valid")

    # The professional withdraws it.
    page.get_by_role("link", name="Naar mijn PE-verklaringen").click()
    row = page.get_by_role("row").filter(has_text="Uitzendprofessional")
    expect(row).to_contain_text("geldig")
    expect(row).to_contain_text("1 keer")
    check_page(page, "statements-list")
    row.get_by_role("link", name="intrekken").click()
    check_page(page, "statements-withdraw")
    page.get_by_role("button", name="intrekken").click()
    expect(page.get_by_role("row").filter(has_text="Uitzendprofessional")).to_contain_text(
        "ingetrokken"
    )

    visitor.reload()
    expect(visitor.locator(".verify-status")).to_contain_text("ingetrokken")
    expect(visitor.get_by_text(professional.full_name)).to_have_count(0)
    check_page(visitor, "statements-verify-withdrawn")

    # Both openings are in Wie bekeek mijn dossier, with their date and time only: one line,
    # as repeats of one kind on one day are grouped.
    page.get_by_role("link", name="Wie bekeek mijn dossier").click()
    reference = str(professional.statements.get().code)[:8]
    opened = page.get_by_role("row").filter(has_text="PE-verklaring 2× bekeken")
    expect(opened).to_have_count(1)
    expect(opened).to_contain_text(f"kenmerk {reference}")
    check_page(page, "statements-access-log")

    # Mijn gegevens downloaden: the ZIP holds the statement too.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn PE-dossier"
    ).click()
    page.get_by_role("link", name="Mijn gegevens downloaden").click()
    check_page(page, "data-export")
    # Development's immediate task backend makes it while the request runs; the status page
    # then offers the file (with a worker it would show the steps first).
    page.get_by_role("button", name="Mijn gegevens downloaden").click()
    expect(page.locator("#export-status")).to_contain_text("Uw bestand is klaar")
    check_page(page, "data-export-ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download mijn gegevens (ZIP)").click()
    zip_path = tmp_path / "mijn-gegevens.zip"
    download_info.value.save_as(zip_path)
    with zipfile.ZipFile(zip_path) as bundle:
        document = json.loads(bundle.read("mijn-gegevens.json"))
    [statement] = document["statements"]
    assert statement["withdrawn_at"] is not None
    assert statement["verification_count"] == 2
