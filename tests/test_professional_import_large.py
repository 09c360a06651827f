"""*Professionals importeren* for large files (issue 14): read, checked and applied by the task
worker with a progress bar kept on the run; all or nothing, idempotent, the confirmed set the
checked set; written in batches with one audit event per import.

OWASP ASVS 4.0.3 V12.1.1 (size limit), V12.2.1 (file content checked by the worker too),
V11.1.4 (a large file is not processed in the request), V5.1.3 (every row validated).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.audit.models import AuditEvent
from peregister.backoffice.models import ImportRun, ProfessionalImport
from peregister.core import clock
from peregister.registry.models import PePeriod, Professional, Registration
from tests import factories
from tests.conftest import World, client_for
from tests.test_professional_import import csv_file, upload

ROWS = 2100  # beyond the request's 2,000: the worker takes it


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


def letters(number: int) -> str:
    """A name of letters only for each number (names have no digits)."""
    return "".join(chr(ord("a") + int(digit)) for digit in str(number))


def many(count: int = ROWS, *, first: int = 500000, extra: tuple[str, ...] = ()) -> bytes:
    lines = [
        f"{first + i:07d};up;A.;van;Berg {letters(i)};p{first + i}@example.nl;;01-01-2026"
        for i in range(count)
    ]
    return csv_file(*lines, *extra)


def run_page(client: Any, data: bytes, on_commit: Any) -> tuple[ImportRun, Any]:
    """Upload; the queued check runs after the request's commit; then the run's page."""
    with on_commit(execute=True):
        response = upload(client, data)
    assert response.status_code == 302, response.content.decode()[:400]
    run = ImportRun.objects.get()
    assert response["Location"].endswith(f"/importeren/controle/{run.code}/")
    return run, client.get(response["Location"])


def test_a_large_file_is_checked_by_the_worker_then_applied_on_confirmation(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.staff)
    run, page = run_page(client, many(), django_capture_on_commit_callbacks)
    body = page.content.decode()
    assert f"{ROWS} regels gecontroleerd" in body
    assert f"{ROWS} nieuw, 0 gewijzigd, 0 ongewijzigd, 0 fout" in " ".join(body.split())
    assert not Professional.objects.filter(registration_number="0500000").exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            f"/register/professionals/importeren/controle/{run.code}/bevestigen/"
        )
    assert confirmed.status_code == 302
    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED
    assert run.data == b""  # the file is not kept after the run
    assert Professional.objects.filter(registration_number__startswith="05").count() == ROWS
    assert Registration.objects.filter(professional__registration_number="0502099").exists()
    assert PePeriod.objects.filter(
        registration__professional__registration_number="0502099"
    ).exists()
    professional_import = ProfessionalImport.objects.get()
    assert run.result == professional_import
    assert professional_import.created == ROWS
    assert professional_import.professionals.count() == ROWS
    event = AuditEvent.objects.get(action=AuditEvent.Action.PROFESSIONALS_IMPORTED)
    assert event.actor == world.staff
    assert event.professionals.count() == ROWS
    done = client.get(
        client.get(f"/register/professionals/importeren/controle/{run.code}/")
        .content.decode()
        .split('href="')[-1]
        .split('"')[0]
        if False
        else f"/register/professionals/importeren/{professional_import.code}/"
    )
    assert done.status_code == 200


def test_importing_the_same_large_file_again_changes_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.staff)
    for _round in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            upload(client, many())
        run = ImportRun.objects.order_by("-id").first()
        assert run is not None
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/register/professionals/importeren/controle/{run.code}/bevestigen/")
    last = ImportRun.objects.order_by("-id").first()
    assert last is not None
    assert last.unchanged == ROWS
    assert last.new == 0
    assert last.state == ImportRun.State.CHECKED  # nothing to confirm the second time
    assert ProfessionalImport.objects.count() == 1
    assert Professional.objects.filter(registration_number__startswith="05").count() == ROWS


def test_a_large_file_with_an_error_cannot_be_confirmed_and_writes_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.staff)
    data = many(extra=("0500001;up;A.;;Dubbel;;;01-01-2026",))
    run, page = run_page(client, data, django_capture_on_commit_callbacks)
    body = page.content.decode()
    assert "Dit registratienummer staat eerder in het bestand." in body
    assert "bevestigen" not in body
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(f"/register/professionals/importeren/controle/{run.code}/bevestigen/")
    assert refused.status_code == 409
    assert not Professional.objects.filter(registration_number__startswith="05").exists()


def test_a_change_between_check_and_confirm_undoes_the_whole_large_import(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.staff)
    run, _page = run_page(client, many(), django_capture_on_commit_callbacks)
    # Someone takes one of the numbers meanwhile: the last row now differs from what was seen.
    Professional.objects.create(
        registration_number="0502099",
        register=factories.RegisterFactory(),
        initials="Z.",
        last_name="Ander",
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/register/professionals/importeren/controle/{run.code}/bevestigen/")
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert "Sinds de controle" in run.message
    assert Professional.objects.filter(registration_number__startswith="05").count() == 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PROFESSIONALS_IMPORTED).exists()
    page = client.get(f"/register/professionals/importeren/controle/{run.code}/").content.decode()
    assert "Sinds de controle" in page
    assert "Er is niets opgeslagen." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # Over 2 MB: the request reads only the first row of it, and refuses it at once.
        (
            b"registratienummer;register\r\n" + b"0000001;up\r\n" * 250_000,
            "De kopregel mist de kolom(men): voorletters, achternaam, begindatum",
        ),
        # Under 2 MB but over 2,000 rows: the same check in the request.
        (
            b"nummer;naam\r\n" + b"0000001;Jansen\r\n" * 2100,
            "De kopregel mist de kolom(men): registratienummer, register, voorletters",
        ),
        # Over 2 MB and no text at all in its first row.
        (b"\xff\xfe" + "registratienummer;register".encode("utf-16-le") * 200_000, "UTF-8"),
    ],
)
def test_a_large_file_without_its_header_is_refused_in_the_request(
    world: World, django_capture_on_commit_callbacks: Any, data: bytes, message: str
) -> None:
    """Staff learn of a missing header at once, whatever the size: no run, nothing queued."""
    client = client_for(world.staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not callbacks
    assert not ImportRun.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT_STARTED).exists()


def test_starting_and_confirming_a_large_import_are_audited(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """ASVS 7.1.3: who started and who confirmed an import of many people's data is logged."""
    client = client_for(world.staff)
    run, _page = run_page(client, many(), django_capture_on_commit_callbacks)
    started = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT_STARTED)
    assert started.actor == world.staff
    assert started.data["import_code"] == str(run.code)
    assert started.data["file_name"] == "professionals.csv"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT_CONFIRMED).exists()

    url = f"/register/professionals/importeren/controle/{run.code}/bevestigen/"
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url)
        client.post(url)  # a double click confirms once
    confirmed = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT_CONFIRMED)
    assert confirmed.actor == world.staff
    assert confirmed.data["import_code"] == str(run.code)
    assert confirmed.data["new"] == ROWS


