"""Back-office lists use a constant number of SQL queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.registry.models import Registration
from tests import factories
from tests.conftest import World, client_for


def add_rows(count: int) -> None:
    for _ in range(count):
        activity = factories.LearningActivityFactory()
        period = factories.PePeriodFactory(start=dt.date(2020, 1, 1), end=dt.date(2021, 12, 31))
        factories.CompletionFactory(
            professional=period.registration.professional,
            activity=activity,
            completed_on=dt.date(2021, 1, 1),
        )
        factories.RenewalSubmissionFactory(period=period)
        factories.SelfReportFactory()
    Registration.objects.filter(periods__start=dt.date(2020, 1, 1)).update(
        status=Registration.Status.LAPSED
    )


def queries_and_rows(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode().count("<tr")


@pytest.mark.parametrize(
    "url",
    [
        "/register/leeractiviteiten/",
        "/register/verlengingen/",
        "/register/eigen-activiteiten/",
        "/register/registraties/vervallen/",
    ],
)
def test_list_queries_do_not_grow_with_rows(world: World, url: str) -> None:
    client = client_for(world.staff)
    add_rows(2)
    few, few_rows = queries_and_rows(client, url)
    add_rows(10)
    many, many_rows = queries_and_rows(client, url)
    assert many_rows == few_rows + 10  # the rows are really listed
    assert many == few
