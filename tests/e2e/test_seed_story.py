"""The seed's whole story in a real browser, as the people in it do it, with an axe-core check
(zero violations) and a screenshot on every page visited:

request the employer account → set the password from the mail → the register authorises →
the beheerder adds a regional manager, who sets a password from their own mail → a professional
grants that manager access until a date → the manager finds the professional and opens the
dossier → the beheerder downloads the XLSX rapportage → the professional revokes → the manager
no longer finds them and the dossier is a 404.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from peregister.core import clock
from tests import factories
from tests.e2e.conftest import check_page, fill_account_request, log_in

pytestmark = pytest.mark.e2e

ORGANISATION = "Uitzendbureau Zeewind"
BEHEERDER = "seu-zeewind-hr"
BEHEERDER_PASSWORD = "Lente-ochtend-2026!"
MANAGER = "Regiomanager Noord"
MANAGER_USERNAME = "zeewind-regio-noord"
MANAGER_PASSWORD = "Herfst-middag-2026!"
LINK = re.compile(r"https?://[^/\s]+(/account/wachtwoord-instellen/[A-Za-z0-9_-]+/)")
TITLES = ("Workshop arbeidsrecht", "E-learning flexwet", "Training matchen op talent")


def menu_link(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=name).click()


def set_password_from_mail(page: Page, recipient: str, username: str, password: str) -> None:
    """Open the set-password link from the last mail sent to ``recipient`` and set it."""
    [message] = [sent for sent in mail.outbox if sent.to == [recipient]]
    body = str(message.body)
    assert f"Gebruikersnaam: {username}" in body
    match = LINK.search(body)
    assert match, body
    page.goto(match.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtwoord instellen")
    expect(page.get_by_text(username)).to_be_visible()
    check_page(page, f"seed-set-password-{username}")
    page.get_by_label("Nieuw wachtwoord").fill(password)
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill(password)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Uw wachtwoord is ingesteld.")).to_be_visible()
    check_page(page, f"seed-password-set-{username}")


def test_seed_story(
    transactional_db: None, new_context: Callable[[], BrowserContext], tmp_path: Path
) -> None:
    today = clock.today()
    until = today + dt.timedelta(days=91)

    # 1. The employer requests an account on the public form, linked from the login page.
    employer = new_context().new_page()
    employer.goto("/account/inloggen/")
    expect(employer.get_by_role("heading", level=1)).to_have_text("Inloggen")
    check_page(employer, "seed-login")
    employer.get_by_role("link", name="Aanvragen account collectieve werkgever").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text(
        "Aanvragen account collectieve werkgever"
    )
    check_page(employer, "seed-request-account")
    fill_account_request(
        employer,
        name=ORGANISATION,
        kvk="61234567",
        street="Boulevard 7",
        postcode="2586 ZZ",
        city="Den Haag",
        phone="070-1234567",
        email="info@zeewind.example",
        requester="HR Zeewind",
        requester_email="hr@zeewind.example",
        username=BEHEERDER,
    )
    employer.get_by_role("button", name="Account aanvragen").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("Aanvraag ontvangen")
    check_page(employer, "seed-request-sent")

    # 2. The set-password link from the sent e-mail; then the beheerder logs in and waits.
    set_password_from_mail(employer, "hr@zeewind.example", BEHEERDER, BEHEERDER_PASSWORD)
    log_in(employer, BEHEERDER, BEHEERDER_PASSWORD)
    expect(employer.get_by_text("wacht op autorisatie")).to_be_visible()
    check_page(employer, "seed-beheerder-awaiting-authorisation")

    # 3. A register staff member authorises the organisation from the queue.
    staff = factories.UserFactory(username="register-seed", is_staff=True)
    desk = new_context().new_page()
    log_in(desk, staff.username, factories.PASSWORD)
    check_page(desk, "seed-staff-start")
    menu_link(desk, "Organisaties")
    expect(desk).to_have_url(re.compile(r"/register/organisaties/"))
    check_page(desk, "seed-staff-queue")
    desk.get_by_role("link", name=ORGANISATION).click()
    check_page(desk, "seed-staff-organisation")
    desk.get_by_role("button", name="autoriseren").click()
    expect(desk.get_by_text("De organisatie is geautoriseerd")).to_be_visible()
    check_page(desk, "seed-staff-authorised")
    assert any(
        "Autorisatiebevestiging" in sent.subject and sent.to == ["hr@zeewind.example"]
        for sent in mail.outbox
    )

    # 4. The beheerder adds the regional manager under Beheerders → toevoegen beheerder.
    employer.goto("/")
    check_page(employer, "seed-beheerder-start")
    menu_link(employer, "Beheerders")
    expect(employer.get_by_role("heading", level=1)).to_have_text("Beheerders")
    check_page(employer, "seed-contacts")
    employer.get_by_role("link", name="toevoegen beheerder").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("toevoegen beheerder")
    employer.get_by_role("radio", name="persoon", exact=True).check()
    employer.get_by_label("Naam contactpersoon/afdeling").fill(MANAGER)
    employer.get_by_label("E-mailadres", exact=True).fill("noord@zeewind.example")
    employer.get_by_role("radio", name="contactpersoon", exact=True).check()
    employer.get_by_label("Gebruikersnaam").fill(MANAGER_USERNAME)
    check_page(employer, "seed-contact-add")
    employer.get_by_role("button", name="opslaan").click()
    expect(employer.get_by_role("row").filter(has_text=MANAGER)).to_contain_text("contactpersoon")
    check_page(employer, "seed-contacts-with-manager")

    # … and the regional manager sets a password through the link in their own mail.
    manager = new_context().new_page()
    set_password_from_mail(manager, "noord@zeewind.example", MANAGER_USERNAME, MANAGER_PASSWORD)

    # 5. A professional grants the regional manager access until a date ~3 months ahead.
    registration = factories.RegistrationFactory(
        professional__initials="S.",
        professional__name_prefix="van",
        professional__last_name="Dijk",
        professional__registration_number="0042137",
        professional__user__username="sanne-van-dijk",
        professional__user__first_name="Sanne",
        professional__user__last_name="van Dijk",
    )
    professional = registration.professional
    factories.PePeriodFactory(registration=registration)
    for days_ago, title, points in zip((80, 45, 10), TITLES, (4, 3, 2), strict=True):
        factories.CompletionFactory(
            professional=professional,
            activity__title=title,
            points=points,
            completed_on=today - dt.timedelta(days=days_ago),
        )
    name = professional.full_name
    assert name == "S. van Dijk"

    person = new_context().new_page()
    log_in(person, "sanne-van-dijk", factories.PASSWORD)
    check_page(person, "seed-professional-start")
    menu_link(person, "Inzage werkgever")
    expect(person.get_by_role("heading", level=1)).to_have_text("Inzage werkgever")
    check_page(person, "seed-grants-empty")
    person.get_by_role("link", name="toevoegen").click()
    check_page(person, "seed-grant-organisation")
    person.get_by_label("Zoek op naam of plaats").fill("Zeewind")
    person.get_by_role("button", name="Zoeken").click()
    expect(person.get_by_role("status")).to_contain_text("1 organisatie gevonden")
    check_page(person, "seed-grant-organisation-found")
    person.get_by_role("row").filter(has_text=ORGANISATION).get_by_role(
        "link", name="kiezen"
    ).click()
    expect(person.get_by_text("Stap 2 van 2")).to_be_visible()
    person.get_by_role("checkbox", name=MANAGER).check()
    person.get_by_label("geautoriseerd tot").fill(f"{until:%d-%m-%Y}")
    explanation = person.get_by_role("region", name="Wat ziet de organisatie?")
    expect(explanation).to_contain_text(
        "Elke gekozen contactpersoon/afdeling ziet uw volledige PE-dossier"
    )
    expect(explanation).to_contain_text(f"De beheerder en de 2e contactpersoon van {ORGANISATION}")
    expect(explanation).to_contain_text("beheerder: HR Zeewind")
    check_page(person, "seed-grant-form")
    person.get_by_role("button", name="opslaan").click()
    expect(person.get_by_text(f"{MANAGER} van {ORGANISATION} heeft nu inzage")).to_be_visible()
    grant_row = person.get_by_role("row").filter(has_text=MANAGER)
    expect(grant_row).to_contain_text(ORGANISATION)
    expect(grant_row).to_contain_text(str(until.year))
    check_page(person, "seed-grants-active")

    # 6. The regional manager finds the professional and opens the dossier.
    log_in(manager, MANAGER_USERNAME, MANAGER_PASSWORD)
    check_page(manager, "seed-manager-start")
    menu_link(manager, "Professionals")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Professionals")
    row = manager.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("0042137")
    expect(row).to_contain_text("9 / 12")
    expect(row).to_contain_text(f"{until:%d-%m-%Y}")  # the table date format
    check_page(manager, "seed-professionals")
    row.get_by_role("link", name="open dossier").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(f"Dossier van {name}")
    dossier_url = manager.url
    activities = manager.get_by_role("table", name=re.compile(r"^overzicht PE-activiteiten"))
    for title in TITLES:
        expect(activities).to_contain_text(title)
    check_page(manager, "seed-dossier")

    # 7. The beheerder downloads the rapportage as XLSX; the file holds the professional's row.
    menu_link(employer, "Rapportage")
    expect(employer.get_by_role("heading", level=1)).to_have_text("Rapportage")
    expect(employer.get_by_role("table", name="Status van 1 PE-registratie")).to_be_visible()
    check_page(employer, "seed-report")
    # Issue 12: the file is made by the task worker (in-process here); its page offers it.
    employer.get_by_role("button", name="Rapportage downloaden (XLSX of CSV)").click()
    expect(employer.get_by_role("heading", level=1)).to_have_text("Rapportage downloaden")
    expect(employer.get_by_text("Het bestand is klaar")).to_be_visible()
    with employer.expect_download() as download_info:
        employer.get_by_role("link", name="XLSX downloaden").click()
    download = download_info.value
    assert download.suggested_filename == f"rapportage-uitzendbureau-zeewind-{today:%Y-%m-%d}.xlsx"
    target = tmp_path / "rapportage.xlsx"
    download.save_as(target)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    assert sheet.max_row == 2
    assert sheet["A2"].value == name
    assert sheet["B2"].value == "0042137"  # text: the leading zero survives
    assert sheet["B2"].data_type == "s"
    assert (sheet["F2"].value, sheet["G2"].value) == (9, 12)
    assert sheet["M2"].value == MANAGER  # after prognose punten (I) and risico (J)

    # 8. The professional revokes with the trash button and confirms.
    person.get_by_role("row").filter(has_text=MANAGER).get_by_role("link", name="intrekken").click()
    expect(person.get_by_role("heading", level=1)).to_have_text("Inzage intrekken")
    check_page(person, "seed-grant-revoke")
    person.get_by_role("button", name="intrekken").click()
    revoked_message = f"De inzage van {MANAGER} ({ORGANISATION}) is ingetrokken."
    expect(person.get_by_text(revoked_message)).to_be_visible()
    revoked = person.get_by_role("row").filter(has_text=MANAGER)
    expect(revoked).to_contain_text("ingetrokken")
    expect(revoked.get_by_role("link", name="intrekken")).to_have_count(0)
    check_page(person, "seed-grants-revoked")

    # 9. The regional manager no longer finds the professional; the dossier is a 404.
    menu_link(manager, "Professionals")
    manager.reload()
    expect(manager.get_by_role("status")).to_have_text("0 professionals gevonden.")
    expect(manager.get_by_role("row").filter(has_text=name)).to_have_count(0)
    expect(manager.get_by_role("link", name="open dossier")).to_have_count(0)
    check_page(manager, "seed-professionals-after-revoke")
    response = manager.goto(dossier_url)
    assert response is not None
    assert response.status == 404
    expect(manager.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    expect(manager.get_by_text(name)).to_have_count(0)
    check_page(manager, "seed-dossier-404")
