"""Leeractiviteiten: catalogue search and filters, recognise, edit, end recognition."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from peregister.audit.models import AuditEvent
from peregister.backoffice.activities import (
    ActivityData,
    end_recognition,
    update_activity,
)
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.organisations.models import Organisation
from peregister.registry.models import LearningActivity
from tests import factories
from tests.conftest import World, client_for

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


def valid_post(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Arbeidsrecht actueel",
        "provider": "SEU Academie",
        "kind": "workshop",
        "points": "3",
        "recognised_from": "2026-01-01",
        "recognised_until": "",
        "organisation": "",
    }
    data.update(overrides)
    return data


def test_staff_recognise_an_activity(world: World) -> None:
    response = client_for(world.staff).post("/register/leeractiviteiten/nieuw/", valid_post())
    activity = LearningActivity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/register/leeractiviteiten/{activity.code}/"
    assert (activity.title, activity.points, activity.recognised_until) == (
        "Arbeidsrecht actueel",
        3,
        None,
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACTIVITY_SAVED)
    assert event.actor == world.staff
    assert event.data["change"] == "created"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"points": "-1"}, "kan niet negatief zijn"),
        ({"points": "101"}, "Meer dan 100 PE-punten"),
        ({"points": "drie"}, "Vul een heel getal in."),
        ({"title": ""}, "Vul de titel in."),
        ({"kind": "webinar"}, "Kies een soort uit de lijst."),
        ({"recognised_from": "31-02-2026"}, "Vul een geldige datum in"),
        ({"recognised_until": "2025-12-31"}, "ligt vóór"),
        ({"organisation": "not-a-code"}, "Kies een geautoriseerde organisatie."),
    ],
)
def test_bad_activity_input_is_refused(world: World, overrides, message) -> None:
    response = client_for(world.staff).post(
        "/register/leeractiviteiten/nieuw/", valid_post(**overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LearningActivity.objects.exists()


def test_in_company_activity_belongs_to_an_authorised_organisation(world: World) -> None:
    client = client_for(world.staff)
    code = str(world.organisation.code)
    refused = client.post(
        "/register/leeractiviteiten/nieuw/", valid_post(kind="workshop", organisation=code)
    )
    assert refused.status_code == 400
    assert "Alleen een in-company activiteit" in refused.content.decode()
    requested = factories.OrganisationFactory(status=Organisation.Status.REQUESTED)
    refused = client.post(
        "/register/leeractiviteiten/nieuw/",
        valid_post(kind="in_company", organisation=str(requested.code)),
    )
    assert refused.status_code == 400
    accepted = client.post(
        "/register/leeractiviteiten/nieuw/", valid_post(kind="in_company", organisation=code)
    )
    assert accepted.status_code == 302
    assert LearningActivity.objects.get().organisation == world.organisation


def test_catalogue_search_and_filters(world: World) -> None:
    factories.LearningActivityFactory(title="Arbeidsrecht actueel", provider="SEU Academie")
    factories.LearningActivityFactory(
        title="Privacy en AVG", provider="Flexleren", kind=LearningActivity.Kind.E_LEARNING
    )
    factories.LearningActivityFactory(
        title="Oude cursus", recognised_until=dt.date(2025, 12, 31), kind="course"
    )
    client = client_for(world.staff)

    def titles(query: str) -> list[str]:
        response = client.get(f"/register/leeractiviteiten/{query}")
        assert response.status_code == 200
        return [a.title for a in response.context["listed"].rows]

    assert titles("") == ["Arbeidsrecht actueel", "Oude cursus", "Privacy en AVG"]
    assert titles("?q=flexleren") == ["Privacy en AVG"]
    assert titles("?q=arbeid") == ["Arbeidsrecht actueel"]
    assert titles("?kind=e_learning") == ["Privacy en AVG"]
    assert titles("?recognised=ja") == ["Arbeidsrecht actueel", "Privacy en AVG"]
    assert titles("?recognised=nee") == ["Oude cursus"]


def test_garbage_filters_are_a_client_error(world: World) -> None:
    response = client_for(world.staff).get(
        "/register/leeractiviteiten/?kind=x&recognised=misschien"
    )
    assert response.status_code == 400
    assert "Kies een soort uit de lijst." in response.content.decode()


def test_edit_changes_the_catalogue_but_not_registered_history(world: World) -> None:
    activity = factories.LearningActivityFactory(points=2, recognised_from=dt.date(2026, 1, 1))
    completion = factories.CompletionFactory(activity=activity, completed_on=TODAY)
    response = client_for(world.staff).post(
        f"/register/leeractiviteiten/{activity.code}/wijzigen/", valid_post(points="4")
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    completion.refresh_from_db()
    assert activity.points == 4
    assert completion.points == 2


def test_recognition_cannot_be_narrowed_past_registered_attendance(world: World) -> None:
    activity = factories.LearningActivityFactory(recognised_from=dt.date(2026, 1, 1))
    factories.CompletionFactory(activity=activity, completed_on=dt.date(2026, 3, 1))
    data = ActivityData(
        title="x",
        provider="y",
        kind="workshop",
        points=2,
        recognised_from=dt.date(2026, 4, 1),
        recognised_until=None,
        organisation=None,
    )
    with pytest.raises(Refused) as refused:
        update_activity(actor=world.staff, activity=activity, data=data)
    assert refused.value.field == "recognised_from"
    with pytest.raises(Refused):
        end_recognition(actor=world.staff, activity=activity, last_day=dt.date(2026, 2, 1))
    activity.refresh_from_db()
    assert activity.recognised_until is None


def test_end_recognition(world: World) -> None:
    activity = factories.LearningActivityFactory(recognised_from=dt.date(2026, 1, 1))
    client = client_for(world.staff)
    response = client.post(
        f"/register/leeractiviteiten/{activity.code}/beeindigen/", {"last_day": "2026-06-15"}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.recognised_until == TODAY
    assert not activity.is_recognised_on(TODAY + dt.timedelta(days=1))
    # Ending again later than the current end is refused: it would extend recognition.
    again = client.post(
        f"/register/leeractiviteiten/{activity.code}/beeindigen/", {"last_day": "2026-07-01"}
    )
    assert again.status_code == 400
    assert "eindigt al op 15 juni 2026" in again.content.decode()
    before_start = client.post(
        f"/register/leeractiviteiten/{activity.code}/beeindigen/", {"last_day": "2025-01-01"}
    )
    assert before_start.status_code == 400
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACTIVITY_SAVED).count() == 1


def test_detail_lists_registered_attendance(world: World) -> None:
    activity = factories.LearningActivityFactory(recognised_from=dt.date(2026, 1, 1))
    factories.CompletionFactory(
        activity=activity, professional=world.professional, completed_on=TODAY
    )
    body = client_for(world.staff).get(f"/register/leeractiviteiten/{activity.code}/")
    assert world.professional.full_name in body.content.decode()
    assert "Laatste 1 registratie" in body.content.decode()


def test_unknown_activity_code_is_404(world: World) -> None:
    client = client_for(world.staff)
    response = client.get("/register/leeractiviteiten/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert client.get("/register/leeractiviteiten/123/").status_code == 404
