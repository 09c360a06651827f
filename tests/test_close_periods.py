"""Period closing: lapse unmet registrations once, idempotently, also with two runs at once."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection

from peregister.audit.models import AuditEvent
from peregister.backoffice.closing import (
    lapse_overdue_registrations,
    reinstate_registration,
)
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.models import PePeriod, Registration, RenewalSubmission
from tests import factories
from tests.conftest import World, client_for

TODAY = dt.date(2026, 7, 1)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 7, 1, 3, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


def registration_with_period(
    *, end: dt.date, points: int, required: int = 12, email: str = "pe@example.nl"
) -> Registration:
    professional = factories.ProfessionalFactory(email=email)
    registration = factories.RegistrationFactory(professional=professional)
    factories.PePeriodFactory(
        registration=registration,
        start=end - dt.timedelta(days=730),
        end=end,
        points_required=required,
    )
    if points:
        factories.CompletionFactory(
            professional=professional, points=points, completed_on=end - dt.timedelta(days=10)
        )
    return Registration.objects.get(pk=registration.pk)


def status(registration: Registration) -> str:
    registration.refresh_from_db()
    return registration.status


@pytest.mark.usefixtures("frozen")
def test_only_unmet_ended_periods_without_approved_renewal_lapse(
    db: None, django_capture_on_commit_callbacks
) -> None:
    yesterday = TODAY - dt.timedelta(days=1)
    unmet = registration_with_period(end=yesterday, points=4, email="unmet@example.nl")
    met = registration_with_period(end=yesterday, points=12)
    running = registration_with_period(end=TODAY, points=0)  # ends today: not yet over
    renewed = registration_with_period(end=yesterday, points=2)
    factories.RenewalSubmissionFactory(
        period=renewed.periods.get(),
        status=RenewalSubmission.Status.APPROVED,
        decided_at=clock.now(),
    )
    pending = registration_with_period(end=yesterday, points=2)
    factories.RenewalSubmissionFactory(period=pending.periods.get())  # submitted, not approved
    # An earlier unmet period does not matter once a later period runs.
    continued = registration_with_period(end=dt.date(2025, 1, 1), points=0)
    factories.PePeriodFactory(
        registration=continued, start=dt.date(2025, 1, 2), end=dt.date(2027, 1, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = lapse_overdue_registrations()
    assert (result.candidates, result.lapsed) == (2, 2)
    assert status(unmet) == status(pending) == Registration.Status.LAPSED
    assert {status(r) for r in (met, running, renewed, continued)} == {"active"}
    assert sorted(m.to[0] for m in mail.outbox) == ["pe@example.nl", "unmet@example.nl"]
    assert "vervallen" in mail.outbox[0].subject
    event = AuditEvent.objects.filter(action=AuditEvent.Action.REGISTRATION_LAPSED).first()
    assert event.actor is None
    assert event.data["points_required"] == 12


@pytest.mark.usefixtures("frozen")
def test_running_twice_changes_nothing_the_second_time(
    db: None, django_capture_on_commit_callbacks
) -> None:
    registration_with_period(end=TODAY - dt.timedelta(days=1), points=0)
    with django_capture_on_commit_callbacks(execute=True):
        first = io.StringIO()
        call_command("close_periods", stdout=first)
        second = io.StringIO()
        call_command("close_periods", stdout=second)
    assert first.getvalue().startswith("1 registration(s) lapsed")
    assert second.getvalue().startswith("0 registration(s) lapsed")
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REGISTRATION_LAPSED).count() == 1


def test_the_date_option_closes_as_of_that_day(db: None) -> None:
    registration = registration_with_period(end=dt.date(2026, 1, 31), points=0)
    call_command("close_periods", "--date", "2026-01-31", stdout=io.StringIO())
    assert status(registration) == Registration.Status.ACTIVE
    call_command("close_periods", "--date", "2026-02-01", stdout=io.StringIO())
    assert status(registration) == Registration.Status.LAPSED


def test_bad_date_option_is_refused(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("close_periods", "--date", "31-01-2026", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_two_machines_closing_at_once_lapse_each_registration_once() -> None:
    day = clock.today()
    registrations = [
        registration_with_period(end=day - dt.timedelta(days=1), points=0) for _ in range(8)
    ]
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(lapse_overdue_registrations().lapsed)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # PostgreSQL queues the second run; the in-memory SQLite test database (shared cache)
    # refuses a concurrent writer instead of waiting, which must leave nothing half-done.
    for error in errors:
        assert connection.vendor == "sqlite", error
        assert isinstance(error, OperationalError), error
    assert sum(results) == 8 if not errors else sum(results) <= 8
    lapse_overdue_registrations()  # a later daily run finishes whatever a refused run left
    assert all(status(r) == Registration.Status.LAPSED for r in registrations)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.REGISTRATION_LAPSED)
    assert events.count() == 8
    assert len({e.professionals.get().pk for e in events}) == 8


@pytest.mark.usefixtures("frozen")
def test_staff_reinstate_a_lapsed_registration_with_a_reason(world: World) -> None:
    registration = registration_with_period(end=TODAY - dt.timedelta(days=1), points=0)
    lapse_overdue_registrations()
    professional = registration.professional
    url = f"/register/registraties/{professional.code}/up/herstellen/"
    client = client_for(world.staff)
    listing = client.get("/register/registraties/vervallen/")
    assert professional.full_name in listing.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Geef een reden." in refused.content.decode()
    response = client.post(url, {"reason": "Punten waren te laat geregistreerd."})
    assert response.status_code == 302
    assert status(registration) == Registration.Status.ACTIVE
    new_period = registration.periods.get(start=TODAY)
    assert new_period.end == dt.date(2028, 6, 30)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REGISTRATION_REINSTATED)
    assert event.data["reason"] == "Punten waren te laat geregistreerd."
    # The next daily run leaves it alone: a period is running.
    assert lapse_overdue_registrations().lapsed == 0
    # Active now, so there is nothing to reinstate any more.
    assert client.get(url).status_code == 404
    with pytest.raises(Refused):
        reinstate_registration(actor=world.staff, registration=registration, reason="nogmaals")
    assert PePeriod.objects.filter(registration=registration).count() == 2
