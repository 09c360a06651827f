"""What a person sees, checked in a real browser: the rapportage at desk and phone width, several
contacts in one *toevoegen* with dates typed the Dutch way whatever the browser's language, the
access log's grouped lines, the product's own 404 page in development, the start page before
authorisation, the roles under *toevoegen beheerder*, and the set-password form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import transaction
from playwright.sync_api import BrowserContext, Locator, Page, expect

from peregister.access.models import AccessGrant
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in

pytestmark = pytest.mark.e2e

MENU = "Hoofdmenu"


def _menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name=MENU)


def _report_population(world: World) -> None:
    """A handful of PE-medewerkers with long names, every status and a submitted dossier."""
    today = clock.today()
    people = [
        ("A.M.", "van den Berg-Hoogendoorn", 400, 0),  # behind
        ("M.", "El Amrani", 200, 12),  # met
        ("S.", "de Vries", 30, 1),  # on schedule
        ("J.W.", "Oosterhuis", 700, 3),  # expired period
    ]
    for first, last, days_ago, points in people:
        registration = factories.RegistrationFactory(
            professional__initials=first,
            professional__last_name=last,
            registered_on=today - dt.timedelta(days=days_ago),
        )
        period = factories.PePeriodFactory(registration=registration)
        if points:
            factories.CompletionFactory(
                professional=registration.professional,
                completed_on=period.start,
                points=points,
            )
        if last == "El Amrani":
            factories.RenewalSubmissionFactory(period=period)
        for contact in (world.contact_live, world.deputy):
            factories.AccessGrantFactory(
                professional=registration.professional,
                contact=contact,
                valid_until=today + dt.timedelta(days=365) if last == "de Vries" else None,
            )


LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push(`page is ${root.scrollWidth}px wide in a ${window.innerWidth}px window`);
    for (const el of document.querySelectorAll('body *')) {
      const right = Math.round(el.getBoundingClientRect().right);
      if (right > window.innerWidth + 1) {
        problems.push(`${el.tagName}.${el.className} ends at ${right}px`);
      }
    }
  }
  const oneLine = (el) => {
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight);
    return el.getBoundingClientRect().height < 1.6 * lineHeight;
  };
  for (const el of document.querySelectorAll('.report-table .status, .report-table .date')) {
    if (!oneLine(el)) { problems.push(`"${el.textContent}" breaks over lines`); }
  }
  for (const row of document.querySelectorAll('.report-table tbody tr')) {
    if (row.getBoundingClientRect().right > window.innerWidth) {
      problems.push(`row "${row.textContent.trim().slice(0, 30)}" sticks out`);
    }
  }
  return problems;
}"""


