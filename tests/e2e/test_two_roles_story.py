"""Issue 18 in a real browser: a professional who is also a regional manager at her
employer logs in once, switches to the contact role in the header, opens the dossier a
colleague granted her, and switches back; the other role's page answers 404. A form opened in
one role and sent after a switch in another tab saves nothing (review 18c G1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in

pytestmark = pytest.mark.e2e

ALERTS = "/werkgever/meldingen/"


def test_a_two_role_person_switches_roles(
    world: World, new_context: Callable[[], BrowserContext]
) -> None:
    factories.AccessGrantFactory(professional=world.professional, contact=world.dual_contact)
    dual = world.dual_contact.user
    page = new_context().new_page()
    log_in(page, dual.username, factories.PASSWORD)

    # One login; she starts as professional, and the header offers her other role.
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link", name="Mijn PE-dossier")).to_be_visible()
    expect(menu.get_by_role("link", name="Professionals")).to_have_count(0)
    switcher = page.get_by_label("Ik werk als")
    expect(switcher).to_have_value("professional")
    check_page(page, "two-roles-as-professional")

    switcher.select_option(label="Uitzendbureau De Brug — contactpersoon")
    page.get_by_role("button", name="Wissel rol").click()
    expect(menu.get_by_role("link", name="Professionals")).to_be_visible()
    expect(menu.get_by_role("link", name="Mijn PE-dossier")).to_have_count(0)
    menu.get_by_role("link", name="Professionals").click()
    page.get_by_role("link", name="open dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Dossier van {world.professional.full_name}"
    )
    check_page(page, "two-roles-as-contact")

    # Her own dossier page belongs to the other role: 404, like any page not hers.
    response = page.goto("/mijn/dossier/")
    assert response is not None
    assert response.status == 404

    page.goto("/")
    page.get_by_label("Ik werk als").select_option(label="PE-professional")
    page.get_by_role("button", name="Wissel rol").click()
    expect(menu.get_by_role("link", name="Mijn PE-dossier")).to_be_visible()
    response = page.goto(f"/werkgever/professionals/{world.professional.code}/")
    assert response is not None
    assert response.status == 404

    # A form opened as contact, sent after switching back in another tab: nothing is saved.
    page.goto("/")
    page.get_by_label("Ik werk als").select_option(label="Uitzendbureau De Brug — contactpersoon")
    page.get_by_role("button", name="Wissel rol").click()
    page.goto(ALERTS)
    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.get_by_label("Ik werk als").select_option(label="PE-professional")
    other_tab.get_by_role("button", name="Wissel rol").click()
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        page.get_by_role("button", name="opslaan").click()
    assert sent.value.status == 409
    expect(page.get_by_text("U bent intussen gewisseld van rol.")).to_be_visible()
    expect(page.get_by_text("U werkt nu als: PE-professional.")).to_be_visible()
