"""Browser tests: Playwright drives Debian's Chromium (headless) against a live test server.

Chromium is required: when it is missing the tests fail instead of being skipped. Every page
a test visits can be checked with axe-core (zero violations) and photographed into the
git-ignored ``test-artifacts/`` folder.
"""

from __future__ import annotations

import os
import re
import time
from base64 import b32decode
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (factories) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser: Browser, live_server: object) -> Iterator[Callable[[], BrowserContext]]:
    """A factory of fresh browser contexts (one per person in a story), closed afterwards."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(
            base_url=str(live_server), accept_downloads=True, locale="nl-NL"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


_axe = Axe()


def check_page(page: Page, name: str) -> None:
    """Screenshot the page and assert axe-core finds no accessibility violations on it."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = _axe.run(page)
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"


def log_in(page: Page, username: str, password: str) -> None:
    """Log in as a person does, with the second step when the account owes one: the first
    time an authenticator app is set up from the page's key, later its code is typed."""
    page.goto("/account/inloggen/")
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).not_to_have_url(re.compile(r"/account/inloggen/"))
    if "/account/tweede-stap/instellen/" in page.url:
        set_up_authenticator_app(page)
    elif "/account/tweede-stap/" in page.url:
        type_authenticator_code(page, username)


def authenticator_code(key: bytes, *, after_step: int = -1) -> str:
    """What an authenticator app shows now (django-otp's TOTP); waits for a new 30-second step
    when the last one was used already (a code works once)."""
    totp = TOTP(key)
    while totp.t() <= after_step:
        time.sleep(0.5)
        totp.time = time.time()
    return f"{totp.token():06d}"


def set_up_authenticator_app(page: Page) -> None:
    secret = page.locator("[data-otp-secret]").inner_text().replace(" ", "")
    page.get_by_label("Code uit de app").fill(authenticator_code(b32decode(secret)))
    page.get_by_role("button", name="App koppelen").click()
    expect(page.get_by_role("heading", name="Herstelcodes")).to_be_visible()
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    expect(page).not_to_have_url(re.compile(r"/account/tweede-stap/"))


def type_authenticator_code(page: Page, username: str) -> None:
    device = TOTPDevice.objects.get(user__username__iexact=username, confirmed=True)
    page.get_by_label("Code", exact=True).fill(
        authenticator_code(device.bin_key, after_step=device.last_t)
    )
    page.get_by_role("button", name="Bevestigen").click()
    expect(page).not_to_have_url(re.compile(r"/account/tweede-stap/"))


def fill_account_request(page: Page, **values: str) -> None:
    """Fill the *Aanvragen account collectieve werkgever* form, field by visible label."""
    labels = {
        "name": "Naam organisatie",
        "kvk": "KvK-nummer",
        "street": "Straat en huisnummer",
        "postcode": "Postcode",
        "city": "Plaats",
        "phone": "Telefoonnummer",
        "email": "Algemeen e-mailadres",
        "requester": "Uw naam",
        "requester_email": "Uw e-mailadres",
        "username": "Gebruikersnaam",
    }
    for key, value in values.items():
        page.get_by_label(labels[key]).fill(value)
