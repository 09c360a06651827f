"""Single sign-on in a real browser (issue 18): a contact logs in through the register's portal
(a real OpenID Connect provider on loopback), is told the identity is not linked yet, links it
with the mailed single-use link, logs in through the portal and logs out at both ends."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from peregister.accounts.models import SsoIdentity
from peregister.audit.models import AuditEvent
from tests.conftest import World
from tests.e2e.conftest import check_page
from tests.oidc_provider import Provider

pytestmark = pytest.mark.e2e


def through_the_portal(page: Page, username: str) -> None:
    page.goto("/account/inloggen/")
    page.get_by_role("button", name="Inloggen via Mijn-SEU").click()
    # The provider's own login page, on its own address.
    expect(page.get_by_role("heading", name="Mijn-SEU")).to_be_visible()
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_role("button", name="Inloggen").click()


def test_log_in_through_the_portal_link_the_account_and_log_out(
    world: World, new_context: Callable[[], BrowserContext], live_server, settings, oidc: Provider
) -> None:
    # Links in mails and the redirect URI the provider sends back to: the test server.
    settings.SITE_URL = live_server.url
    user = world.contact_live.user
    oidc.users["regio"] = {"sub": "seu-regio-1", "email": user.email, "email_verified": True}
    page = new_context().new_page()

    page.goto("/account/inloggen/")
    expect(page.get_by_label("Wachtwoord", exact=True)).to_be_visible()
    check_page(page, "sso-login-page")
    through_the_portal(page, "regio")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account nog niet gekoppeld")
    expect(page.get_by_text("Er is geen nieuw account gemaakt")).to_be_visible()
    check_page(page, "sso-unlinked")
    page.get_by_role("button", name="Stuur mij een koppellink").click()
    expect(page.get_by_text("koppellink onderweg")).to_be_visible()

    [message] = [m for m in mail.outbox if m.to == [user.email.lower()]]
    found = re.search(r"/account/inloggen/sso/koppelen/[A-Za-z0-9_-]+/", str(message.body))
    assert found
    page.goto(found.group(0))
    expect(page.get_by_text(user.username)).to_be_visible()
    check_page(page, "sso-link-confirm")
    page.get_by_role("button", name="Koppelen").click()
    expect(page.get_by_text("Uw account is gekoppeld")).to_be_visible()
    assert SsoIdentity.objects.get(subject="seu-regio-1").user == user

    through_the_portal(page, "regio")
    expect(page.get_by_role("button", name="Uitloggen").first).to_be_visible()
    check_page(page, "sso-logged-in")
    page.get_by_role("button", name="Uitloggen").first.click()
    # Logged out here, then at the provider, which sends the browser back to the login page.
    expect(page).to_have_url(re.compile(r"/account/inloggen/$"))
    assert len(oidc.ended) == 1
    assert oidc.ended[0]["id_token_hint"]
    assert oidc.ended[0]["post_logout_redirect_uri"] == f"{live_server.url}/account/inloggen/"
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/account/inloggen/"))
    actions = list(
        AuditEvent.objects.filter(action__startswith="sso.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["sso.link_sent", "sso.linked", "sso.login", "sso.unknown_identity"]
