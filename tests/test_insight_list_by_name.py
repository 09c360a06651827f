"""The *Professionals* list in name order (issue 12): a page is 50 professionals with all
their rows, picked first and counted from the grants alone; the pages together show exactly
the rows, in exactly the order, of the one pager (``row_keys``): professionals with several
registrations and without a current period included, both directions.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from peregister.access import policies
from peregister.core import clock
from peregister.insight.listing import PAGE_SIZE, ListParams, professionals_page
from peregister.reports.rows import RowOrder, row_keys
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _fill(world: World, count: int) -> None:
    other = factories.RegisterFactory(code="bo", name="Backofficeprofessional")
    start = clock.today() - dt.timedelta(days=30)
    for index in range(count):
        # Names that tie: the id decides, as in the row source.
        registration = factories.RegistrationFactory(professional__last_name=f"Naam{index % 7}")
        professional = registration.professional
        if index % 5 != 4:  # every fifth without any period: one *geen lopende* row
            factories.PePeriodFactory(
                registration=registration, start=start, end=start + dt.timedelta(days=729)
            )
        if index % 3 == 0:  # a second registration: two rows next to each other
            second = factories.RegistrationFactory(professional=professional, register=other)
            factories.PePeriodFactory(
                registration=second, start=start, end=start + dt.timedelta(days=729)
            )
        factories.AccessGrantFactory(professional=professional, contact=world.contact_live)


def _params(**query: str) -> ListParams:
    data = QueryDict(mutable=True)
    data.update(query)
    return ListParams.from_query(data)


@pytest.mark.parametrize("sort", ["naam", "-naam"])
def test_the_pages_in_name_order_are_the_pagers_rows_in_its_order(world: World, sort: str) -> None:
    _fill(world, PAGE_SIZE + 20)
    user, now = world.contact_live.user, clock.now()
    today = clock.local_date(now)
    grants = policies.live_grants_to_viewer(user, now)
    expected = row_keys(
        grants, today, offset=0, limit=1000, order=RowOrder.NAME, descending=sort == "-naam"
    )
    professionals = len({professional for professional, _ in expected})
    assert professionals < len(expected)  # some have two rows
    shown = []
    for number in ("1", "2"):
        page = professionals_page(user, now, _params(sort=sort, pagina=number))
        assert page.professionals == page.total == professionals
        assert page.page.num_pages == 2
        shown += [(row.professional_id, row.registration_id) for row in page.rows]
        # 50 professionals a page, each with all their rows (never split over two pages).
        assert len({row.professional_id for row in page.rows}) == min(
            PAGE_SIZE, professionals - PAGE_SIZE * (int(number) - 1)
        )
    assert shown == expected


def test_a_first_page_in_name_order_reads_only_its_own_professionals_rows(world: World) -> None:
    """Building rows is one statement per stream over the page's professionals: their grants
    and periods, never the whole list's (which is what made a large organisation slow)."""
    _fill(world, PAGE_SIZE * 3)
    user, now = world.contact_live.user, clock.now()
    with CaptureQueriesContext(connection) as captured:
        page = professionals_page(user, now, _params())
    assert len({row.professional_id for row in page.rows}) == PAGE_SIZE
    # The page's professionals are named: the row streams read those, not every grant.
    named = [q["sql"] for q in captured.captured_queries if " IN (" in q["sql"]]
    assert named, "the rows are read for the page's professionals by id"
