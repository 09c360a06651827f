"""The back-office in a real browser: staff register attendance from a pasted Excel column and
review an *eigen activiteit*; every page passes axe-core."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from peregister.core import clock
from peregister.registry.models import Completion
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in

pytestmark = pytest.mark.e2e


def test_staff_register_attendance_and_review_a_self_report(
    world: World,
    new_context: Callable[[], BrowserContext],
) -> None:
    activity = factories.LearningActivityFactory(title="Arbeidsrecht actueel", points=3)
    professional = world.professional
    professional.registration_number = "0012345"
    professional.save()
    factories.SelfReportFactory(professional=professional, title="Congres flexibele arbeid")

    page = new_context().new_page()
    log_in(page, world.staff.username, factories.PASSWORD)
    menu = page.get_by_role("navigation", name="Hoofdmenu")

    menu.get_by_role("link", name="Leeractiviteiten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leeractiviteiten")
    check_page(page, "backoffice-activities")

    menu.get_by_role("link", name="Presentie registreren").click()
    check_page(page, "backoffice-attendance-form")
    paste = page.get_by_role("region", name="Lijst plakken")
    paste.get_by_label("Leeractiviteit").select_option(str(activity.code))
    paste.get_by_label("Datum").fill(clock.today().isoformat())
    # A column copied from Excel, where one cell lost its leading zeros.
    paste.get_by_label("Registratienummers").fill("0012345\n12345\n9999999\n")
    paste.get_by_role("button", name="Controleren").click()
    lines = page.get_by_role("table", name="Resultaat per regel")
    expect(lines.get_by_role("row").filter(has_text="0012345").first).to_contain_text(
        professional.full_name
    )
    expect(lines).to_contain_text("voorloopnullen weggevallen?")
    expect(lines).to_contain_text("onbekend registratienummer")
    check_page(page, "backoffice-attendance-check")
    page.get_by_role("button", name="Bevestigen: 1 regel registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Presentie geregistreerd")
    check_page(page, "backoffice-attendance-done")
    assert Completion.objects.get(title="Arbeidsrecht actueel").professional == professional

    menu.get_by_role("link", name="Eigen activiteiten").click()
    page.get_by_role("link", name="Congres flexibele arbeid").click()
    check_page(page, "backoffice-self-report")
    page.get_by_label("Toe te kennen PE-punten").fill("2")
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.get_by_role("status")).to_contain_text("goedgekeurd")

    menu.get_by_role("link", name="Verlengingen").click()
    check_page(page, "backoffice-renewals")

    own = new_context().new_page()
    log_in(own, professional.user.username, factories.PASSWORD)
    own.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Eigen activiteit"
    ).click()
    expect(own.get_by_role("table", name="Ingediende activiteiten")).to_contain_text("goedgekeurd")
    check_page(own, "self-report-list")
    own.get_by_role("link", name="Activiteit indienen").click()
    check_page(own, "self-report-form")
