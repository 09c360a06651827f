"""Seed flows 6–7 in a real browser: a contact finds and opens a dossier; the beheerder
downloads the rapportage and the file holds the professional's row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import BrowserContext, expect

from peregister.core import clock
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in

pytestmark = pytest.mark.e2e


def test_contact_opens_dossier_and_beheerder_downloads_the_report(
    world: World, new_context: Callable[[], BrowserContext], tmp_path: Path
) -> None:
    professional = world.professional
    period = professional.registrations.get().periods.get()
    factories.CompletionFactory(
        professional=professional,
        title="Workshop arbeidsrecht",
        points=4,
        completed_on=period.start,
    )

    # The regional manager (a contact with a live grant) finds the professional.
    page = new_context().new_page()
    log_in(page, world.contact_live.user.username, factories.PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Professionals"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Professionals")
    row = page.get_by_role("row").filter(has_text=professional.registration_number)
    expect(row).to_contain_text(professional.full_name)
    expect(row).to_contain_text("4 / 12")
    check_page(page, "insight-professionals")

    page.get_by_role("searchbox").fill(professional.registration_number)
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("link", name="open dossier")).to_have_count(1)

    # The icon button is found by its accessible name, as a screen-reader user would.
    page.get_by_role("link", name="open dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Dossier van {professional.full_name}"
    )
    activities = page.get_by_role("table", name="overzicht PE-activiteiten")
    expect(activities).to_contain_text("Workshop arbeidsrecht")
    check_page(page, "insight-dossier")

    # The beheerder sees the rapportage and downloads it as XLSX.
    page = new_context().new_page()
    log_in(page, world.administrator.user.username, factories.PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportage")
    expect(page.get_by_role("table", name="Status van 1 PE-registratie")).to_be_visible()
    check_page(page, "report")
    # Issue 12: the file is made by the task worker (in-process here); its page offers it.
    page.get_by_role("button", name="Rapportage downloaden (XLSX of CSV)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportage downloaden")
    expect(page.get_by_text("Het bestand is klaar")).to_be_visible()
    check_page(page, "report-file")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX downloaden").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"rapportage-uitzendbureau-de-brug-{clock.today():%Y-%m-%d}.xlsx"
    )
    target = tmp_path / "rapportage.xlsx"
    download.save_as(target)
    sheet = openpyxl.load_workbook(target).active
    assert sheet.max_row == 2
    assert sheet["A2"].value == professional.full_name
    assert sheet["B2"].value == professional.registration_number
    assert (sheet["F2"].value, sheet["G2"].value) == (4, 12)
    assert isinstance(sheet["I2"].value, int)  # prognose punten
    assert sheet["M2"].value == "Regiomanager"