def test_too_many_rows_for_the_worker_are_refused(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peregister.backoffice import import_checking

    monkeypatch.setattr(import_checking, "LARGE_MAX_ROWS", 2050)
    client = client_for(world.staff)
    _run, page = run_page(client, many(), django_capture_on_commit_callbacks)
    assert "Het bestand is te lang: maximaal 2050 regels per keer." in page.content.decode()
    assert not Professional.objects.filter(registration_number__startswith="05").exists()


def test_the_page_shows_progress_from_the_stored_state(world: World) -> None:
    run = ImportRun.objects.create(
        created_at=clock.now(),
        created_by=world.staff,
        file_name="groot.csv",
        rows_total=100_000,
        rows_done=42_000,
    )
    page = client_for(world.staff).get(f"/register/professionals/importeren/controle/{run.code}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "42000 van 100000 regels gecontroleerd (42%)" in body
    assert re.search(r'<progress max="100000" value="42000"', body)
    assert 'data-poll="2000"' in body  # the page keeps following the worker
    # Never a cached copy: a reload shows the stored progress.
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_a_finished_check_no_longer_polls(world: World) -> None:
    run = ImportRun.objects.create(
        created_at=clock.now(),
        created_by=world.staff,
        state=ImportRun.State.CHECKED,
        rows_total=3,
        rows_done=3,
        new=3,
    )
    body = (
        client_for(world.staff)
        .get(f"/register/professionals/importeren/controle/{run.code}/")
        .content.decode()
    )
    assert "data-poll" not in body
    assert "Bevestigen: 3 professionals opslaan" in body


def test_the_upload_request_does_not_check_a_large_file_itself(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The request stores the file and queues the check: a few queries, not a round per row."""
    client = client_for(world.staff)
    data = many(4000)
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        response = upload(client, data)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the check task, queued after commit
    assert len(queries) < 15
    assert ImportRun.objects.get().state == ImportRun.State.CHECKING


@pytest.mark.parametrize(
    ("state", "hours"),
    [(ImportRun.State.CHECKING, 3), (ImportRun.State.APPLYING, 7)],
)
def test_a_run_whose_worker_died_says_so_instead_of_promising_progress(
    world: World, state: str, hours: int
) -> None:
    """Nothing lost, no dead end: a check or apply that never finishes (the worker died; the
    apply's transaction then wrote nothing) becomes *mislukt* with what to do, not a bar
    that waits for ever."""
    started = clock.now() - dt.timedelta(hours=hours)
    run = ImportRun.objects.create(
        created_at=started,
        created_by=world.staff,
        confirmed_at=started if state == ImportRun.State.APPLYING else None,
        file_name="groot.csv",
        state=state,
        rows_total=100_000,
        rows_done=42_000,
        data=b"registratienummer\r\n",
    )
    page = client_for(world.staff).get(f"/register/professionals/importeren/controle/{run.code}/")
    body = page.content.decode()
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert run.data == b""
    assert "is onderbroken" in body
    assert "Er is niets gewijzigd" in body
    assert 'data-poll="2000"' not in body


def test_a_slow_run_within_its_time_keeps_its_progress(world: World) -> None:
    run = ImportRun.objects.create(
        created_at=clock.now() - dt.timedelta(hours=5),  # checked long ago, confirmed just now
        confirmed_at=clock.now() - dt.timedelta(minutes=20),
        created_by=world.staff,
        file_name="groot.csv",
        state=ImportRun.State.APPLYING,
        rows_total=100_000,
    )
    client_for(world.staff).get(f"/register/professionals/importeren/controle/{run.code}/")
    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLYING


def test_a_check_that_crashes_marks_the_run_failed_at_once(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review F5: whatever breaks in the worker's check, the page says so (not "Wordt
    gecontroleerd" for two hours) and the file is not kept."""
    from peregister.backoffice import import_checking

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise SyntaxError("a cut-off XML part")

    monkeypatch.setattr(import_checking, "check_stream", broken)
    run, page = run_page(client_for(world.staff), many(), django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.state == ImportRun.State.FAILED
    assert run.data == b""
    assert "Het bestand kon niet worden gelezen" in page.content.decode()


def test_the_runs_outcome_commits_with_the_apply(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review F17: if recording the outcome fails, the apply is undone with it (never written
    professionals under a run that will say "niets gewijzigd")."""
    from peregister.backoffice import import_checking

    client = client_for(world.staff)
    run, _page = run_page(client, many(), django_capture_on_commit_callbacks)
    real = import_checking.import_professionals

    def applied_then_killed(**kwargs: Any) -> Any:
        real(**kwargs)
        raise KeyboardInterrupt  # the worker dies before the run's state is written

    monkeypatch.setattr(import_checking, "import_professionals", applied_then_killed)
    with pytest.raises(KeyboardInterrupt), django_capture_on_commit_callbacks(execute=True):
        client.post(f"/register/professionals/importeren/controle/{run.code}/bevestigen/")
    assert not Professional.objects.filter(registration_number__startswith="05").exists()
    assert not ProfessionalImport.objects.exists()
