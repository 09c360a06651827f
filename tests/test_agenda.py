"""*Scholingsagenda*: recognised activities with upcoming sessions, searchable, public."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peregister.core import clock
from peregister.registry.models import LearningActivity, Session
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_june() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


def run(title: str, day: dt.date, *, until: dt.date | None = None, kind: str = "course") -> Session:
    activity = LearningActivity.objects.create(
        title=title,
        provider="Opleider Vakwijs",
        kind=kind,
        points=4,
        recognised_from=dt.date(2026, 1, 1),
        recognised_until=until,
        offered_by=factories.ProviderFactory.create(),
    )
    return Session.objects.create(
        activity=activity, starts_on=day, ends_on=day, location="Utrecht", created_at=clock.now()
    )


def test_upcoming_sessions_of_recognised_activities_are_listed_and_searchable() -> None:
    run("Arbeidsrecht", dt.date(2026, 7, 1))
    run("Verleden cursus", dt.date(2026, 6, 1))
    run("Niet meer erkend", dt.date(2026, 9, 1), until=dt.date(2026, 8, 1))
    run("Online leren", dt.date(2026, 7, 2), kind="e_learning")
    body = Client().get("/scholingsagenda/").content.decode()
    assert "Arbeidsrecht" in body
    assert "Online leren" in body
    assert "Verleden cursus" not in body
    assert "Niet meer erkend" not in body
    found = Client().get("/scholingsagenda/?q=arbeids").content.decode()
    assert "Arbeidsrecht" in found
    assert "Online leren" not in found
    by_kind = Client().get("/scholingsagenda/?kind=e_learning").content.decode()
    assert "Online leren" in by_kind
    assert "Arbeidsrecht" not in by_kind


def test_a_suspended_providers_sessions_are_no_longer_advertised() -> None:
    """Review 15 F5: the agenda shows only what an authorised provider (or the staff
    catalogue) offers."""
    from peregister.organisations.models import Organisation

    shown = run("Arbeidsrecht", dt.date(2026, 7, 1))
    suspended = run("Geschorst aanbod", dt.date(2026, 7, 1))
    Organisation.objects.filter(pk=suspended.activity.offered_by_id).update(
        status=Organisation.Status.SUSPENDED
    )
    staff = run("Catalogus", dt.date(2026, 7, 1))
    LearningActivity.objects.filter(pk=staff.activity_id).update(offered_by=None)
    body = Client().get("/scholingsagenda/").content.decode()
    assert shown.activity.title in body
    assert "Catalogus" in body
    assert "Geschorst aanbod" not in body


@pytest.mark.parametrize("query", ["?kind=feest", "?q=" + "x" * 200, "?pagina=-3&kind=%00"])
def test_garbage_is_a_400_never_a_500(query: str) -> None:
    assert Client().get("/scholingsagenda/" + query).status_code == 400


def test_the_agenda_costs_the_same_for_one_or_many_sessions() -> None:
    run("Eerste", dt.date(2026, 7, 1))
    with CaptureQueriesContext(connection) as few:
        Client().get("/scholingsagenda/")
    for n in range(20):
        run(f"Cursus {n}", dt.date(2026, 7, 2))
    with CaptureQueriesContext(connection) as many:
        Client().get("/scholingsagenda/")
    assert len(many) == len(few)
