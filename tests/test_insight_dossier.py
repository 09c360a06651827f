"""*open dossier*: what a contact with a live grant sees, and the audit trail it leaves."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.audit.models import AuditEvent
from peregister.core import clock
from tests import factories
from tests.conftest import World, client_for


def _url(code: object) -> str:
    return f"/werkgever/professionals/{code}/"


def test_dossier_shows_progress_renewal_and_activities(world: World) -> None:
    professional = world.professional
    period = professional.registrations.get().periods.get()
    factories.CompletionFactory(
        professional=professional, title="Arbeidsrecht update", points=4, completed_on=period.start
    )
    factories.RenewalSubmissionFactory(period=period)
    body = client_for(world.contact_live.user).get(_url(professional.code)).content.decode()
    assert f"Dossier van {professional.full_name}" in body
    assert professional.registration_number in body
    assert "Huidige PE-periode" in body
    assert "<strong>4</strong> van 12 PE-punten" in body
    assert "ja, ingediend op" in body
    assert "overzicht PE-activiteiten" in body
    assert "Arbeidsrecht update" in body
    assert "onbeperkt" in body  # the grant has no end date


def test_earlier_periods_and_their_activities_are_listed(world: World) -> None:
    registration = factories.RegistrationFactory(registered_on=dt.date(2021, 1, 1))
    factories.PePeriodFactory(registration=registration, start=dt.date(2021, 1, 1))
    factories.PePeriodFactory(registration=registration, start=dt.date(2023, 1, 1))
    factories.AccessGrantFactory(
        professional=registration.professional,
        contact=world.contact_live,
        granted_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
    )
    factories.CompletionFactory(
        professional=registration.professional,
        title="Oude cursus",
        completed_on=dt.date(2022, 3, 1),
    )
    with time_machine.travel(dt.datetime(2024, 6, 1, 12, tzinfo=clock.AMSTERDAM), tick=False):
        body = client_for(world.contact_live.user).get(_url(registration.professional.code))
    text = body.content.decode()
    assert "Eerdere PE-periodes" in text
    assert "Oude cursus" in text


def test_every_open_writes_a_dossier_viewed_event(world: World) -> None:
    client = client_for(world.contact_live.user)
    client.get(_url(world.professional.code))
    client.get(_url(world.professional.code))
    events = AuditEvent.objects.filter(action=AuditEvent.Action.DOSSIER_VIEWED)
    assert events.count() == 2
    event = events.first()
    assert event is not None
    assert event.actor == world.contact_live.user
    assert event.contact == world.contact_live
    assert event.organisation == world.organisation
    assert list(event.professionals.all()) == [world.professional]
    # It shows in the professional's own access log.
    assert world.professional.audit_events.filter(action="dossier.viewed").count() == 2


@pytest.mark.parametrize(
    "persona", ["contact_expired", "contact_revoked", "administrator", "deputy", "other_org_admin"]
)
def test_without_own_live_grant_the_dossier_does_not_exist(world: World, persona: str) -> None:
    response = client_for(world.personas()[persona]).get(_url(world.professional.code))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOSSIER_VIEWED).exists()


@pytest.mark.parametrize("code", [uuid.uuid4(), "not-a-uuid", "1", "%00"])
def test_unknown_and_malformed_codes_are_404(world: World, code: object) -> None:
    assert client_for(world.contact_live.user).get(_url(code)).status_code == 404


def test_grant_ending_today_opens_until_midnight_amsterdam(world: World) -> None:
    grant = world.professional.grants.get(contact=world.contact_live)
    grant.valid_until = clock.today()
    grant.save()
    client = client_for(world.contact_live.user)
    assert client.get(_url(world.professional.code)).status_code == 200  # inclusive end date
    tomorrow = clock.start_of_day(clock.today() + dt.timedelta(days=1))
    with time_machine.travel(tomorrow + dt.timedelta(minutes=1)):
        # A fresh login: the session of "today" may have expired by then.
        client = client_for(world.contact_live.user)
        assert client.get(_url(world.professional.code)).status_code == 404


def test_suspended_organisation_loses_access(world: World) -> None:
    world.organisation.status = world.organisation.Status.SUSPENDED
    world.organisation.save()
    response = client_for(world.contact_live.user).get(_url(world.professional.code))
    assert response.status_code == 404


def test_dossier_query_count_does_not_grow_with_activities(world: World) -> None:
    client = client_for(world.contact_live.user)

    def queries() -> int:
        client.get(_url(world.professional.code))
        with CaptureQueriesContext(connection) as captured:
            client.get(_url(world.professional.code))
        return len(captured)

    factories.CompletionFactory(professional=world.professional)
    few = queries()
    for _ in range(20):
        factories.CompletionFactory(professional=world.professional)
    assert queries() == few
