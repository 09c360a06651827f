"""*Mijn gegevens downloaden* with a task worker: the status page shows *wordt gemaakt* and
turns into the download by itself (static/js/poll.js), without a reload. Axe-clean."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from peregister.dataexport.building import build_export
from peregister.dataexport.models import DataExport
from tests import factories
from tests.conftest import World
from tests.e2e.conftest import check_page, log_in

pytestmark = pytest.mark.e2e


def test_the_status_page_follows_the_worker_without_a_reload(
    world: World, new_context: Callable[[], BrowserContext], settings: object
) -> None:
    # Queue only, as with a worker of its own: this test plays the worker below.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # type: ignore[attr-defined]
    page = new_context().new_page()
    log_in(page, world.professional.user.username, factories.PASSWORD)
    page.goto("/mijn/gegevens/")
    page.get_by_role("button", name="Mijn gegevens downloaden").click()
    status = page.locator("#export-status")
    expect(status).to_contain_text("Wordt gemaakt")
    check_page(page, "data-export-waiting")
    page.evaluate("window.notReloaded = true")

    build_export(str(DataExport.objects.get().code))

    expect(status).to_contain_text("Uw bestand is klaar")
    expect(page.get_by_role("link", name="Download mijn gegevens (ZIP)")).to_be_visible()
    assert page.evaluate("window.notReloaded === true")
