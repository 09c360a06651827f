"""Register intake in a real browser (issue 14): staff import a small file, check the preview,
confirm, invite everyone of the import; the invited professional sets a password and logs in.
Every page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, expect

from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Zomer-avond-2026!"
FILE = (
    "\ufeffregistratienummer;register;voorletters;tussenvoegsel;achternaam;e-mailadres;"
    "geboortedatum;begindatum\r\n"
    "0077001;up;A.;;Jansen;a.jansen@example.nl;;01-01-2025\r\n"
    "0077002;up;B.;van;Dijk;b.vandijk@example.nl;;01-03-2024\r\n"
).encode()


def test_import_check_confirm_invite_and_the_professional_logs_in(
    world: World, new_context: Callable[[], BrowserContext]
) -> None:
    page = new_context().new_page()
    log_in(page, world.staff.username, factories.PASSWORD)
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name="Professionals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Professionals")
    check_page(page, "intake-professionals")

    page.get_by_role("link", name="Professionals importeren").click()
    check_page(page, "intake-import-form")
    page.get_by_label("Bestand (CSV of Excel)").set_input_files(
        {"name": "nieuwe-professionals.csv", "mimeType": "text/csv", "buffer": FILE}
    )
    page.get_by_role("button", name="Bestand controleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import controleren")
    lines = page.get_by_role("table", name="Resultaat per regel")
    expect(lines.get_by_role("row").filter(has_text="0077001")).to_contain_text("nieuw")
    expect(lines.get_by_role("row").filter(has_text="0077002")).to_contain_text("van Dijk")
    check_page(page, "intake-import-check")

    page.get_by_role("button", name="Bevestigen: 2 professionals opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import opgeslagen")
    check_page(page, "intake-import-done")
    page.get_by_role("button", name="Alle professionals uit deze import uitnodigen").click()
    expect(page.get_by_text("Uitnodigingen verstuurd: 2")).to_be_visible()

    [invitation] = [m for m in mail.outbox if m.to == ["a.jansen@example.nl"]]
    # The mail's link is built from SITE_URL; the test server runs elsewhere: follow its path.
    found = re.search(r"/account/wachtwoord-instellen/[A-Za-z0-9_-]+/", str(invitation.body))
    assert found
    assert "Gebruikersnaam: 0077001" in str(invitation.body)

    newcomer = new_context().new_page()
    newcomer.goto(found.group(0))
    check_page(newcomer, "intake-set-password")
    newcomer.get_by_label("Nieuw wachtwoord", exact=True).fill(NEW_PASSWORD)
    newcomer.get_by_label("Herhaal het nieuwe wachtwoord").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Wachtwoord opslaan").click()
    log_in(newcomer, "0077001", NEW_PASSWORD)
    newcomer.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn PE-dossier"
    ).click()
    expect(newcomer.get_by_role("main")).to_contain_text("0077001")
    check_page(newcomer, "intake-dossier")
    newcomer.get_by_role("link", name="Wachtwoord wijzigen").click()
    check_page(newcomer, "intake-change-password")


def test_staff_add_edit_and_end_one_professional(
    world: World, new_context: Callable[[], BrowserContext]
) -> None:
    page = new_context().new_page()
    log_in(page, world.staff.username, factories.PASSWORD)
    page.goto("/register/professionals/toevoegen/")
    check_page(page, "intake-add")
    page.get_by_label("Registratienummer").fill("0088001")
    page.get_by_label("Register").select_option("up")
    page.get_by_label("Begin registratie").fill("01-01-2025")
    page.get_by_label("Voorletters").fill("C.")
    page.get_by_label("Achternaam").fill("Smit")
    page.get_by_role("button", name="Professional toevoegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("C. Smit")
    check_page(page, "intake-detail")
    page.get_by_role("link", name="Persoonsgegevens wijzigen").click()
    check_page(page, "intake-edit")
    page.get_by_label("E-mailadres").fill("c.smit@example.nl")
    page.get_by_role("button", name="Opslaan").click()
    page.get_by_role("link", name="Beëindigen").click()
    check_page(page, "intake-end")
    page.get_by_label("Reden").fill("Op verzoek van de professional")
    page.get_by_role("button", name="Registratie beëindigen").click()
    expect(page.get_by_role("table", name="Registraties van deze professional")).to_contain_text(
        "beëindigd"
    )


def test_login_details_page_is_accessible(new_context: Callable[[], BrowserContext]) -> None:
    page = new_context().new_page()
    page.goto("/account/inloggen/")
    page.get_by_role("link", name="Inloggegevens vergeten").click()
    check_page(page, "intake-login-details")
    page.get_by_label("E-mailadres").fill("iemand@example.nl")
    page.get_by_role("button", name="Stuur mijn inloggegevens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggegevens aangevraagd")
    check_page(page, "intake-login-details-sent")
