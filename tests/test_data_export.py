"""*Mijn gegevens downloaden*: one ZIP with everything, as JSON (with a schema) and as PDF."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peregister.access import services as access_services
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.dataexport.models import DataExport
from peregister.registry.models import Professional, RenewalSubmission, SelfReport
from peregister.registry.periods import PeriodStatus
from tests import factories
from tests.conftest import World, client_for
from tests.statements_helpers import make_statement, pdf_text, verify_path

URL = "/mijn/gegevens/"
SCHEMA_URL = "/schemas/mijn-gegevens-v1.schema.json"
SCHEMA_FILE = (
    Path(__file__).resolve().parent.parent
    / "peregister/dataexport/schema/mijn-gegevens-v1.schema.json"
)


@pytest.fixture
def download(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Ask for the export as the professional, let the worker make it, download the ZIP."""

    def run(professional: Professional) -> zipfile.ZipFile:
        client = client_for(professional.user)
        with django_capture_on_commit_callbacks(execute=True):
            asked = client.post(URL)
        assert asked.status_code == 302, asked.content[:300]
        status = client.get(asked["Location"])
        assert "Uw bestand is klaar" in status.content.decode()
        response = client.get(f"{asked['Location']}download/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith('attachment; filename="mijn-gegevens-')
        assert response["Cache-Control"] == "no-store"
        return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    return run


def _validate(document: dict) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def _fill_every_part(world: World) -> dict[str, object]:
    """A professional with data in every part of the export; returns what to look for."""
    professional = world.professional
    registration = professional.registrations.get()
    period = registration.periods.get()
    today = clock.today()
    completion = factories.CompletionFactory(
        professional=professional,
        activity__title="Arbeidsrecht voor intercedenten",
        activity__provider="SEU Academie",
        activity__points=4,
        completed_on=today - dt.timedelta(days=3),
    )
    earlier = factories.PePeriodFactory(
        registration=registration,
        start=period.start - dt.timedelta(days=731),
        end=period.start - dt.timedelta(days=1),
    )
    factories.CompletionFactory(
        professional=professional, activity__points=12, completed_on=earlier.start
    )
    factories.RenewalSubmissionFactory(
        period=earlier,
        status=RenewalSubmission.Status.APPROVED,
        decided_at=clock.now(),
        reason="Alles in orde.",
    )
    factories.SelfReportFactory(
        professional=professional,
        title="Congres flexibele arbeid",
        status=SelfReport.Status.REJECTED,
        decided_at=clock.now(),
        reason="Geen bewijs van aanwezigheid.",
        certificate_name="../../bewijs<script>.pdf",
    )
    # A grant given, changed and revoked through the services (its history is audited).
    grant = access_services.grant_access(
        actor=professional.user,
        professional=professional,
        contact=world.deputy,
        valid_until=today + dt.timedelta(days=60),
    )
    access_services.change_grant_end(
        actor=professional.user, grant=grant, valid_until=today + dt.timedelta(days=90)
    )
    access_services.revoke_access(actor=professional.user, grant=grant)
    # Views: an employer contact opened the dossier, and a statement's link was opened.
    with transaction.atomic():
        record(
            AuditEvent.Action.DOSSIER_VIEWED,
            actor=world.contact_live.user,
            organisation=world.organisation,
            contact=world.contact_live,
            professionals=[professional],
        )
    statement, token = make_statement(registration)
    Client().get(verify_path(token))
    return {"completion": completion, "statement": statement, "renewal_period": earlier}


def test_the_zip_holds_everything_as_json_and_pdf(world: World, download) -> None:
    expected = _fill_every_part(world)
    bundle = download(world.professional)
    names = set(bundle.namelist())
    assert {"mijn-gegevens.json", "mijn-gegevens.pdf", "schema/mijn-gegevens-v1.schema.json"} <= (
        names
    )
    certificates = [n for n in names if n.startswith("certificaten/")]
    assert len(certificates) == 1
    assert ".." not in certificates[0]
    assert "<" not in certificates[0]
    assert bundle.read(certificates[0]) == b"%PDF-1.4\n%test certificate\n"

    document = json.loads(bundle.read("mijn-gegevens.json"))
    _validate(document)
    assert document["format"] == "pe-register/mijn-gegevens"
    assert document["version"] == 1
    assert document["$schema"].endswith(SCHEMA_URL)

    person = document["person"]
    assert person["registration_number"] == world.professional.registration_number
    assert person["account"]["username"] == world.professional.user.username

    [registration] = document["registrations"]
    assert registration["status"] == "active"
    earlier, current = registration["periods"]
    assert earlier["points_earned"] == 12
    assert earlier["status"] == PeriodStatus.MET
    assert earlier["renewals"] == [
        {
            "submitted_at": earlier["renewals"][0]["submitted_at"],
            "status": "approved",
            "decided_at": earlier["renewals"][0]["decided_at"],
            "reason": "Alles in orde.",
        }
    ]
    assert current["points_earned"] == 4

    titles = {c["title"]: c for c in document["completions"]}
    assert titles["Arbeidsrecht voor intercedenten"]["provider"] == "SEU Academie"
    assert titles["Arbeidsrecht voor intercedenten"]["points"] == 4
    assert titles["Arbeidsrecht voor intercedenten"]["completed_on"] == (
        expected["completion"].completed_on.isoformat()
    )

    [report] = document["self_reports"]
    assert report["status"] == "rejected"
    assert report["reason"] == "Geen bewijs van aanwezigheid."
    assert report["certificate_file"] == certificates[0]

    grants = {g["contact"]: g for g in document["grants"]}
    revoked = grants[world.deputy.name]
    assert revoked["state"] == "revoked"
    assert [h["action"] for h in revoked["history"]] == ["created", "changed", "revoked"]
    assert revoked["history"][1]["valid_until_before"] is not None
    assert grants[world.contact_live.name]["state"] == "active"

    [statement] = document["statements"]
    assert statement["jwt"] == expected["statement"].jwt
    assert statement["verification_count"] == 1

    actions = [event["action"] for event in document["access_log"]]
    assert sorted(actions) == ["dossier_viewed", "statement_verified"]
    opened = next(e for e in document["access_log"] if e["action"] == "statement_verified")
    assert opened["statement"] == statement["code"] == str(expected["statement"].code)
    viewed = next(e for e in document["access_log"] if e["action"] == "dossier_viewed")
    assert (viewed["organisation"], viewed["contact"]) == ("Uitzendbureau De Brug", "Regiomanager")

    # The PDF, from the same collection, says the same things.
    text = pdf_text(bundle.read("mijn-gegevens.pdf"))
    for phrase in [
        world.professional.registration_number,
        "Arbeidsrecht voor intercedenten",
        "Geen bewijs van aanwezigheid.",
        "Alles in orde.",
        "Regiomanager",
        "PE-verklaring bekeken",
        f"kenmerk {str(expected['statement'].code)[:8]}",
        "behaald",
    ]:
        assert phrase in text, phrase


def test_an_empty_dossier_exports_and_validates(db: None, download) -> None:
    professional = factories.ProfessionalFactory()
    document = json.loads(download(professional).read("mijn-gegevens.json"))
    _validate(document)
    assert document["registrations"] == []
    assert document["access_log"] == []


def test_the_published_schema_is_the_one_in_the_zip(world: World, download) -> None:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    bundle = download(world.professional)
    assert response.content == bundle.read("schema/mijn-gegevens-v1.schema.json")


def test_the_download_is_audited(world: World, download) -> None:
    download(world.professional)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORTED)
    assert event.actor == world.professional.user
    assert list(event.professionals.all()) == [world.professional]
    assert event.data["export"] == str(DataExport.objects.get().code)


