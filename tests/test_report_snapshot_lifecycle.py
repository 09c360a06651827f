"""A report snapshot's life beyond the happy path (review of issue 12 point 2): two requests
at once, a worker that dies or never runs, the promised "Beschikbaar tot", a page that is
polled, a scheduled export racing the worker, a requester who loses the role."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import time

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.audit import service as audit_service
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.made_files import GIVE_UP_AFTER, made_file_storage
from peregister.ops.checks import tasks_run_in_the_worker
from peregister.organisations.models import Contact
from peregister.reports import snapshot_making, snapshots
from peregister.reports.management.commands import export_report
from peregister.reports.models import ReportSnapshot
from peregister.reports.snapshot_files import WAITING_LONG, file_names
from peregister.reports.snapshots import REUSE_FOR
from tests.conftest import World, client_for
from tests.reportfiles import REQUEST, file_url, page_url, request_file

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _queued(client) -> str:  # type: ignore[no-untyped-def]
    """Press *Rapportage downloaden* with no worker running; the page's URL."""
    response = client.post(REQUEST)
    assert response.status_code == 302
    return str(response["Location"])


# --- F4: two requests at once --------------------------------------------------------------


def test_a_request_that_loses_the_race_takes_the_snapshot_of_the_one_that_won(
    world: World,
    settings,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    """Both requests looked and found nothing; the second's insert meets the first's
    snapshot (a unique constraint) and hands that one out: one snapshot, one task."""
    settings.TASKS = DUMMY
    first = _queued(client_for(world.administrator.user))
    real = snapshots._reusable
    calls: list[int] = []

    def looked_before_the_other_committed(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(snapshots, "_reusable", looked_before_the_other_committed)
    second = _queued(client_for(world.deputy.user))
    assert second == first
    assert ReportSnapshot.objects.count() == 1


# --- F3: a worker that dies ----------------------------------------------------------------


def test_a_worker_stopped_after_saving_keeps_no_file(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped (SIGTERM's SystemExit, Ctrl-C) between saving the files and recording them:
    the snapshot is failed and both files are gone; then the process stops."""
    real_record = audit_service.record

    def stopped(action, **kwargs):  # type: ignore[no-untyped-def]
        if action == AuditEvent.Action.REPORT_GENERATED:
            raise KeyboardInterrupt
        return real_record(action, **kwargs)

    monkeypatch.setattr(snapshot_making, "record", stopped)
    with pytest.raises(KeyboardInterrupt):
        request_file(client_for(world.administrator.user))
    snapshot = ReportSnapshot.objects.get()
    assert snapshot.state == ReportSnapshot.State.FAILED
    assert not any(made_file_storage().exists(name) for name in file_names(snapshot.code))


def test_files_of_a_worker_killed_outright_go_with_the_tidy_up(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL leaves a snapshot *running* and its files on disk: the tidy-up gives it up
    and deletes the files (their names are fixed), personal data kept for no one."""
    settings.TASKS = DUMMY
    _queued(client_for(world.administrator.user))
    snapshot = ReportSnapshot.objects.get()
    ReportSnapshot.objects.update(state=ReportSnapshot.State.RUNNING)
    storage = made_file_storage()
    for name in file_names(snapshot.code):
        storage.save(name, ContentFile(world.professional.registration_number.encode()))
    with time_machine.travel(clock.now() + GIVE_UP_AFTER + dt.timedelta(minutes=1)):
        call_command("expire_report_snapshots", stdout=io.StringIO())
    snapshot.refresh_from_db()
    assert snapshot.state == ReportSnapshot.State.FAILED
    assert not any(storage.exists(name) for name in file_names(snapshot.code))


def test_files_no_snapshot_names_are_swept_once_older_than_a_day(world: World) -> None:
    storage = made_file_storage()
    old = storage.save("rapportages/left-behind.csv", ContentFile(b"x"))
    young = storage.save("rapportages/being-made.csv", ContentFile(b"x"))
    ready = request_file(client_for(world.administrator.user))
    two_days_ago = time.time() - 2 * 86400
    os.utime(storage.path(old), (two_days_ago, two_days_ago))
    os.utime(storage.path(ready.csv_name), (two_days_ago, two_days_ago))
    out = io.StringIO()
    call_command("expire_report_snapshots", stdout=out)
    assert "1 orphaned file(s) deleted" in out.getvalue()
    assert not storage.exists(old)
    assert storage.exists(young)  # perhaps a file being saved right now
    assert storage.exists(ready.csv_name)  # named by its ready snapshot
    for name in (young, *file_names(ready.code)):
        storage.delete(name)


# --- F5: "Beschikbaar tot" is kept -----------------------------------------------------------


def test_available_until_is_the_moment_the_file_really_stops(world: World) -> None:
    """Made at 20:00: the page promises the file until midnight (the day's statuses are in
    it), hands it out until then, and afterwards says it expired, not that a grant changed."""
    evening = dt.datetime(2026, 12, 1, 20, 0, tzinfo=clock.AMSTERDAM)
    midnight = dt.datetime(2026, 12, 2, 0, 0, tzinfo=clock.AMSTERDAM)
    with time_machine.travel(evening, tick=False):
        snapshot = request_file(client_for(world.administrator.user))
    assert snapshot.expires_at == midnight
    with time_machine.travel(midnight - dt.timedelta(minutes=1), tick=False):
        client = client_for(world.administrator.user)
        assert client.get(file_url(snapshot, "csv")).status_code == 200
        body = client.get(page_url(snapshot)).content.decode()
        assert "Het bestand is klaar" in body
        assert "Beschikbaar tot 2 december 2026, 00:00" in body
    with time_machine.travel(midnight + dt.timedelta(minutes=30), tick=False):
        client = client_for(world.administrator.user)
        assert client.get(file_url(snapshot, "csv")).status_code == 302
        body = client.get(page_url(snapshot)).content.decode()
    assert "het was beschikbaar tot" in body
    assert "inzage verleend" not in body
    assert "Het bestand is klaar" not in body


def test_a_colleagues_newer_file_leaves_mine_as_promised(world: World) -> None:
    """Nothing changed, the deputy asks after the reuse window: a new snapshot, and the
    beheerder's file is still handed out until its own time."""
    first = request_file(client_for(world.administrator.user))
    with time_machine.travel(clock.now() + REUSE_FOR + dt.timedelta(seconds=5)):
        second = request_file(client_for(world.deputy.user))
        assert second != first
        client = client_for(world.administrator.user)
        assert client.get(file_url(first, "xlsx")).status_code == 200
        body = client.get(page_url(first)).content.decode()
    assert "Het bestand is klaar" in body
    first.refresh_from_db()
    assert first.state == ReportSnapshot.State.READY


# --- F2: a file no longer handed out is shown, not saved -------------------------------------


def test_the_file_links_let_the_browser_show_the_page_of_a_stale_file(world: World) -> None:
    """No ``download`` attribute: a link to a file no longer handed out leads the browser to
    the page that says why (with it, the browser saves that page as the .xlsx). The files
    themselves come as attachments."""
    client = client_for(world.administrator.user)
    snapshot = request_file(client)
    body = client.get(page_url(snapshot)).content.decode()
    links = re.findall(r"<a [^>]*rapportage\.(?:xlsx|csv)[^>]*>", body)
    assert len(links) == 2
    assert not any(re.search(r"\sdownload[\s>=]", link) for link in links)
    response = client.get(file_url(snapshot, "csv"))
    assert response["Content-Disposition"].startswith("attachment;")


# --- F6: the scheduled export and the worker ---------------------------------------------------


def test_the_export_command_waits_for_the_worker_making_the_same_snapshot(
    world: World,
    tmp_path,
    settings,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    settings.TASKS = DUMMY
    _queued(client_for(world.administrator.user))
    snapshot = ReportSnapshot.objects.get()
    ReportSnapshot.objects.update(state=ReportSnapshot.State.RUNNING)  # the worker has it

    def worker_finishes(seconds: float) -> None:
        ReportSnapshot.objects.update(state=ReportSnapshot.State.QUEUED)
        snapshot_making.make_snapshot(str(snapshot.code))

    monkeypatch.setattr(export_report, "sleep", worker_finishes)
    out = io.StringIO()
    call_command(
        "export_report",
        organisation=world.organisation.kvk_number,
        format="csv",
        output=str(tmp_path / "r.csv"),
        stdout=out,
    )
    assert "rijen geschreven" in out.getvalue()
    assert world.professional.registration_number in (tmp_path / "r.csv").read_text()
    assert ReportSnapshot.objects.count() == 1


def test_the_export_command_gives_up_waiting_with_a_clear_message(
    world: World,
    tmp_path,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.TASKS = DUMMY
    _queued(client_for(world.administrator.user))
    ReportSnapshot.objects.update(state=ReportSnapshot.State.RUNNING)
    with pytest.raises(CommandError, match="nog gemaakt"):
        call_command(
            "export_report",
            organisation=world.organisation.kvk_number,
            format="csv",
            output=str(tmp_path / "r.csv"),
            wait=0,
            stdout=io.StringIO(),
        )
    assert not (tmp_path / "r.csv").exists()


# --- F7: no worker ----------------------------------------------------------------------------


def test_a_file_nobody_makes_is_said_to_wait_and_queued_again(
    world: World,
    settings,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    settings.TASKS = DUMMY
    url = _queued(client_for(world.administrator.user))
    later = clock.now() + WAITING_LONG + dt.timedelta(minutes=1)
    with time_machine.travel(later):
        client = client_for(world.administrator.user)
        with caplog.at_level(logging.ERROR):
            body = client.get(url).content.decode()
            client.get(url)  # polled again: logged once
        assert "staat nog in de wachtrij" in body
        assert "Het register is op de hoogte" in body
        assert "data-poll" in body  # it may still come
        assert caplog.text.count("report snapshots waiting for a worker") == 1
        caplog.clear()
        out = io.StringIO()
        with caplog.at_level(logging.ERROR):
            call_command("expire_report_snapshots", stdout=out)
    assert "1 queued again" in out.getvalue()
    assert "report snapshots waiting for a worker" in caplog.text


def test_a_file_nobody_made_within_the_hour_is_shown_failed_and_asked_anew(
    world: World,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.TASKS = DUMMY
    url = _queued(client_for(world.administrator.user))
    with time_machine.travel(clock.now() + GIVE_UP_AFTER + dt.timedelta(minutes=1)):
        client = client_for(world.administrator.user)
        body = client.get(url).content.decode()
        assert "niet op tijd gemaakt" in body
        assert "data-poll" not in body
        assert _queued(client) != url  # a new one, not the stuck one
    assert ReportSnapshot.objects.filter(state=ReportSnapshot.State.FAILED).count() == 1


def test_the_deploy_check_flags_a_backend_that_never_runs_tasks(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.TASKS = DUMMY
    assert [warning.id for warning in tasks_run_in_the_worker()] == ["ops.W002"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert tasks_run_in_the_worker() == []


# --- F10: polling reads only -------------------------------------------------------------------


def test_polling_the_page_writes_nothing_and_asks_for_its_region_only(
    world: World,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.TASKS = DUMMY
    client = client_for(world.administrator.user)
    url = _queued(client)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"part": "report-snapshot"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="report-snapshot"')
    assert "<html" not in body
    writes = [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert len(captured) <= 5


# --- F11: the requester loses the role ---------------------------------------------------------


def test_a_requester_who_lost_the_role_does_not_fail_the_colleagues_file(
    world: World,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    """Asked by the deputy, reused by the beheerder; the deputy is demoted before the worker
    runs. The file is made (under a current manager's scope) and the beheerder gets it; the
    demoted deputy gets nothing (ASVS 4.0.3 V4.1.3: each downloader's own scope)."""
    settings.TASKS = DUMMY
    url = _queued(client_for(world.deputy.user))
    assert _queued(client_for(world.administrator.user)) == url
    Contact.objects.filter(pk=world.deputy.pk).update(role=Contact.Role.CONTACT)
    snapshot = ReportSnapshot.objects.get()
    assert snapshot_making.make_snapshot(str(snapshot.code)) == ReportSnapshot.State.READY
    administrator = client_for(world.administrator.user)
    assert administrator.get(file_url(snapshot, "csv")).status_code == 200
    assert client_for(world.deputy.user).get(file_url(snapshot, "csv")).status_code == 404


# --- F12: the words ------------------------------------------------------------------------------


def test_the_page_speaks_of_the_file_and_its_rows_in_dutch(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.administrator.user)
    snapshot = request_file(client)
    body = client.get(page_url(snapshot)).content.decode()
    assert "XLSX downloaden" in body
    assert "CSV downloaden" in body
    assert re.search(r"Het bestand is klaar: \d+ rij(en)?,", body)
    settings.TASKS = DUMMY
    ReportSnapshot.objects.all().delete()
    AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_GENERATED).delete()
    body = client.get(_queued(client)).content.decode()
    assert "Het bestand wordt gemaakt…" in body
