"""Pages with several forms keep element ids unique, so every label names its own field."""

from __future__ import annotations

import re
from collections import Counter

from tests import factories
from tests.conftest import World, client_for


def check_ids_and_labels(body: str) -> None:
    ids = re.findall(r'\sid="([^"]+)"', body)
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, duplicates
    for target in re.findall(r'<label for="([^"]+)"', body):
        assert target in ids, f"label for missing id {target}"


def test_staff_pages_have_unique_ids(world: World) -> None:
    activity = factories.LearningActivityFactory()
    report = factories.SelfReportFactory(professional=world.professional)
    period = world.professional.registrations.get().periods.get()
    factories.RenewalSubmissionFactory(period=period)
    client = client_for(world.staff)
    for url in [
        "/register/presentie/",
        "/register/leeractiviteiten/",
        "/register/leeractiviteiten/nieuw/",
        f"/register/leeractiviteiten/{activity.code}/",
        f"/register/leeractiviteiten/{activity.code}/wijzigen/",
        "/register/eigen-activiteiten/",
        f"/register/eigen-activiteiten/{report.code}/",
        "/register/verlengingen/",
        f"/register/verlengingen/{world.professional.code}/up/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        check_ids_and_labels(response.content.decode())


def test_attendance_check_page_has_unique_ids(world: World) -> None:
    activity = factories.LearningActivityFactory()
    response = client_for(world.staff).post(
        "/register/presentie/",
        {
            "activity": str(activity.code),
            "day": "2026-01-01",
            "numbers": world.professional.registration_number,
        },
    )
    assert response.status_code == 200
    check_ids_and_labels(response.content.decode())


def test_professional_pages_have_unique_ids(world: World) -> None:
    client = client_for(world.professional.user)
    for url in ["/eigen-activiteit/", "/eigen-activiteit/nieuw/"]:
        check_ids_and_labels(client.get(url).content.decode())