def test_asking_is_rate_limited(world: World, django_capture_on_commit_callbacks) -> None:
    client = client_for(world.professional.user)
    statuses = []
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):  # the worker: done each time
            statuses.append(client.post(URL).status_code)
    assert statuses == [302] * 5 + [429]
    refused = client.post(URL)
    assert "afgelopen uur" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert DataExport.objects.count() == 5


def test_the_page_explains_and_get_downloads_nothing(world: World) -> None:
    response = client_for(world.professional.user).get(URL)
    assert response.status_code == 200
    assert "Mijn gegevens downloaden" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED).exists()
    assert not DataExport.objects.exists()


def _export_queries(professional: Professional) -> int:
    from peregister.dataexport.collect import collect

    with CaptureQueriesContext(connection) as queries:
        collect(professional, at=clock.now(), today=clock.today())
    return len(queries)


def test_collecting_costs_the_same_queries_for_little_and_much_data(world: World) -> None:
    _fill_every_part(world)
    baseline = _export_queries(world.professional)
    for _ in range(25):
        factories.CompletionFactory(professional=world.professional)
        factories.SelfReportFactory(professional=world.professional)
        make_statement(world.professional.registrations.get())
    assert _export_queries(world.professional) == baseline


def test_only_the_professional_can_export_their_data(world: World) -> None:
    from peregister.core.refusals import Refused
    from peregister.dataexport.services import request_export

    for actor in (world.contact_live.user, world.staff, None):
        with pytest.raises(Refused):
            request_export(actor=actor, professional=world.professional)
    assert not DataExport.objects.exists()


