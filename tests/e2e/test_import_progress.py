"""A large *Professionals importeren* in a real browser (issue 14): the page shows a progress
bar from the run's stored state, keeps it after a reload, and turns into the check's outcome by
itself (static/js/poll.js) when the worker is done. Axe-clean."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from peregister.backoffice.import_checking import check_run
from peregister.backoffice.models import ImportRun
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in
from tests.test_professional_import_large import ROWS, many

pytestmark = pytest.mark.e2e


def test_the_progress_bar_survives_a_reload_and_follows_the_worker(
    world: World, new_context: Callable[[], BrowserContext], settings: object
) -> None:
    # Queue only, as with a worker of its own: this test plays the worker below.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # type: ignore[attr-defined]
    page = new_context().new_page()
    log_in(page, world.staff.username, factories.PASSWORD)
    page.goto("/register/professionals/importeren/")
    page.get_by_label("Bestand (CSV of Excel)").set_input_files(
        {"name": "groot.csv", "mimeType": "text/csv", "buffer": many()}
    )
    page.get_by_role("button", name="Bestand controleren").click()
    # The upload's answer is the run's page: reloading before it has arrived detaches the page.
    expect(page.locator("#import-run")).to_be_visible()
    run = ImportRun.objects.get()
    # Halfway, as the worker keeps it on the run.
    ImportRun.objects.filter(pk=run.pk).update(rows_total=ROWS, rows_done=1000)
    page.reload()
    region = page.locator("#import-run")
    expect(region).to_contain_text(f"1000 van {ROWS} regels gecontroleerd")
    expect(page.get_by_role("progressbar", name="Voortgang")).to_have_attribute("value", "1000")
    check_page(page, "intake-import-progress")
    page.evaluate("window.notReloaded = true")

    check_run(str(run.code))

    expect(
        page.get_by_role("button", name=f"Bevestigen: {ROWS} professionals opslaan")
    ).to_be_visible()
    assert page.evaluate("window.notReloaded === true")
    check_page(page, "intake-import-checked")
