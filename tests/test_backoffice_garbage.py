"""Crafted input on every back-office and self-report form: a 4xx (or a redirect), never a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peregister.registry.models import Completion, LearningActivity, SelfReport
from tests import factories
from tests.conftest import World, client_for

GARBAGE = [
    {},
    {"activity": "'; DROP TABLE x; --", "day": "9999-99-99", "numbers": "\x00"},
    {"activity": ["a", "b"], "day": ["2026-01-01", "x"], "numbers": ["1", "2"]},
    {"points": "1e9", "reason": "x" * 10_000, "last_day": "0000-00-00"},
    {"title": "x" * 1000, "points": "NaN", "kind": "<script>", "recognised_from": "-1"},
    {"organisation": "00000000-0000-0000-0000-000000000000", "points": "0x10"},
    {"payload": "x" * 500_000},
    {"file": "not a file", "certificate": "not a file", "completed_on": "1-1-1"},
]


def urls(world: World) -> list[tuple[str, str]]:
    activity = factories.LearningActivityFactory()
    report = factories.SelfReportFactory(professional=world.professional)
    period = world.professional.registrations.get().periods.get()
    factories.RenewalSubmissionFactory(period=period)
    code = world.professional.code
    return [
        ("staff", "/register/presentie/"),
        ("staff", "/register/presentie/csv/"),
        ("staff", "/register/presentie/bevestigen/"),
        ("staff", "/register/leeractiviteiten/nieuw/"),
        ("staff", f"/register/leeractiviteiten/{activity.code}/wijzigen/"),
        ("staff", f"/register/leeractiviteiten/{activity.code}/beeindigen/"),
        ("staff", f"/register/eigen-activiteiten/{report.code}/goedkeuren/"),
        ("staff", f"/register/eigen-activiteiten/{report.code}/afwijzen/"),
        ("staff", f"/register/verlengingen/{code}/up/afwijzen/"),
        ("professional", "/eigen-activiteit/nieuw/"),
    ]


@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_posts_never_fail_on_the_server(world: World, data: dict) -> None:
    clients = {
        "staff": client_for(world.staff),
        "professional": client_for(world.professional.user),
    }
    targets = urls(world)
    activities, completions = LearningActivity.objects.count(), Completion.objects.count()
    for who, url in targets:
        response = clients[who].post(url, data)
        assert 400 <= response.status_code < 500, (url, response.status_code)
    assert LearningActivity.objects.count() == activities
    assert Completion.objects.count() == completions
    assert SelfReport.objects.filter(status="submitted").count() == 1


@pytest.mark.parametrize(
    "query",
    ["?q=" + "x" * 500, "?kind[]=1", "?pagina=-1", "?pagina=abc", "?recognised=%00"],
)
def test_garbage_catalogue_queries(world: World, query: str) -> None:
    response = client_for(world.staff).get(f"/register/leeractiviteiten/{query}")
    assert response.status_code in (200, 400)


def test_oversized_certificate_upload_is_a_client_error(world: World) -> None:
    upload = SimpleUploadedFile("x.pdf", b"%PDF-" + b"0" * (6 * 1024 * 1024), "application/pdf")
    response = client_for(world.professional.user).post(
        "/eigen-activiteit/nieuw/",
        {
            "title": "t",
            "provider": "p",
            "kind": "course",
            "completed_on": "2020-01-01",
            "points_claimed": "1",
            "certificate": upload,
        },
    )
    assert response.status_code == 400
    assert not SelfReport.objects.exists()
