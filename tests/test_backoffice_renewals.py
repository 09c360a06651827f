"""Verlengingen: the list of submitted dossiers, approving (next period) and rejecting."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from peregister.audit.models import AuditEvent
from peregister.backoffice.renewals import approve_renewal, reject_renewal
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.models import PePeriod, Registration, RenewalSubmission
from tests import factories
from tests.conftest import World, client_for


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


@pytest.fixture
def submitted(db: None) -> RenewalSubmission:
    register = factories.RegisterFactory(points_required=12, period_months=24)
    professional = factories.ProfessionalFactory(
        initials="A.", last_name="Bakker", email="anouk@example.nl"
    )
    registration = factories.RegistrationFactory(professional=professional, register=register)
    period = factories.PePeriodFactory(
        registration=registration, start=dt.date(2024, 7, 1), end=dt.date(2026, 6, 30)
    )
    factories.CompletionFactory(
        professional=professional, points=8, completed_on=dt.date(2025, 5, 1)
    )
    factories.CompletionFactory(
        professional=professional, points=5, completed_on=dt.date(2026, 5, 1)
    )
    # Outside the period: does not count.
    factories.CompletionFactory(
        professional=professional, points=9, completed_on=dt.date(2024, 6, 1)
    )
    factories.RenewalSubmissionFactory(period=period)
    return RenewalSubmission.objects.get(
        period__registration__professional__email="anouk@example.nl"
    )


def path(renewal: RenewalSubmission, action: str = "") -> str:
    registration = renewal.period.registration
    professional, register = registration.professional.code, registration.register.code
    return f"/register/verlengingen/{professional}/{register}/{action}"


def test_list_shows_submitted_dossiers_with_the_periods_points(world: World, submitted) -> None:
    decided = factories.RenewalSubmissionFactory(
        status=RenewalSubmission.Status.APPROVED, decided_at=clock.now()
    )
    response = client_for(world.staff).get("/register/verlengingen/")
    assert response.status_code == 200
    assert [r.pk for r in response.context["listed"].rows] == [submitted.pk]
    assert response.context["listed"].rows[0].points_earned == 13
    body = response.content.decode()
    assert "A. Bakker" in body
    assert "13 / 12" in body
    assert decided.period.registration.professional.full_name not in body


def test_opening_a_dossier_is_audited_as_a_dossier_view(world: World, submitted) -> None:
    response = client_for(world.staff).get(path(submitted))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOSSIER_VIEWED)
    assert event.actor == world.staff
    assert list(event.professionals.all()) == [submitted.period.registration.professional]


def test_approve_opens_the_next_period_from_the_register_rules(
    world: World, submitted, django_capture_on_commit_callbacks
) -> None:
    register = submitted.period.registration.register
    register.points_required = 16
    register.period_months = 36
    register.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.staff).post(path(submitted, "goedkeuren/"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RenewalSubmission.Status.APPROVED
    assert submitted.decided_by == world.staff
    next_period = PePeriod.objects.get(start=dt.date(2026, 7, 1))
    assert next_period.end == dt.date(2029, 6, 30)
    assert next_period.points_required == 16
    (message,) = mail.outbox
    assert message.to == ["anouk@example.nl"]
    assert "verlengd" in message.subject
    assert "1 juli 2026 tot en met 30 juni 2029" in message.body
    event = AuditEvent.objects.get(action=AuditEvent.Action.RENEWAL_DECIDED)
    assert event.data["decision"] == "approved"


def test_reject_needs_a_reason_and_mails_it(
    world: World, submitted, django_capture_on_commit_callbacks
) -> None:
    client = client_for(world.staff)
    empty = client.post(path(submitted, "afwijzen/"), {"reason": "   "})
    assert empty.status_code == 400
    assert "Geef een reden." in empty.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == RenewalSubmission.Status.SUBMITTED
    too_long = client.post(path(submitted, "afwijzen/"), {"reason": "x" * 2001})
    assert too_long.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            path(submitted, "afwijzen/"), {"reason": "Certificaat van de cursus ontbreekt."}
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == RenewalSubmission.Status.REJECTED
    assert submitted.reason == "Certificaat van de cursus ontbreekt."
    assert PePeriod.objects.filter(registration=submitted.period.registration).count() == 1
    (message,) = mail.outbox
    assert "afgewezen" in message.subject
    assert "Certificaat van de cursus ontbreekt." in message.body


def test_a_dossier_is_decided_once(world: World, submitted) -> None:
    approve_renewal(actor=world.staff, renewal=submitted)
    with pytest.raises(Refused):
        approve_renewal(actor=world.staff, renewal=submitted)
    with pytest.raises(Refused):
        reject_renewal(actor=world.staff, renewal=submitted, reason="te laat")
    assert PePeriod.objects.filter(registration=submitted.period.registration).count() == 2
    # The page no longer offers it: the open dossier is gone.
    assert client_for(world.staff).get(path(submitted)).status_code == 404


def test_approving_a_lapsed_registration_makes_it_active(world: World, submitted) -> None:
    Registration.objects.update(status=Registration.Status.LAPSED)
    approve_renewal(actor=world.staff, renewal=submitted)
    assert (
        submitted.period.registration.__class__.objects.get(
            pk=submitted.period.registration.pk
        ).status
        == Registration.Status.ACTIVE
    )


@pytest.mark.parametrize(
    "suffix",
    [
        "00000000-0000-0000-0000-000000000000/up/",
        "not-a-code/up/",
        "{professional}/onbekend/",
    ],
)
def test_unknown_dossier_is_404(world: World, submitted, suffix: str) -> None:
    code = str(submitted.period.registration.professional.code)
    url = "/register/verlengingen/" + suffix.replace("{professional}", code)
    assert client_for(world.staff).get(url).status_code == 404
