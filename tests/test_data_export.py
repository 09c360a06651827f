"""*Mijn gegevens downloaden*: one ZIP with everything, as JSON (with a schema) and as PDF."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peregister.access import services as access_services
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
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


def _download(professional: Professional) -> zipfile.ZipFile:
    response = client_for(professional.user).post(URL)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="mijn-gegevens-')
    return zipfile.ZipFile(io.BytesIO(response.content))


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


def test_the_zip_holds_everything_as_json_and_pdf(world: World) -> None:
    expected = _fill_every_part(world)
    bundle = _download(world.professional)
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
        "behaald",
    ]:
        assert phrase in text, phrase


def test_an_empty_dossier_exports_and_validates(db: None) -> None:
    professional = factories.ProfessionalFactory()
    document = json.loads(_download(professional).read("mijn-gegevens.json"))
    _validate(document)
    assert document["registrations"] == []
    assert document["access_log"] == []


def test_the_published_schema_is_the_one_in_the_zip(world: World) -> None:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    bundle = _download(world.professional)
    assert response.content == bundle.read("schema/mijn-gegevens-v1.schema.json")


def test_the_download_is_audited(world: World) -> None:
    _download(world.professional)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DATA_EXPORTED)
    assert event.actor == world.professional.user
    assert list(event.professionals.all()) == [world.professional]


def test_the_download_is_rate_limited(world: World) -> None:
    client = client_for(world.professional.user)
    statuses = [client.post(URL).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert "afgelopen uur" in client.post(URL).content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED).count() == 5


def test_the_page_explains_and_get_downloads_nothing(world: World) -> None:
    response = client_for(world.professional.user).get(URL)
    assert response.status_code == 200
    assert "Mijn gegevens downloaden" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED).exists()


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
    from peregister.dataexport.services import export_own_data

    for actor in (world.contact_live.user, world.staff, None):
        with pytest.raises(Refused):
            export_own_data(actor=actor, professional=world.professional)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_EXPORTED).exists()


def test_names_with_quotes_and_ampersands_print_as_themselves_in_the_pdf(db: None) -> None:
    from peregister.core.pdf import render_pdf
    from peregister.dataexport.collect import collect

    professional = factories.ProfessionalFactory(first_name="Jeanne", last_name="D'Arc & Zn")
    export = collect(professional, at=clock.now(), today=clock.today())
    text = pdf_text(render_pdf("dataexport/export_pdf.html", {"export": export}))
    # The running footer (every page) and the body.
    assert "Mijn gegevens · Jeanne D'Arc & Zn ·" in text
    assert "&#x27;" not in text
    assert "&amp;" not in text
