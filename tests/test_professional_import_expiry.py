"""A checked large *Professionals importeren* expires like the small one's signed set (review
14 F15): after 12 hours it can no longer be confirmed (a clear message, nothing written) and
its stored file, personal data, is deleted: when the run is looked at or confirmed, and by the
daily jobs for runs nobody looks at again.

OWASP ASVS 4.0.3 V8.3.8 (personal data deleted after its retention), V11.1.2 (steps in order,
in time).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from peregister.backoffice.models import ImportRun
from peregister.core import clock
from peregister.ops.scheduler import DAILY_JOBS
from peregister.registry.models import Professional
from tests.conftest import World, client_for
from tests.test_professional_import_large import many, run_page

START = dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _checked_run(world: World, on_commit: Any) -> ImportRun:
    run, _page = run_page(client_for(world.staff), many(), on_commit)
    run.refresh_from_db()
    assert run.state == ImportRun.State.CHECKED
    assert run.data != b""
    return run


def _confirm(world: World, run: ImportRun, on_commit: Any) -> Any:
    with on_commit(execute=True):
        return client_for(world.staff).post(
            f"/register/professionals/importeren/controle/{run.code}/bevestigen/"
        )


def test_a_checked_run_can_be_confirmed_within_12_hours(
    world: World, django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    run = _checked_run(world, django_capture_on_commit_callbacks)
    frozen.shift(dt.timedelta(hours=11, minutes=59))
    assert _confirm(world, run, django_capture_on_commit_callbacks).status_code == 302
    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED


def test_confirming_after_12_hours_is_refused_and_the_file_deleted(
    world: World, django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    run = _checked_run(world, django_capture_on_commit_callbacks)
    frozen.shift(dt.timedelta(hours=12, minutes=1))
    response = _confirm(world, run, django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert "De controle is verlopen" in response.content.decode()
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert run.data == b""
    assert not Professional.objects.filter(registration_number="0500000").exists()


def test_an_expired_run_page_offers_no_confirmation(
    world: World, django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    run = _checked_run(world, django_capture_on_commit_callbacks)
    frozen.shift(dt.timedelta(days=92))
    page = client_for(world.staff).get(f"/register/professionals/importeren/controle/{run.code}/")
    body = page.content.decode()
    assert "De controle is verlopen" in body
    assert "/bevestigen/" not in body
    run.refresh_from_db()
    assert run.data == b""


def test_the_daily_jobs_delete_the_files_of_expired_runs(
    world: World, django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    assert "expire_import_runs" in [job.command for job in DAILY_JOBS]
    old = _checked_run(world, django_capture_on_commit_callbacks)
    frozen.shift(dt.timedelta(hours=13))
    fresh = ImportRun.objects.create(
        created_at=clock.now(),
        checked_at=clock.now(),
        created_by=world.staff,
        file_name="nieuw.csv",
        state=ImportRun.State.CHECKED,
        new=1,
        data=b"registratienummer\r\n",
    )
    call_command("expire_import_runs")
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, old.data) == (ImportRun.State.FAILED, b"")
    assert (fresh.state, bytes(fresh.data)) == (ImportRun.State.CHECKED, b"registratienummer\r\n")
