"""A *rapportage* file link clicked after the file stopped being handed out (review of issue 12
point 2, F2): the browser shows the page that says why, it saves no HTML as the file."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from peregister.access.models import AccessGrant
from peregister.core import clock
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_stale_file_link_shows_why_instead_of_saving_the_page(
    world: World, new_context: Callable[[], BrowserContext]
) -> None:
    page = new_context().new_page()
    downloads: list[object] = []
    page.on("download", lambda download: downloads.append(download))
    log_in(page, world.administrator.user.username, factories.PASSWORD)
    page.goto("/werkgever/rapportage/")
    page.get_by_role("button", name="Rapportage downloaden (XLSX of CSV)").click()
    expect(page.get_by_text("Het bestand is klaar")).to_be_visible()
    # Meanwhile the professional revokes (the manager's tab still shows the links).
    AccessGrant.objects.filter(contact=world.contact_live).update(revoked_at=clock.now())
    page.get_by_role("link", name="XLSX downloaden").click()
    expect(page.get_by_text("niet meer beschikbaar")).to_be_visible()
    expect(page.get_by_text("Het bestand is klaar")).to_have_count(0)
    expect(page.get_by_role("button", name="Nieuw bestand maken")).to_be_visible()
    assert downloads == []