def test_names_with_quotes_and_ampersands_print_as_themselves_in_the_pdf(db: None) -> None:
    from peregister.core.pdf import render_pdf
    from peregister.dataexport.collect import collect

    professional = factories.ProfessionalFactory(initials="J.", last_name="D'Arc & Zn")
    export = collect(professional, at=clock.now(), today=clock.today())
    text = pdf_text(render_pdf("dataexport/export_pdf.html", {"export": export}))
    # The running footer (every page) and the body.
    assert "Mijn gegevens · J. D'Arc & Zn ·" in text
    assert "&#x27;" not in text
    assert "&amp;" not in text


# --- made by the worker, followed on a page, handed out once, then removed --------------------


def _ask(client: Client) -> str:
    """POST as the professional; the worker has not run yet. Returns the status page's path."""
    response = client.post(URL)
    assert response.status_code == 302
    return response["Location"]


def _run_worker() -> None:
    from peregister.dataexport.building import build_export

    for export in DataExport.objects.filter(state=DataExport.State.QUEUED):
        build_export(str(export.code))


def test_asking_answers_at_once_and_the_page_follows_the_worker(world: World) -> None:
    client = client_for(world.professional.user)
    status_path = _ask(client)
    export = DataExport.objects.get()
    assert status_path == f"/mijn/gegevens/{export.code}/"
    waiting = client.get(status_path).content.decode()
    assert "Wordt gemaakt" in waiting
    assert "data-poll" in waiting  # the page refreshes its status by itself
    assert "/download/" not in waiting
    assert client.get(f"{status_path}download/").status_code == 302  # nothing to hand out yet
    # A second click while it is on its way: the same export, not a second one.
    assert _ask(client) == status_path
    assert DataExport.objects.count() == 1

    DataExport.objects.filter(pk=export.pk).update(
        state=DataExport.State.RUNNING, step=DataExport.Step.DOCUMENT, started_at=clock.now()
    )
    assert "Stap 2 van 4: PDF opmaken" in client.get(status_path).content.decode()
    DataExport.objects.filter(pk=export.pk).update(state=DataExport.State.QUEUED, step="")

    _run_worker()
    ready = client.get(status_path).content.decode()
    assert "Uw bestand is klaar" in ready
    assert "data-poll" not in ready
    assert f"{status_path}download/" in ready
    listing = client.get(URL).content.decode()
    assert status_path in listing


