"""The second factor in a real browser (issue 13, finding 5; ASVS 2.7, 2.8, 2.9 via WebAuthn).

Register staff set up an authenticator app at their first login (the code computed with
django-otp, as the app would) and type its code at the next; a beheerder sets up a passkey
and logs in with it on Chromium's virtual WebAuthn authenticator (CDP ``WebAuthn``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect

from peregister.accounts.models import PasskeyCredential
from peregister.audit.models import AuditEvent
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import (
    authenticator_code,
    check_page,
    set_up_authenticator_app,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def password_step(page: Page, username: str) -> None:
    page.goto("/account/inloggen/")
    page.get_by_label("Gebruikersnaam", exact=True).fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(r"/account/tweede-stap/"))


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").first.click()
    expect(page).to_have_url(re.compile(r"/account/inloggen/"))


def test_staff_set_up_an_authenticator_app_and_log_in_with_its_code(
    world: World, new_context: Callable[[], BrowserContext]
) -> None:
    page = new_context().new_page()
    password_step(page, world.staff.username)
    expect(page).to_have_url(re.compile(r"/account/tweede-stap/instellen/"))
    check_page(page, "mfa-setup")
    # Before the set-up no other page opens.
    page.goto("/register/e-mail/")
    expect(page).to_have_url(re.compile(r"/account/tweede-stap/"))
    page.goto("/account/tweede-stap/instellen/")
    secret = page.locator("[data-otp-secret]").inner_text()
    assert len(secret.replace(" ", "")) == 32
    page.get_by_label("Code uit de app").fill("000000")
    page.get_by_role("button", name="App koppelen").click()
    expect(page.get_by_text("Deze code klopt niet")).to_be_visible()
    set_up_authenticator_app(page)
    check_page(page, "mfa-after-setup")
    log_out(page)

    password_step(page, world.staff.username)
    check_page(page, "mfa-second-step")
    device = TOTPDevice.objects.get(user=world.staff)
    page.get_by_label("Code", exact=True).fill(
        authenticator_code(device.bin_key, after_step=device.last_t)
    )
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("link", name="Tweestapsverificatie")).to_be_visible()
    page.goto("/account/beveiliging/")
    expect(page.get_by_text("gekoppeld", exact=True)).to_be_visible()
    check_page(page, "mfa-security")


def virtual_authenticator(context: BrowserContext, page: Page) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_a_beheerder_sets_up_a_passkey_and_logs_in_with_it(
    world: World, new_context: Callable[[], BrowserContext], live_server, settings
) -> None:
    # The relying party is the register's address; here, the test server.
    settings.SITE_URL = live_server.url
    user = world.administrator.user
    context = new_context()
    page = context.new_page()
    virtual_authenticator(context, page)
    password_step(page, user.username)
    page.get_by_label("Naam van de passkey").fill("Laptop HR")
    page.get_by_role("button", name="Passkey toevoegen").click()
    expect(page.get_by_role("heading", name="Herstelcodes")).to_be_visible()
    assert PasskeyCredential.objects.filter(user=user, name="Laptop HR").count() == 1
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    expect(page).to_have_url(re.compile(r"/$"))
    log_out(page)

    password_step(page, user.username)
    check_page(page, "mfa-second-step-passkey")
    page.get_by_role("button", name="Inloggen met passkey").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Inlogbeveiliging")).to_be_visible()
    assert AuditEvent.objects.filter(actor=user, action="mfa.set_up").count() == 1
    assert PasskeyCredential.objects.get(user=user).last_used_at is not None
