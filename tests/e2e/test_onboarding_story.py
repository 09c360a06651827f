"""Seed flows 1–4 in a real browser: request the employer account, set the password from the
mail, log in awaiting authorisation, the register authorises, the beheerder adds a contact."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, expect

from tests import factories
from tests.e2e.conftest import check_page, fill_account_request, log_in

pytestmark = pytest.mark.e2e

PASSWORD = "Zomer-avond-2026!"
LINK = re.compile(r"https?://[^/\s]+(/account/wachtwoord-instellen/[A-Za-z0-9_-]+/)")


def test_employer_onboarding_story(
    transactional_db: None, new_context: Callable[[], BrowserContext]
) -> None:
    page = new_context().new_page()
    page.goto("/account/inloggen/")
    page.get_by_role("link", name="Aanvragen account collectieve werkgever").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Aanvragen account collectieve werkgever"
    )
    # First a mistake: the form says what is wrong, next to the field.
    page.get_by_label("KvK-nummer").fill("1234")
    page.get_by_role("button", name="Account aanvragen").click()
    expect(page.get_by_text("Een KvK-nummer bestaat uit precies 8 cijfers.")).to_be_visible()
    check_page(page, "onboarding-request-errors")

    fill_account_request(
        page,
        name="Uitzendbureau Vooruit",
        kvk="87654321",
        street="Oudegracht 12",
        postcode="3511 AB",
        city="Utrecht",
        phone="030-7654321",
        email="info@vooruit.example",
        requester="HR Vooruit",
        requester_email="hr@vooruit.example",
        username="SEU-werkgever-test",
    )
    page.get_by_role("button", name="Account aanvragen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanvraag ontvangen")
    check_page(page, "onboarding-request-sent")

    [message] = mail.outbox
    match = LINK.search(str(message.body))
    assert match
    page.goto(match.group(1))
    expect(page.get_by_text("SEU-werkgever-test")).to_be_visible()
    check_page(page, "onboarding-set-password")
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_text("Uw wachtwoord is ingesteld.")).to_be_visible()

    log_in(page, "SEU-werkgever-test", PASSWORD)
    expect(page.get_by_text("wacht op autorisatie")).to_be_visible()

    # The register authorises the request from its queue.
    staff = factories.UserFactory(username="register-e2e", is_staff=True)
    desk = new_context().new_page()
    log_in(desk, staff.username, factories.PASSWORD)
    menu = desk.get_by_role("navigation", name="Hoofdmenu")
    menu.get_by_role("link", name="Organisaties").click()
    check_page(desk, "authorisation-queue")
    desk.get_by_role("link", name="Uitzendbureau Vooruit").click()
    check_page(desk, "authorisation-detail")
    desk.get_by_role("button", name="autoriseren").click()
    expect(desk.get_by_text("De organisatie is geautoriseerd")).to_be_visible()
    assert any("Autorisatiebevestiging" in sent.subject for sent in mail.outbox)

    # The beheerder adds a department on a general mailbox (seed tip: HR / L&D).
    page.goto("/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beheerders").click()
    check_page(page, "organisation-contacts")
    page.get_by_role("link", name="toevoegen beheerder").click()
    page.get_by_role("radio", name="afdeling").check()
    page.get_by_label("Naam contactpersoon/afdeling").fill("L&D Vooruit")
    page.get_by_label("E-mailadres", exact=True).fill("ld@vooruit.example")
    page.get_by_role("radio", name="2e contactpersoon").check()
    page.get_by_label("Gebruikersnaam").fill("ld-vooruit")
    check_page(page, "organisation-contact-add")
    page.get_by_role("button", name="opslaan").click()
    expect(page.get_by_role("row").filter(has_text="L&D Vooruit")).to_contain_text(
        "2e contactpersoon"
    )
    assert mail.outbox[-1].to == ["ld@vooruit.example"]

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Organisatie").click()
    check_page(page, "organisation-detail")
