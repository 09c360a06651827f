"""The training provider's whole path in a real browser: request an account, be authorised,
submit an accreditation request, staff recognise it, add a session, register attendance, and
the professional sees the points in Mijn PE-dossier."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, expect

from peregister.core import clock
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, fill_account_request, log_in

pytestmark = pytest.mark.e2e

PASSWORD = "Zomer-avond-2026!"
LINK = re.compile(r"https?://[^/\s]+(/account/wachtwoord-instellen/[A-Za-z0-9_-]+/)")


def dutch(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def test_provider_story(world: World, new_context: Callable[[], BrowserContext]) -> None:
    today = clock.today()
    professional = world.professional
    professional.registration_number = "0054321"
    professional.save()

    # 1. Account aanvragen aanbieder, set the password from the mail, log in.
    page = new_context().new_page()
    page.goto("/account/inloggen/")
    page.get_by_role("link", name="Account aanvragen aanbieder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account aanvragen aanbieder")
    fill_account_request(
        page,
        name="Opleidingen Noord",
        kvk="55554444",
        street="Vismarkt 1",
        postcode="9711 KT",
        city="Groningen",
        phone="050-1234567",
        email="info@noord.example",
        requester="Planning Noord",
        requester_email="planning@noord.example",
        username="noord-planning",
    )
    check_page(page, "provider-request")
    page.get_by_role("button", name="Account aanvragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanvraag ontvangen")
    match = LINK.search(str(mail.outbox[-1].body))
    assert match
    page.goto(match.group(1))
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    log_in(page, "noord-planning", PASSWORD)
    expect(page.get_by_text("wacht op autorisatie")).to_be_visible()

    # 2. The register authorises the provider in the same queue as employers.
    desk = new_context().new_page()
    log_in(desk, world.staff.username, factories.PASSWORD)
    desk_menu = desk.get_by_role("navigation", name="Hoofdmenu")
    desk_menu.get_by_role("link", name="Organisaties").click()
    desk.get_by_role("link", name="Opleidingen Noord").click()
    desk.get_by_role("button", name="autoriseren").click()
    expect(desk.get_by_text("De organisatie is geautoriseerd")).to_be_visible()

    # 3. Accreditatieaanvraag.
    page.goto("/")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name="Activiteiten").click()
    check_page(page, "provider-activities-empty")
    page.get_by_role("link", name="Accreditatieaanvraag indienen").click()
    page.get_by_label("Titel").fill("Arbeidsrecht in de uitzendpraktijk")
    page.get_by_label("Soort").select_option("course")
    page.get_by_label("Omschrijving").fill("Twee dagdelen arbeidsrecht voor intercedenten.")
    page.get_by_label("Duur in uren").fill("8")
    page.get_by_label("Gevraagde PE-punten").fill("6")
    page.get_by_label("Gepland vanaf").fill(dutch(today))
    check_page(page, "provider-accreditation-form")
    page.get_by_role("button", name="indienen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Arbeidsrecht")
    expect(page.get_by_text("Het register beoordeelt deze aanvraag.")).to_be_visible()

    # 4. Staff recognise it with points and a period; the provider is mailed.
    desk_menu.get_by_role("link", name="Accreditatie").click()
    check_page(desk, "staff-accreditation-queue")
    desk.get_by_role("link", name="Arbeidsrecht in de uitzendpraktijk").click()
    check_page(desk, "staff-accreditation-detail")
    desk.get_by_label("Toe te kennen PE-punten").fill("5")
    desk.get_by_role("button", name="Erkennen").click()
    expect(desk.get_by_text("De activiteit is erkend")).to_be_visible()
    assert "erkend" in mail.outbox[-1].subject

    # 5. The provider adds a session and registers attendance.
    page.reload()
    expect(page.get_by_text("Erkend met 5 PE-punten")).to_be_visible()
    sessions = page.get_by_role("region", name="Uitvoeringen")
    sessions.get_by_label("Begindatum").fill(dutch(today))
    sessions.get_by_label("Locatie").fill("Groningen")
    check_page(page, "provider-activity-recognised")
    sessions.get_by_role("button", name="toevoegen").click()
    expect(page.get_by_text("De uitvoering is toegevoegd.")).to_be_visible()
    page.get_by_role("link", name="Presentie registreren").click()
    check_page(page, "provider-attendance-form")
    paste = page.get_by_role("region", name="Lijst plakken")
    paste.get_by_label("Registratienummers").fill("0054321\n9999999\n")
    paste.get_by_role("button", name="Controleren").click()
    lines = page.get_by_role("table", name="Resultaat per regel")
    expect(lines).to_contain_text("0054321")
    expect(lines).not_to_contain_text(professional.last_name)
    check_page(page, "provider-attendance-check")
    page.get_by_role("button", name="Bevestigen: 1 regel registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Presentie geregistreerd")
    check_page(page, "provider-attendance-done")

    # 6. The professional sees the points in Mijn PE-dossier.
    own = new_context().new_page()
    log_in(own, professional.user.username, factories.PASSWORD)
    own.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn PE-dossier"
    ).click()
    expect(own.get_by_text("Arbeidsrecht in de uitzendpraktijk")).to_be_visible()
    own.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Scholingsagenda"
    ).click()
    expect(own.get_by_role("table")).to_contain_text("Arbeidsrecht in de uitzendpraktijk")
    check_page(own, "agenda")
