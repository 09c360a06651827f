"""Eigen activiteit: the professional reports, staff approve (points adjustable) or reject."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from peregister.audit.models import AuditEvent
from peregister.backoffice.self_reports import approve_self_report, reject_self_report
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.models import Completion, PePeriod, SelfReport
from peregister.registry.self_report_files import (
    MAX_CERTIFICATE_BYTES,
    CertificateRefused,
    check_certificate,
    safe_file_name,
)
from tests import factories
from tests.conftest import World, client_for

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


# --- certificate checks (pure) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "declared", "data", "expected"),
    [
        ("certificaat.pdf", "application/pdf", PDF, "application/pdf"),
        ("CERT.PDF", "application/octet-stream", PDF, "application/pdf"),
        ("foto.png", "image/png", PNG, "image/png"),
        ("foto.jpeg", "image/jpeg", JPEG, "image/jpeg"),
        ("foto.jpg", "", JPEG, "image/jpeg"),
    ],
)
def test_accepted_certificates(name: str, declared: str, data: bytes, expected: str) -> None:
    assert check_certificate(name=name, declared_type=declared, data=data) == expected


@pytest.mark.parametrize(
    ("name", "declared", "data", "code"),
    [
        ("leeg.pdf", "application/pdf", b"", "empty"),
        ("groot.pdf", "application/pdf", PDF + b"x" * MAX_CERTIFICATE_BYTES, "too_big"),
        ("virus.pdf", "application/pdf", b"MZ\x90\x00 executable", "type"),
        ("lijst.pdf", "application/pdf", b"PK\x03\x04 xlsx zip", "type"),
        ("pagina.pdf", "text/html", b"<html><script>", "type"),
        ("echt.png", "image/png", PDF, "mismatch"),  # a PDF called .png
        ("echt.pdf", "image/png", PDF, "mismatch"),  # browser claims another type
        ("cert.exe", "application/pdf", PDF, "mismatch"),
    ],
)
def test_refused_certificates(name: str, declared: str, data: bytes, code: str) -> None:
    with pytest.raises(CertificateRefused) as refused:
        check_certificate(name=name, declared_type=declared, data=data)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("certificaat.pdf", "certificaat.pdf"),
        ("C:\\Users\\pim\\cert.pdf", "cert.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ('a"b\r\n.pdf', "ab.pdf"),
        ("", "certificaat"),
    ],
)
def test_download_names_are_safe(name: str, expected: str) -> None:
    assert safe_file_name(name) == expected


# --- the professional's pages ----------------------------------------------------------------


def report_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Congres flexibele arbeid",
        "provider": "Flexcongres",
        "kind": "presentation",
        "completed_on": "2026-06-01",
        "description": "Twee lezingen over de Wet flexibel werken.",
        "points_claimed": "3",
    }
    data.update(overrides)
    return data


def test_professional_reports_an_activity_with_a_certificate(world: World) -> None:
    client = client_for(world.professional.user)
    certificate = SimpleUploadedFile("certificaat.pdf", PDF, content_type="application/pdf")
    response = client.post("/eigen-activiteit/nieuw/", report_post(certificate=certificate))
    assert response.status_code == 302
    report = SelfReport.objects.get()
    assert (report.professional, report.status, report.points_claimed) == (
        world.professional,
        SelfReport.Status.SUBMITTED,
        3,
    )
    assert bytes(report.certificate) == PDF
    assert report.certificate_type == "application/pdf"
    # Nothing counts before approval.
    assert not Completion.objects.exists()
    listing = client.get("/eigen-activiteit/").content.decode()
    assert "Congres flexibele arbeid" in listing
    assert "ingediend" in listing
    event = AuditEvent.objects.get(action=AuditEvent.Action.SELF_REPORT_SUBMITTED)
    assert list(event.professionals.all()) == [world.professional]
    assert "Twee lezingen" not in str(event.data)  # no dossier contents in the audit


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"completed_on": "2026-06-16"}, "De datum ligt in de toekomst."),
        ({"completed_on": "2026-02-30"}, "Vul een geldige datum in"),
        ({"points_claimed": "-2"}, "Vraag minstens 1 PE-punt."),
        ({"points_claimed": "500"}, "Meer dan 100 PE-punten"),
        ({"points_claimed": "twee"}, "Vul een heel getal in."),
        ({"title": ""}, "Vul de titel in."),
        ({"kind": "feestje"}, "Kies een soort uit de lijst."),
        ({"description": "x" * 5001}, "De omschrijving is te lang"),
    ],
)
def test_bad_reports_are_refused_with_messages(world: World, overrides, message) -> None:
    response = client_for(world.professional.user).post(
        "/eigen-activiteit/nieuw/", report_post(**overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SelfReport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00", "application/pdf", "Alleen een PDF, JPEG of PNG"),
        ("foto.png", PDF, "image/png", "past niet bij de naam"),
        ("groot.pdf", PDF + b"0" * MAX_CERTIFICATE_BYTES, "application/pdf", "maximaal 5 MB"),
        ("leeg.pdf", b"", "application/pdf", "Het bestand is leeg."),
    ],
)
def test_bad_certificates_are_refused(world: World, name, content, content_type, message) -> None:
    certificate = SimpleUploadedFile(name, content, content_type=content_type)
    response = client_for(world.professional.user).post(
        "/eigen-activiteit/nieuw/", report_post(certificate=certificate)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SelfReport.objects.exists()


def test_professional_sees_only_own_reports(world: World) -> None:
    factories.SelfReportFactory(professional=world.other_professional, title="Niet van mij")
    body = client_for(world.professional.user).get("/eigen-activiteit/").content.decode()
    assert "Niet van mij" not in body


# --- staff review ----------------------------------------------------------------------------


@pytest.fixture
def report(world: World) -> SelfReport:
    world.professional.email = "pim@example.nl"
    world.professional.save()
    factories.SelfReportFactory(professional=world.professional, completed_on=dt.date(2026, 6, 1))
    return SelfReport.objects.get()


def points_now(world: World) -> int:
    period = PePeriod.objects.with_progress().get(registration__professional=world.professional)
    return period.points_earned


def test_staff_approve_with_adjusted_points(
    world: World, report, django_capture_on_commit_callbacks
) -> None:
    client = client_for(world.staff)
    listing = client.get("/register/eigen-activiteiten/").content.decode()
    assert "Congres flexibele arbeid" in listing
    assert points_now(world) == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/register/eigen-activiteiten/{report.code}/goedkeuren/",
            {"points": "2", "reason": "Eén lezing telt niet als PE."},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.points_awarded) == (SelfReport.Status.APPROVED, 2)
    completion = report.completion
    assert (completion.source, completion.points, completion.completed_on) == (
        Completion.Source.SELF_REPORTED,
        2,
        dt.date(2026, 6, 1),
    )
    assert points_now(world) == 2  # only the approved points count
    (message,) = mail.outbox
    assert message.to == ["pim@example.nl"]
    assert "goedgekeurd" in message.subject
    assert "2 PE-punten (gevraagd: 3)" in message.body
    assert "Eén lezing telt niet als PE." in message.body
    own = client_for(world.professional.user).get("/eigen-activiteit/").content.decode()
    assert "goedgekeurd" in own


def test_staff_reject_with_a_reason(
    world: World, report, django_capture_on_commit_callbacks
) -> None:
    client = client_for(world.staff)
    empty = client.post(f"/register/eigen-activiteiten/{report.code}/afwijzen/", {"reason": ""})
    assert empty.status_code == 400
    assert "Geef een reden." in empty.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/register/eigen-activiteiten/{report.code}/afwijzen/",
            {"reason": "Geen bewijs van deelname."},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == SelfReport.Status.REJECTED
    assert not Completion.objects.exists()
    (message,) = mail.outbox
    assert "afgewezen" in message.subject
    assert "Geen bewijs van deelname." in message.body
    own = client_for(world.professional.user).get("/eigen-activiteit/").content.decode()
    assert "Geen bewijs van deelname." in own


@pytest.mark.parametrize("points", ["-1", "101", "", "veel"])
def test_approve_refuses_absurd_points(world: World, report, points: str) -> None:
    response = client_for(world.staff).post(
        f"/register/eigen-activiteiten/{report.code}/goedkeuren/", {"points": points}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == SelfReport.Status.SUBMITTED
    assert not Completion.objects.exists()


def test_a_report_is_decided_once(world: World, report) -> None:
    approve_self_report(actor=world.staff, report=report, points=3)
    with pytest.raises(Refused):
        approve_self_report(actor=world.staff, report=report, points=3)
    with pytest.raises(Refused):
        reject_self_report(actor=world.staff, report=report, reason="toch niet")
    assert Completion.objects.count() == 1
    response = client_for(world.staff).post(
        f"/register/eigen-activiteiten/{report.code}/goedkeuren/", {"points": "3"}
    )
    assert response.status_code == 409
    assert "al besloten" in response.content.decode()


def test_certificate_download_is_an_audited_attachment(world: World, report) -> None:
    response = client_for(world.staff).get(
        f"/register/eigen-activiteiten/{report.code}/certificaat/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content == b"%PDF-1.4\n%test certificate\n"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DOSSIER_VIEWED, professionals=world.professional
    ).exists()


def test_report_without_certificate_has_no_download(world: World) -> None:
    factories.SelfReportFactory(professional=world.professional, certificate=None)
    report = SelfReport.objects.get()
    url = f"/register/eigen-activiteiten/{report.code}/certificaat/"
    assert client_for(world.staff).get(url).status_code == 404
