"""The *Professionals* list selects a page's keys first and computes figures for those rows only.

The window total, the separate count (pages past the end) and the figures must agree with what
one query over every row gives.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from peregister.core import clock
from peregister.insight.listing import PAGE_SIZE, ListParams, professionals_page
from peregister.organisations.models import Contact
from peregister.registry.models import PePeriod
from tests import factories
from tests.conftest import World, client_for

URL = "/werkgever/professionals/"


def _add(contact: Contact, count: int) -> None:
    for index in range(count):
        registration = factories.RegistrationFactory()
        # An earlier period too: only the current one is a row, and it is counted once.
        start = clock.today() - dt.timedelta(days=30)
        factories.PePeriodFactory(
            registration=registration,
            start=start - dt.timedelta(days=730),
            end=start - dt.timedelta(days=1),
        )
        factories.PePeriodFactory(
            registration=registration, start=start, end=start + dt.timedelta(days=729)
        )
        factories.CompletionFactory(
            professional=registration.professional, points=index % 7 + 1, completed_on=start
        )
        factories.AccessGrantFactory(professional=registration.professional, contact=contact)


def _params(page: str = "1", **query: str) -> ListParams:
    data = QueryDict(mutable=True)
    data.update({"pagina": page, **query})
    return ListParams.from_query(data)


@pytest.mark.parametrize("sort", ["naam", "-punten", "punten", "-periode", "tot", "-register"])
def test_pages_together_are_the_whole_list_in_order(world: World, sort: str) -> None:
    _add(world.contact_live, PAGE_SIZE + 7)
    user, now = world.contact_live.user, clock.now()
    first = professionals_page(user, now, _params(sort=sort))
    second = professionals_page(user, now, _params(sort=sort, page="2"))
    assert first.total == second.total == PAGE_SIZE + 8  # with world.professional
    assert (first.page.number, first.page.num_pages, second.page.number) == (1, 2, 2)
    codes = [row.professional_code for row in first.rows + second.rows]
    assert len(set(codes)) == len(codes) == PAGE_SIZE + 8
    if sort == "-punten":
        points = [row.points_earned or 0 for row in first.rows + second.rows]
        assert None not in [row.points_earned for row in first.rows + second.rows]
        assert points == sorted(points, reverse=True)
    # The figures of every row equal the single-period computation.
    for row in first.rows + second.rows:
        period = PePeriod.objects.with_progress().get(
            registration_id=row.registration_id, start=row.period_start
        )
        assert row.points_earned == period.progress(clock.local_date(now)).points_earned


@pytest.mark.parametrize("page", ["0", "-3", "7", "abc"])
def test_past_the_end_and_garbage_pages_as_every_list(world: World, page: str) -> None:
    _add(world.contact_live, PAGE_SIZE)
    result = professionals_page(world.contact_live.user, clock.now(), _params(page=page))
    # Garbage, zero and negative: the first page; past the end: the last (core.pagination).
    expected = 2 if page == "7" else 1  # 51 rows: the last page is 2
    assert (result.page.number, result.page.num_pages, result.total) == (
        expected,
        2,
        PAGE_SIZE + 1,
    )
    assert len(result.rows) == (PAGE_SIZE if expected == 1 else 1)


def test_search_total_and_empty_list(world: World) -> None:
    _add(world.contact_live, 3)
    user, now = world.contact_live.user, clock.now()
    name = world.professional.last_name
    found = professionals_page(user, now, _params(q=name, page="9"))
    assert found.total == len(found.rows) >= 1
    assert found.page.number == found.page.num_pages == 1
    nobody = professionals_page(world.administrator.user, now, _params(page="4"))
    assert (nobody.page.number, nobody.page.num_pages, nobody.total, nobody.rows) == (1, 1, 0, [])


@pytest.mark.parametrize("query", [{}, {"sort": "-punten"}, {"pagina": "2"}, {"q": "a"}])
def test_each_page_kind_costs_the_same_queries_for_few_and_many_rows(
    world: World, query: dict[str, str]
) -> None:
    client = client_for(world.contact_live.user)

    def count() -> int:
        client.get(URL, query)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, query)
        assert response.status_code == 200
        assert re.search(r"professionals? gevonden", response.content.decode())
        return len(queries)

    _add(world.contact_live, PAGE_SIZE + 1)
    few = count()
    _add(world.contact_live, PAGE_SIZE * 2)
    assert count() == few
