"""*Mijn PE-dossier*: the professional's own registrations, periods, points and activities."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.core import clock
from tests import factories
from tests.conftest import World, client_for

AMS = clock.AMSTERDAM


def test_shows_current_period_progress_status_and_activities(db: None) -> None:
    with time_machine.travel(dt.datetime(2025, 6, 1, 12, tzinfo=AMS), tick=False):
        registration = factories.RegistrationFactory(registered_on=dt.date(2022, 1, 1))
        factories.PePeriodFactory(registration=registration, start=dt.date(2022, 1, 1))
        factories.PePeriodFactory(registration=registration, start=dt.date(2024, 1, 1))
        professional = registration.professional
        factories.CompletionFactory(
            professional=professional,
            completed_on=dt.date(2025, 3, 4),
            title="Arbeidsrecht actueel",
            provider="Flexacademie",
            points=3,
        )
        factories.CompletionFactory(
            professional=professional, completed_on=dt.date(2023, 5, 1), title="Oud", points=12
        )
        response = client_for(professional.user).get("/mijn/dossier/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Mijn PE-dossier</h1>" in body
    assert professional.registration_number in body
    assert "1 januari 2024 – 31 december 2025" in body
    assert "<strong>3</strong> van 12 PE-punten" in body
    assert "achter" in body  # 3 points after 17 of 24 months
    assert "Nog 213 dagen in deze periode." in body
    assert "Arbeidsrecht actueel" in body
    assert "Flexacademie" in body
    assert "Eerdere PE-periodes" in body
    assert "12 / 12" in body


def test_only_own_dossier(world: World) -> None:
    factories.CompletionFactory(professional=world.other_professional, title="Niet van mij")
    body = client_for(world.professional.user).get("/mijn/dossier/").content.decode()
    assert "Niet van mij" not in body


def test_professional_without_registration(db: None) -> None:
    professional = factories.ProfessionalFactory()
    response = client_for(professional.user).get("/mijn/dossier/")
    assert response.status_code == 200
    assert "Er is geen PE-registratie." in response.content.decode()


def test_menu_links_for_the_professional(world: World) -> None:
    body = client_for(world.professional.user).get("/mijn/dossier/").content.decode()
    assert 'href="/mijn/dossier/" aria-current="page"' in body
    assert 'href="/mijn/inzage-werkgever/"' in body
    assert 'href="/mijn/wie-bekeek-mijn-dossier/"' in body
    contact_body = client_for(world.contact_live.user).get("/").content.decode()
    assert 'href="/mijn/dossier/"' not in contact_body


def test_query_count_does_not_grow_with_activities(world: World) -> None:
    client = client_for(world.professional.user)
    factories.CompletionFactory(professional=world.professional)
    with CaptureQueriesContext(connection) as few:
        client.get("/mijn/dossier/")
    for _ in range(10):
        factories.CompletionFactory(professional=world.professional)
    with CaptureQueriesContext(connection) as many:
        client.get("/mijn/dossier/")
    assert len(many) == len(few)