def test_only_that_professional_gets_the_file(world: World) -> None:
    status_path = _ask(client_for(world.professional.user))
    _run_worker()
    someone = factories.RegistrationFactory().professional
    for user in (someone.user, world.contact_live.user, world.staff):
        client = client_for(user)
        assert client.get(status_path).status_code == 404
        assert client.get(f"{status_path}download/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED).exists()


def test_the_file_is_removed_an_hour_after_download_or_a_day_after_it_was_made(
    world: World,
) -> None:
    from peregister.dataexport.files import export_storage

    client = client_for(world.professional.user)
    start = clock.now()
    with time_machine.travel(start, tick=False):
        first = _ask(client)
        _run_worker()
        downloaded = DataExport.objects.get()
        assert client.get(f"{first}download/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        second = _ask(client)
        _run_worker()
        untouched = DataExport.objects.exclude(pk=downloaded.pk).get()
    assert export_storage().exists(downloaded.file_name)

    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        call_command("remove_expired_exports", stdout=io.StringIO())
        assert not export_storage().exists(downloaded.file_name)
        assert export_storage().exists(untouched.file_name)
        gone = client.get(f"{first}download/", follow=True).content.decode()
        assert "niet meer beschikbaar" in gone
        assert "Verwijderd" in client.get(first).content.decode()
    with time_machine.travel(start + dt.timedelta(hours=24, minutes=6), tick=False):
        call_command("remove_expired_exports", stdout=io.StringIO())
        assert not export_storage().exists(untouched.file_name)
        assert client.get(f"{second}download/").status_code == 302
    assert set(DataExport.objects.values_list("state", flat=True)) == {"removed"}
    # One download, one audit event.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED).count() == 1


def test_a_failure_is_shown_and_a_new_export_can_be_asked(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from peregister.dataexport import building

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(building, "write_pdf", broken)
    client = client_for(world.professional.user)
    status_path = _ask(client)
    with pytest.raises(OSError, match="disk full"):
        _run_worker()
    page = client.get(status_path).content.decode()
    assert "mislukt" in page
    assert "Nieuw bestand maken" in page
    assert "failed" in caplog.text
    monkeypatch.undo()
    assert _ask(client) != status_path
    _run_worker()
    assert DataExport.objects.filter(state=DataExport.State.READY).count() == 1


def test_an_export_the_worker_never_finished_is_given_up_on(world: World) -> None:
    client = client_for(world.professional.user)
    start = clock.now()
    with time_machine.travel(start, tick=False):
        status_path = _ask(client)
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        page = client.get(status_path).content.decode()
        assert "mislukt" in page
        assert "data-poll" not in page
        assert _ask(client) != status_path  # a new one can be asked for
    # The late worker finds nothing to do for the one given up on.
    from peregister.dataexport.building import build_export

    assert build_export(status_path.split("/")[-2]) is False


def test_collecting_reads_no_certificate_bytes(world: World) -> None:
    from peregister.dataexport.collect import collect

    factories.SelfReportFactory(professional=world.professional)
    with CaptureQueriesContext(connection) as queries:
        export = collect(world.professional, at=clock.now(), today=clock.today())
    assert export.certificate_count == 1
    selected = [q["sql"].split(" FROM ")[0] for q in queries.captured_queries]
    # Whether there is one is asked ("certificate" IS NOT NULL); its bytes are not fetched.
    columns = [sql.replace('"certificate" IS NOT NULL', "") for sql in selected]
    assert not [sql for sql in columns if '"certificate"' in sql]


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_request_only_queues_and_the_worker_makes_it(
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from django_tasks_db.models import DBTaskResult

    from peregister.ops.worker import OutboxWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    professional = factories.RegistrationFactory().professional
    client = client_for(professional.user)
    status_path = _ask(client)
    assert DBTaskResult.objects.count() == 1
    assert DataExport.objects.get().state == DataExport.State.QUEUED  # not made in the request
    OutboxWorker(worker_id="test-worker", interval=0).run(once=True)
    assert DataExport.objects.get().state == DataExport.State.READY
    response = client.get(f"{status_path}download/")
    assert response.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "mijn-gegevens.pdf" in bundle.namelist()


def test_report_views_and_alerts_are_in_the_export(world: World, download) -> None:
    """The access-log kinds of issue 16 (a *rapportage* page on screen, an employer alert)
    are exported like a download, and validate against the published schema."""
    for action in (AuditEvent.Action.REPORT_VIEWED, AuditEvent.Action.ALERT_SENT):
        with transaction.atomic():
            record(
                action,
                actor=None,
                organisation=world.organisation,
                contact=world.contact_live,
                professionals=[world.professional],
            )
    archive = download(world.professional)
    document = json.loads(archive.read("mijn-gegevens.json"))
    _validate(document)
    actions = sorted(event["action"] for event in document["access_log"])
    assert actions == ["alert_sent", "report_viewed"]
    text = pdf_text(archive.read("mijn-gegevens.pdf"))
    assert "rapportage bekeken" in text
    assert "melding verstuurd" in text
