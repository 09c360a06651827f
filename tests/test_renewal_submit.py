"""*Dossier indienen*: only with enough points, once per period; page and server agree."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry import renewals
from peregister.registry.models import Registration, RenewalSubmission
from tests import factories
from tests.conftest import World, client_for

URL = "/mijn/dossier/indienen/"


def registration_of(world: World) -> Registration:
    return world.professional.registrations.select_related("register", "professional").get()


def earn(world: World, points: int) -> None:
    factories.CompletionFactory(professional=world.professional, points=points)


def test_refused_below_the_required_points_with_the_reason(world: World) -> None:
    earn(world, 11)
    with pytest.raises(Refused, match="ontbreken nog 1"):
        renewals.submit_renewal(actor=world.professional.user, registration=registration_of(world))
    assert not RenewalSubmission.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RENEWAL_SUBMITTED).exists()


def test_page_explains_why_the_button_is_not_available(world: World) -> None:
    earn(world, 5)
    body = client_for(world.professional.user).get("/mijn/dossier/").content.decode()
    assert "Dossier indienen" in body
    assert "disabled" in body
    assert "U heeft er nu 5; er ontbreken nog 7." in body
    assert f'action="{URL}"' not in body


def test_server_refuses_a_crafted_submit_below_the_points(world: World) -> None:
    earn(world, 5)
    response = client_for(world.professional.user).post(URL, {"register": "up"})
    assert response.status_code == 400
    assert "ontbreken nog 7" in response.content.decode()
    assert not RenewalSubmission.objects.exists()


def test_submit_with_enough_points(world: World, django_capture_on_commit_callbacks) -> None:
    earn(world, 12)
    client = client_for(world.professional.user)
    assert f'action="{URL}"' in client.get("/mijn/dossier/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"register": "up"})
    assert response.status_code == 302
    submission = RenewalSubmission.objects.get()
    assert submission.status == RenewalSubmission.Status.SUBMITTED
    assert submission.submitted_by == world.professional.user
    period = registration_of(world).periods.get()
    assert submission.period == period
    event = AuditEvent.objects.get(action=AuditEvent.Action.RENEWAL_SUBMITTED)
    assert list(event.professionals.all()) == [world.professional]
    [message] = mail.outbox
    assert message.to == [world.professional.user.email]
    body = client.get("/mijn/dossier/").content.decode()
    assert "ingediend" in body
    assert clock.local_date(submission.submitted_at).strftime("%Y") in body
    assert f'action="{URL}"' not in body


def test_second_submission_is_refused(world: World) -> None:
    earn(world, 12)
    renewals.submit_renewal(actor=world.professional.user, registration=registration_of(world))
    response = client_for(world.professional.user).post(URL, {"register": "up"})
    assert response.status_code == 400
    assert "al ingediend" in response.content.decode()
    assert RenewalSubmission.objects.count() == 1


def test_race_with_another_submission_is_refused_by_the_constraint(world: World) -> None:
    earn(world, 12)
    registration = registration_of(world)
    # The other submission lands between our check and our insert.
    factories.RenewalSubmissionFactory(period=registration.periods.get())
    with (
        mock.patch.object(renewals, "_open_submission", return_value=None),
        pytest.raises(Refused, match="al ingediend"),
    ):
        renewals.submit_renewal(actor=world.professional.user, registration=registration)
    assert RenewalSubmission.objects.count() == 1


def test_after_rejection_the_dossier_can_be_submitted_again(world: World) -> None:
    earn(world, 12)
    period = registration_of(world).periods.get()
    factories.RenewalSubmissionFactory(
        period=period,
        status=RenewalSubmission.Status.REJECTED,
        decided_at=clock.now(),
        reason="Bewijs ontbreekt",
        submitted_at=clock.now() - dt.timedelta(days=3),
    )
    client = client_for(world.professional.user)
    body = client.get("/mijn/dossier/").content.decode()
    assert "afgewezen" in body
    assert "Bewijs ontbreekt" in body
    assert client.post(URL, {"register": "up"}).status_code == 302
    assert RenewalSubmission.objects.count() == 2


def test_approved_shows_dates_and_no_button(world: World) -> None:
    earn(world, 12)
    period = registration_of(world).periods.get()
    decided = clock.now()
    factories.RenewalSubmissionFactory(
        period=period,
        status=RenewalSubmission.Status.APPROVED,
        decided_at=decided,
        submitted_at=decided - dt.timedelta(days=2),
    )
    body = client_for(world.professional.user).get("/mijn/dossier/").content.decode()
    assert "goedgekeurd" in body
    assert "al goedgekeurd" in body
    assert f'action="{URL}"' not in body


def test_lapsed_registration_cannot_submit(world: World) -> None:
    earn(world, 12)
    Registration.objects.update(status=Registration.Status.LAPSED)
    with pytest.raises(Refused, match="niet actief"):
        renewals.submit_renewal(actor=world.professional.user, registration=registration_of(world))


def test_only_the_professional_can_submit(world: World) -> None:
    earn(world, 12)
    with pytest.raises(Refused):
        renewals.submit_renewal(actor=world.staff, registration=registration_of(world))


@pytest.mark.parametrize("register", ["", "nope", "x" * 500])
def test_unknown_register_is_404(world: World, register: str) -> None:
    earn(world, 12)
    response = client_for(world.professional.user).post(URL, {"register": register})
    assert response.status_code == 404
    assert not RenewalSubmission.objects.exists()


def test_other_professionals_registration_cannot_be_submitted(world: World) -> None:
    other = factories.RegistrationFactory(
        professional=world.other_professional, register=factories.RegisterFactory(code="bo")
    )
    factories.PePeriodFactory(registration=other)
    factories.CompletionFactory(professional=world.other_professional, points=12)
    response = client_for(world.professional.user).post(URL, {"register": "bo"})
    assert response.status_code == 404
    assert not RenewalSubmission.objects.exists()


def test_get_is_not_allowed(world: World) -> None:
    assert client_for(world.professional.user).get(URL).status_code == 405
