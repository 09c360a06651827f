"""Report snapshots: a download request makes (or reuses) one, the task worker fills it, the
page follows it; reuse only while nothing changed; access only within the report scope;
failures shown with a retry; files deleted when they expire."""

from __future__ import annotations

import datetime as dt
import io
import logging

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from peregister.access import policies
from peregister.access.models import AccessGrant
from peregister.access.policies import ReportScope
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.made_files import KEEP_FOR
from peregister.core.made_files import made_file_storage as snapshot_storage
from peregister.core.refusals import Refused
from peregister.reports import snapshot_making
from peregister.reports.models import ReportSnapshot
from peregister.reports.snapshots import REUSE_FOR, request_snapshot
from tests import factories
from tests.conftest import World, client_for
from tests.reportfiles import REQUEST, file_url, page_url, request_file


def _csv_text(response) -> str:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_page_offers_both_files_of_one_snapshot(world: World) -> None:
    client = client_for(world.administrator.user)
    snapshot = request_file(client)
    assert snapshot.state == ReportSnapshot.State.READY
    body = client.get(page_url(snapshot)).content.decode()
    assert "Het bestand is klaar" in body
    assert f'href="{file_url(snapshot, "xlsx")}"' in body
    assert "XLSX downloaden" in body
    assert "CSV downloaden" in body
    assert "data-poll" not in body
    assert world.professional.registration_number in _csv_text(
        client.get(file_url(snapshot, "csv"))
    )


def test_nothing_changed_reuses_the_snapshot_for_every_manager(world: World) -> None:
    first = request_file(client_for(world.administrator.user))
    again = request_file(client_for(world.deputy.user))  # same organisation, same scope
    assert again == first
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_GENERATED).count() == 1


def test_an_old_snapshot_is_not_reused_after_the_reuse_window(world: World) -> None:
    client = client_for(world.administrator.user)
    first = request_file(client)
    with time_machine.travel(clock.now() + REUSE_FOR + dt.timedelta(seconds=1)):
        later = request_file(client)
    assert later != first


def test_a_revoked_grant_never_appears_in_a_later_download(world: World) -> None:
    """ASVS 4.0.3 V4.1.3 (least privilege, no stale authorisation): once a professional
    revokes, neither the old file nor a new one names them."""
    client = client_for(world.administrator.user)
    before = request_file(client)
    assert world.professional.registration_number in _csv_text(client.get(file_url(before, "csv")))
    grant = AccessGrant.objects.get(contact=world.contact_live, professional=world.professional)
    me = client_for(world.professional.user)
    assert me.post(f"/mijn/inzage-werkgever/{grant.code}/intrekken/").status_code == 302
    # The old file is no longer handed out: its page says so and offers a new one.
    for file_format in ("xlsx", "csv"):
        response = client.get(file_url(before, file_format))
        assert response.status_code == 302
        assert response["Location"] == page_url(before)
    body = client.get(page_url(before)).content.decode()
    assert "niet meer beschikbaar" in body
    assert "Nieuw bestand maken" in body
    after = request_file(client)
    assert after != before
    assert world.professional.registration_number not in _csv_text(
        client.get(file_url(after, "csv"))
    )
    assert after.event is not None
    assert not after.event.professionals.filter(pk=world.professional.pk).exists()


