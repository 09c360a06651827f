"""*Accreditatieaanvraag*: a provider submits, staff *erkennen* or *afwijzen*, the provider is
mailed and sees the status; the staff catalogue keeps working."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.organisations.models import Organisation
from peregister.registry import accreditation
from peregister.registry.models import AccreditationRequest, LearningActivity
from tests import factories
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _early_february() -> Iterator[None]:
    # Before the planned dates of ``valid_form``: a request plans ahead (review 15 F11).
    with time_machine.travel(dt.datetime(2026, 2, 2, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


ADD = "/aanbieder/activiteiten/aanvragen/"


def valid_form(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Arbeidsrecht in de uitzendpraktijk",
        "kind": "course",
        "description": "Twee dagdelen arbeidsrecht voor intercedenten.",
        "duration_hours": "8",
        "points_requested": "6",
        "planned_from": "01-03-2026",
        "planned_until": "31-12-2026",
    }
    data.update(overrides)
    return data


def test_provider_submits_and_sees_the_status(world: World) -> None:
    client = client_for(world.provider_admin.user)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, valid_form())
    assert response.status_code == 302
    request = AccreditationRequest.objects.get()
    assert request.provider == world.provider_admin.organisation
    assert request.status == AccreditationRequest.Status.SUBMITTED
    assert request.planned_until == dt.date(2026, 12, 31)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCREDITATION_SUBMITTED, organisation=request.provider
    ).exists()
    listing = client.get("/aanbieder/activiteiten/").content.decode()
    assert "Arbeidsrecht in de uitzendpraktijk" in listing
    assert "ingediend" in listing


@pytest.mark.parametrize(
    "overrides",
    [
        {"points_requested": "500"},
        {"points_requested": "-1"},
        {"duration_hours": "0"},
        {"duration_hours": "veel"},
        {"kind": "feestje"},
        {"planned_from": "31-02-2026"},
        {"planned_until": "01-01-2026"},
        {"title": ""},
        {"description": "x" * 5001},
    ],
)
def test_garbage_is_a_400_and_nothing_is_submitted(world: World, overrides: dict[str, str]) -> None:
    response = client_for(world.provider_admin.user).post(ADD, valid_form(**overrides))
    assert response.status_code == 400
    assert not AccreditationRequest.objects.exists()


def test_only_an_authorised_provider_submits(world: World) -> None:
    requested = factories.ProviderFactory(status=Organisation.Status.REQUESTED)
    waiting = factories.ContactFactory(organisation=requested, role="administrator")
    data = accreditation.AccreditationData(
        title="X",
        kind="course",
        description="Y",
        duration_hours=1,
        points_requested=1,
        planned_from=dt.date(2026, 1, 1),
        planned_until=None,
    )
    for actor in (waiting.user, world.administrator.user, world.staff, world.professional.user):
        with pytest.raises(Refused):
            accreditation.submit_accreditation_request(actor=actor, data=data)
        assert client_for(actor).get(ADD).status_code == 404
    assert not AccreditationRequest.objects.exists()


def test_another_providers_request_is_unknown(world: World) -> None:
    other = factories.AccreditationRequestFactory.create()
    response = client_for(world.provider_admin.user).get(f"/aanbieder/activiteiten/{other.code}/")
    assert response.status_code == 404
    # Review 15 F14: and a security event for staff (ASVS V7.2.2), as for dossiers.
    denied = AuditEvent.objects.get(action=AuditEvent.Action.ACCESS_DENIED)
    assert denied.actor == world.provider_admin.user
    assert denied.data["page"] == "providers:request"


def test_staff_recognise_with_points_and_period_and_the_provider_is_mailed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    factories.ContactFactory(organisation=world.provider_admin.organisation)  # not mailed
    request = factories.AccreditationRequestFactory.create(
        provider=world.provider_admin.organisation
    )
    staff = client_for(world.staff)
    assert request.title in staff.get("/register/accreditatie/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"/register/accreditatie/{request.code}/erkennen/",
            {"points": "4", "recognised_from": "01-03-2026", "recognised_until": "31-12-2026"},
        )
    assert response.status_code == 302
    request.refresh_from_db()
    activity = request.activity
    assert request.status == AccreditationRequest.Status.RECOGNISED
    assert activity is not None
    assert (activity.points, activity.recognised_from, activity.recognised_until) == (
        4,
        dt.date(2026, 3, 1),
        dt.date(2026, 12, 31),
    )
    assert activity.offered_by == world.provider_admin.organisation
    assert activity.provider == "Opleider Vakwijs"
    [message] = mail.outbox
    assert message.to == [world.provider_admin.email]
    assert "erkend" in message.subject
    assert "4 PE-punten" in message.body
    # The provider sees it recognised; the staff catalogue lists it like any other activity.
    own = client_for(world.provider_admin.user).get(f"/aanbieder/activiteiten/{request.code}/")
    assert "Erkend met 4 PE-punten" in own.content.decode()
    assert request.title in staff.get("/register/leeractiviteiten/").content.decode()

    # A second decision finds nothing left to decide.
    again = staff.post(f"/register/accreditatie/{request.code}/afwijzen/", {"reason": "Toch niet."})
    assert again.status_code == 400
    assert "al besloten" in again.content.decode()
    assert LearningActivity.objects.filter(offered_by__isnull=False).count() == 1


def test_staff_reject_with_a_reason_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    request = factories.AccreditationRequestFactory.create(
        provider=world.provider_admin.organisation
    )
    staff = client_for(world.staff)
    empty = staff.post(f"/register/accreditatie/{request.code}/afwijzen/", {"reason": " "})
    assert empty.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            f"/register/accreditatie/{request.code}/afwijzen/",
            {"reason": "Geen toetsing opgenomen."},
        )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == AccreditationRequest.Status.REJECTED
    assert request.activity is None
    [message] = mail.outbox
    assert "afgewezen" in message.subject
    assert "Geen toetsing opgenomen." in message.body


@pytest.mark.parametrize(
    "data",
    [
        {"points": "101", "recognised_from": "01-03-2026"},
        {"points": "4", "recognised_from": "niet"},
        {"points": "4", "recognised_from": "01-03-2026", "recognised_until": "01-01-2026"},
    ],
)
def test_staff_garbage_is_a_400_and_nothing_is_recognised(
    world: World, data: dict[str, str]
) -> None:
    request = factories.AccreditationRequestFactory.create(
        provider=world.provider_admin.organisation
    )
    response = client_for(world.staff).post(
        f"/register/accreditatie/{request.code}/erkennen/", data
    )
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == AccreditationRequest.Status.SUBMITTED
    assert not LearningActivity.objects.exists()


def test_a_suspended_provider_is_not_recognised(world: World) -> None:
    request = factories.AccreditationRequestFactory.create(
        provider=world.provider_admin.organisation
    )
    Organisation.objects.filter(pk=request.provider_id).update(status=Organisation.Status.SUSPENDED)
    response = client_for(world.staff).post(
        f"/register/accreditatie/{request.code}/erkennen/",
        {"points": "4", "recognised_from": "01-03-2026"},
    )
    assert response.status_code == 400
    assert not LearningActivity.objects.exists()


def test_the_lists_cost_the_same_for_one_or_many_requests(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    provider = world.provider_admin.organisation
    factories.AccreditationRequestFactory.create(provider=provider)
    pages = [
        (client_for(world.provider_admin.user), "/aanbieder/activiteiten/"),
        (client_for(world.staff), "/register/accreditatie/"),
    ]
    few = []
    for client, url in pages:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        few.append(len(queries))
    factories.AccreditationRequestFactory.create_batch(15, provider=provider)
    many = []
    for client, url in pages:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        many.append(len(queries))
    assert many == few


def test_a_request_cannot_be_back_dated(world: World) -> None:
    """Review 15 F11: planned dates before today are refused with a clear message, and
    nothing is submitted (ASVS V5.1.4: a value checked against its allowed range)."""
    client = client_for(world.provider_admin.user)
    response = client.post(ADD, valid_form(planned_from="01-02-2026", planned_until=""))
    assert response.status_code == 400
    assert "‘Gepland vanaf’ ligt in het verleden" in response.content.decode()
    assert not AccreditationRequest.objects.exists()
    today = client.post(ADD, valid_form(planned_from="02-02-2026", planned_until=""))
    assert today.status_code == 302


def test_staff_recognise_from_the_request_onwards_not_before(world: World) -> None:
    """Review 15 F11: a recognition may start on the day the provider asked (the review may
    take longer than the planned start), never earlier: that would make attendance count for
    sessions held before anyone asked the register."""
    request = factories.AccreditationRequestFactory.create(
        provider=world.provider_admin.organisation, submitted_at=clock.now()
    )
    staff = client_for(world.staff)
    url = f"/register/accreditatie/{request.code}/erkennen/"
    early = staff.post(url, {"points": "4", "recognised_from": "01-02-2026"})
    assert early.status_code == 400
    assert "vóór de aanvraag" in early.content.decode()
    assert not LearningActivity.objects.exists()
    assert staff.post(url, {"points": "4", "recognised_from": "02-02-2026"}).status_code == 302