def test_the_rapportage_reads_well_at_desk_width_and_works_on_a_phone(
    world: World, new_context: Callable[[], BrowserContext]
) -> None:
    _report_population(world)
    page = new_context().new_page()
    log_in(page, world.administrator.user.username, factories.PASSWORD)
    _menu(page).get_by_role("link", name="Rapportage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportage")

    # The file-format notes wait behind a short disclosure; the page is about the people.
    notes = page.get_by_text("gebruikt de puntkomma (;) als scheidingsteken", exact=False)
    expect(notes).to_be_hidden()
    page.get_by_text("Over de bestanden").click()
    expect(notes).to_be_visible()
    page.get_by_text("Over de bestanden").click()

    table = page.get_by_role("table", name=re.compile("PE-voortgang per PE-registratie"))
    for width, height in ((1280, 900), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        expect(table).to_contain_text("A.M. van den Berg-Hoogendoorn")
        problems = page.evaluate(LAYOUT_PROBLEMS)
        assert problems == [], f"{width}px:\n" + "\n".join(problems)
        check_page(page, f"report-{width}")

    # At desk width the table is a table: each PE-periode on one line, its header visible.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(table.get_by_role("columnheader", name="PE-periode")).to_be_visible()
    date_lines = page.evaluate(
        """() => Array.from(document.querySelectorAll(".report-table td[data-label='PE-periode']"),
             (td) => new Set(Array.from(td.querySelectorAll('.date'),
                                        (d) => Math.round(d.getBoundingClientRect().top))).size)"""
    )
    assert len(date_lines) == 5  # every PE-medewerker's period ...
    assert set(date_lines) == {1}, date_lines  # ... on one line

    # On a phone each PE-medewerker is a card with every value under its column's name, and
    # the table is still a table with its headers for a screen reader.
    page.set_viewport_size({"width": 375, "height": 812})
    card = table.get_by_role("row").filter(has_text="M. El Amrani")
    expect(card.get_by_role("cell", name="12 / 12")).to_be_visible()
    expect(table.get_by_role("columnheader", name="PE-punten")).to_have_count(1)  # for AT
    shown_labels = page.evaluate(
        """() => Array.from(document.querySelectorAll('.report-table tbody tr')[0]
             .querySelectorAll('td'), (td) => getComputedStyle(td, '::before').content)"""
    )
    assert any("PE-punten" in label for label in shown_labels), shown_labels
    assert any("Dossier ingediend" in label for label in shown_labels), shown_labels


def test_several_contacts_in_one_go_with_a_dutch_date_in_an_english_browser(
    world: World, browser, live_server
) -> None:
    context = browser.new_context(base_url=str(live_server), locale="en-US")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        log_in(page, world.professional.user.username, factories.PASSWORD)
        page.goto("/mijn/inzage-werkgever/toevoegen/")
        page.get_by_label("Zoek op naam of plaats").fill("Brug")
        page.get_by_role("button", name="Zoeken").click()
        page.get_by_role("row").filter(has_text="Uitzendbureau De Brug").get_by_role(
            "link", name="kiezen"
        ).click()
        page.get_by_role("checkbox", name="HR De Brug (afdeling)").check()
        page.get_by_role("checkbox", name=world.deputy.name).check()
        until = clock.today() + dt.timedelta(days=60)
        date_box = page.get_by_label("geautoriseerd tot")
        # A text box, not the browser's date picker (which would ask mm/dd/yyyy here).
        expect(date_box).to_have_attribute("type", "text")
        date_box.fill(f"{until:%d-%m-%Y}")
        check_page(page, "grant-several-contacts")
        page.get_by_role("button", name="opslaan").click()

        confirmation = page.get_by_role("status").filter(has_text="hebben nu inzage")
        expect(confirmation).to_contain_text("HR De Brug")
        expect(confirmation).to_contain_text(world.deputy.name)
        for name in ("HR De Brug", world.deputy.name):
            row = page.get_by_role("row").filter(has_text=name)
            expect(row).to_contain_text(f"{until:%d-%m-%Y}")
        check_page(page, "grant-several-contacts-done")

        # Changing the date shows it the Dutch way too, and reads it back the Dutch way.
        grant = AccessGrant.objects.get(contact=world.deputy)
        page.goto(f"/mijn/inzage-werkgever/{grant.code}/wijzigen/")
        expect(page.get_by_label("geautoriseerd tot")).to_have_value(f"{until:%d-%m-%Y}")
        later = until + dt.timedelta(days=30)
        page.get_by_label("geautoriseerd tot").fill(f"{later:%d-%m-%Y}")
        page.get_by_role("button", name="opslaan").click()
        expect(page.get_by_role("row").filter(has_text=world.deputy.name)).to_contain_text(
            f"{later:%d-%m-%Y}"
        )
    finally:
        context.close()


def test_the_access_log_groups_repeats_of_one_day(
    world: World, new_context: Callable[[], BrowserContext]
) -> None:
    for _ in range(3):
        with transaction.atomic():
            record(
                AuditEvent.Action.REPORT_DOWNLOADED,
                actor=world.administrator.user,
                organisation=world.organisation,
                contact=world.administrator,
                professionals=[world.professional],
            )
    page = new_context().new_page()
    log_in(page, world.professional.user.username, factories.PASSWORD)
    _menu(page).get_by_role("link", name="Wie bekeek mijn dossier").click()
    rows = page.get_by_role("row").filter(has_text="HR De Brug")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("rapportage 3× gedownload")
    check_page(page, "access-log-grouped")


def test_a_refusal_in_development_is_the_products_page_with_a_way_back(
    world: World, settings, new_context: Callable[[], BrowserContext]
) -> None:
    settings.DEBUG = True
    page = new_context().new_page()
    log_in(page, world.contact_live.user.username, factories.PASSWORD)
    page.goto("/werkgever/rapportage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    expect(_menu(page).get_by_role("link", name="Professionals")).to_be_visible()
    check_page(page, "not-found-in-development")
    page.get_by_role("link", name="Naar de startpagina").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def test_before_authorisation_the_start_page_says_what_comes_and_offers_only_what_works(
    db: None, new_context: Callable[[], BrowserContext]
) -> None:
    contact = factories.ContactFactory(
        organisation__status=Organisation.Status.REQUESTED,
        organisation__name="Uitzendbureau Nieuw",
        role=Contact.Role.ADMINISTRATOR,
    )
    page = new_context().new_page()
    log_in(page, contact.user.username, factories.PASSWORD)
    expect(page.get_by_role("heading", name="Wat gebeurt er nu?")).to_be_visible()
    expect(page.get_by_text("werkdagen")).to_be_visible()
    menu = _menu(page)
    expect(menu.get_by_role("link", name="Organisatie")).to_be_visible()
    expect(menu.get_by_role("link", name="Professionals")).to_have_count(0)
    expect(menu.get_by_role("link", name="Rapportage")).to_have_count(0)
    check_page(page, "start-awaiting-authorisation")


def test_adding_a_contact_says_what_each_role_may_do(
    world: World, new_context: Callable[[], BrowserContext]
) -> None:
    page = new_context().new_page()
    log_in(page, world.administrator.user.username, factories.PASSWORD)
    page.goto("/werkgever/beheerders/toevoegen/")
    contact = page.get_by_role("radio", name="contactpersoon", exact=True)
    expect(contact).to_be_checked()
    expect(contact).to_have_accessible_description(re.compile("Geen rapportage"))
    expect(page.get_by_role("radio", name="2e contactpersoon")).to_have_accessible_description(
        re.compile("Ziet net als de beheerder de rapportage")
    )
    check_page(page, "contact-add-roles")


def test_set_password_keeps_the_first_field_for_a_typo_in_the_repeat(
    db: None, new_context: Callable[[], BrowserContext]
) -> None:
    from peregister.accounts import tokens

    user = factories.UserFactory(username="werkgever-zeewind")
    user.set_unusable_password()
    user.save()
    page = new_context().new_page()
    page.goto(f"/account/wachtwoord-instellen/{tokens.issue_token(user)}/")
    first = page.get_by_label("Nieuw wachtwoord")
    repeat = page.get_by_label("Herhaal het nieuwe wachtwoord")

    # A typo in the repeat is caught in the page: the first field keeps what was typed.
    first.fill("Zomer-avond-2026!")
    repeat.fill("Zomer-avond-2026?")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("niet gelijk"))
    expect(first).to_have_value("Zomer-avond-2026!")
    expect(repeat).to_be_focused()
    page.get_by_label("Wachtwoorden tonen").check()
    expect(first).to_have_attribute("type", "text")
    check_page(page, "set-password-mismatch")

    # A password too like the username is said at the password itself.
    first.fill("werkgever-zeewind1")
    repeat.fill("werkgever-zeewind1")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    # The first reason is the likeness; zxcvbn (told the username) adds "easy to guess".
    error = page.locator("#id_new_password1_error").first
    expect(error).to_have_text("Het wachtwoord lijkt te veel op de gebruikersnaam.")
    expect(page.locator("#id_new_password2_error")).to_have_count(0)
    check_page(page, "set-password-too-similar")


def test_suspending_asks_first(world: World, new_context: Callable[[], BrowserContext]) -> None:
    page = new_context().new_page()
    log_in(page, world.staff.username, factories.PASSWORD)
    page.goto(f"/register/organisaties/{world.organisation.code}/")
    expect(page.get_by_role("button", name="schorsen")).to_have_count(0)
    page.get_by_role("link", name="Organisatie schorsen…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitzendbureau De Brug schorsen?")
    check_page(page, "suspend-confirmation")
    page.get_by_role("link", name="Annuleren").click()
    world.organisation.refresh_from_db()
    assert world.organisation.status == Organisation.Status.AUTHORISED