def test_another_organisations_snapshot_answers_404(world: World) -> None:
    """ASVS 4.0.3 V4.2.1 (IDOR): a snapshot's code opens nothing outside its report scope."""
    snapshot = request_file(client_for(world.administrator.user))
    other = client_for(world.other_org_admin.user)
    for url in (page_url(snapshot), file_url(snapshot, "xlsx"), file_url(snapshot, "csv")):
        assert other.get(url).status_code == 404
        assert client_for(world.contact_live.user).get(url).status_code == 404
    assert other.get(f"{REQUEST}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_DOWNLOADED).exists()


def test_a_scope_covering_something_else_gets_its_own_snapshot(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = request_file(client_for(world.administrator.user))
    monkeypatch.setattr(ReportScope, "covers", property(lambda self: "contact"))
    client = client_for(world.administrator.user)
    own = request_file(client)
    assert own != whole
    assert own.covers == "contact"
    assert client.get(page_url(whole)).status_code == 404


def test_each_language_gets_its_own_files(world: World) -> None:
    dutch = request_file(client_for(world.administrator.user))
    user = world.administrator.user
    user.language = "en"
    user.save()
    client = client_for(user)
    with translation.override("en"):  # the page switches the thread's language: restore it
        client.post("/taal/", {"language": "en", "next": "/werkgever/rapportage/"})
        english = request_file(client)
        assert english != dutch
        assert english.language == "en"
        assert _csv_text(client.get(file_url(english, "csv"))).startswith("\ufeffname;")
        assert _csv_text(client.get(file_url(dutch, "csv"))).startswith("\ufeffnaam;")


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_web_request_only_queues(settings) -> None:  # type: ignore[no-untyped-def]
    """Production: the request never makes the report; the page shows progress until the
    worker has made it, then offers the files."""
    from django_tasks_db.models import DBTaskResult

    from peregister.ops.worker import OutboxWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    organisation = factories.OrganisationFactory()
    administrator = factories.ContactFactory(
        organisation=organisation, role="administrator", name="Beheer"
    )
    factories.AccessGrantFactory(
        contact=administrator, professional=factories.RegistrationFactory().professional
    )
    client = client_for(administrator.user)
    response = client.post(REQUEST)
    snapshot = ReportSnapshot.objects.get()
    assert response["Location"] == page_url(snapshot)
    assert snapshot.state == ReportSnapshot.State.QUEUED  # not made in the request
    assert DBTaskResult.objects.count() == 1
    body = client.get(page_url(snapshot)).content.decode()
    assert "Het bestand wordt gemaakt…" in body
    assert 'data-poll="2000"' in body
    assert client.get(file_url(snapshot, "csv")).status_code == 302  # nothing to hand out yet
    OutboxWorker(worker_id="test-worker", interval=0).run(once=True)
    snapshot.refresh_from_db()
    assert snapshot.state == ReportSnapshot.State.READY
    assert "CSV downloaden" in client.get(page_url(snapshot)).content.decode()
    assert client.get(file_url(snapshot, "xlsx")).status_code == 200


def test_the_progress_page_costs_the_same_queued_and_ready(world: World) -> None:
    client = client_for(world.administrator.user)
    snapshot = request_file(client)

    def queries() -> int:
        client.get(page_url(snapshot))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(snapshot)).status_code == 200
        return len(captured)

    ready = queries()
    for _ in range(20):
        factories.AccessGrantFactory(
            contact=world.deputy, professional=factories.RegistrationFactory().professional
        )
    assert queries() == ready  # not current any more: the same queries, another message
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(state=ReportSnapshot.State.RUNNING)
    assert queries() <= ready


def test_a_failed_generation_is_shown_with_a_retry_and_recorded(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(scope: ReportScope) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr(snapshot_making, "report_rows", broken)
    client = client_for(world.administrator.user)
    with caplog.at_level(logging.ERROR):
        failed = request_file(client)
    assert failed.state == ReportSnapshot.State.FAILED
    assert "report snapshot failed" in caplog.text
    for extension in ("xlsx", "csv"):
        assert not snapshot_storage().exists(f"rapportages/{failed.code}.{extension}")
    body = client.get(page_url(failed)).content.decode()
    assert "Het bestand kon niet worden gemaakt" in body
    assert "Opnieuw proberen" in body
    assert client.get(file_url(failed, "csv")).status_code == 302
    monkeypatch.undo()
    retried = request_file(client)  # a failed snapshot is never reused
    assert retried != failed
    assert retried.state == ReportSnapshot.State.READY
    failed.refresh_from_db()
    assert failed.state == ReportSnapshot.State.FAILED  # the failure stays on record


def test_a_snapshot_that_lost_its_worker_is_given_up(world: World) -> None:
    client = client_for(world.administrator.user)
    snapshot = request_file(client)
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(
        state=ReportSnapshot.State.QUEUED, requested_at=clock.now() - dt.timedelta(hours=2)
    )
    body = client.get(page_url(snapshot)).content.decode()
    assert "niet op tijd gemaakt" in body
    assert "Opnieuw proberen" in body


def test_expired_files_are_deleted_and_never_handed_out(world: World) -> None:
    client = client_for(world.administrator.user)
    snapshot = request_file(client)
    storage = snapshot_storage()
    assert storage.exists(snapshot.xlsx_name)
    assert storage.exists(snapshot.csv_name)
    # As if made a day ago (a session does not last that long).
    made = clock.now() - KEEP_FOR - dt.timedelta(seconds=1)
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(
        finished_at=made, expires_at=made + KEEP_FOR
    )
    assert client.get(file_url(snapshot, "xlsx")).status_code == 302
    out = io.StringIO()
    call_command("expire_report_snapshots", stdout=out)
    assert "1 report snapshot(s) removed" in out.getvalue()
    assert "niet meer beschikbaar" in client.get(page_url(snapshot)).content.decode()
    assert not storage.exists(snapshot.xlsx_name)
    assert not storage.exists(snapshot.csv_name)
    snapshot.refresh_from_db()
    assert snapshot.state == ReportSnapshot.State.REMOVED
    # The record of who was included stays (audit history), one row per professional.
    assert snapshot.event is not None
    assert snapshot.event.professionals.count() == 1


def test_a_newer_snapshot_removes_the_files_of_the_one_it_replaces(world: World) -> None:
    client = client_for(world.administrator.user)
    old = request_file(client)
    factories.AccessGrantFactory(
        contact=world.deputy, professional=factories.RegistrationFactory().professional
    )
    new = request_file(client)
    old.refresh_from_db()
    assert old.state == ReportSnapshot.State.REMOVED
    assert not snapshot_storage().exists(f"rapportages/{old.code}.csv")
    assert new.state == ReportSnapshot.State.READY


def test_asking_needs_a_post(world: World) -> None:
    assert client_for(world.administrator.user).get(REQUEST).status_code == 405


def test_the_service_refuses_a_scope_that_is_not_the_actors(world: World) -> None:
    """ASVS 4.0.3 V4.1.2: the service checks its actor itself, not only the page's guard."""
    scope = policies.report_scope_or_404(world.administrator.user)
    with pytest.raises(Refused):
        request_snapshot(actor=world.deputy.user, scope=scope)
    assert not ReportSnapshot.objects.exists()


def test_a_file_removed_a_moment_ago_leads_back_to_its_page(world: World) -> None:
    client = client_for(world.administrator.user)
    snapshot = request_file(client)
    snapshot_storage().delete(snapshot.csv_name)  # between the check and the opening
    response = client.get(file_url(snapshot, "csv"))
    assert response.status_code == 302
    assert response["Location"] == page_url(snapshot)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_DOWNLOADED).exists()
