"""Browser tests: Playwright drives Debian's Chromium (headless) against a live test server.

Chromium is required: when it is missing the tests fail instead of being skipped. Every page
a test visits can be checked with axe-core (zero violations) and photographed into the
git-ignored ``test-artifacts/`` folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
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
    page.goto("/account/inloggen/")
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).not_to_have_url(re.compile(r"/account/inloggen/"))


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
