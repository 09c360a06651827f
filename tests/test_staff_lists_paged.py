"""Staff lists show 50 rows a page and count only the rows they list, whatever the table size.

A page of 50 never reads every row's figures: the count is a bare count of the list's filter,
and the figures (points, registrations) are computed for the page's rows only.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.registry.models import Registration
from tests import factories
from tests.conftest import World, client_for
from tests.test_backoffice_queries import add_rows

LISTS = {
    "activities": "/register/leeractiviteiten/",
    "renewals": "/register/verlengingen/",
    "self_reports": "/register/eigen-activiteiten/",
    "lapsed": "/register/registraties/vervallen/",
}
# The caption's number: "55 ingediende dossiers", "55 leeractiviteiten", ...
CAPTION = re.compile(r"<caption>\s*(\d+) ")


def body_rows(html: str) -> int:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr")


@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
def test_a_long_list_is_cut_in_pages_of_fifty_with_the_whole_count(world: World, url: str) -> None:
    client = client_for(world.staff)
    add_rows(55)
    first = client.get(url).content.decode()
    total = int(CAPTION.search(first).group(1))  # type: ignore[union-attr]
    assert total >= 55
    assert body_rows(first) == 50
    assert 'rel="next"' in first
    last_page = -(-total // 50)
    last = client.get(f"{url}?pagina={last_page}").content.decode()
    assert body_rows(last) == total - 50 * (last_page - 1)
    assert 'rel="next"' not in last
    # Past the end is the last page; garbage is the first (never a 404 or 500).
    assert body_rows(client.get(f"{url}?pagina=999").content.decode()) == body_rows(last)
    assert body_rows(client.get(f"{url}?pagina=%C2%B2").content.decode()) == 50


@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
def test_a_page_costs_the_same_queries_for_sixty_rows_and_for_two_hundred(
    world: World, url: str
) -> None:
    client = client_for(world.staff)
    add_rows(60)
    client.get(url)
    with CaptureQueriesContext(connection) as fewer:
        client.get(f"{url}?pagina=2")
    add_rows(140)
    with CaptureQueriesContext(connection) as more:
        client.get(f"{url}?pagina=2")
    assert len(more.captured_queries) == len(fewer.captured_queries)


@pytest.mark.parametrize("url", LISTS.values(), ids=LISTS.keys())
def test_the_count_reads_no_points_or_completions(world: World, url: str) -> None:
    """The count of a 50-row page is a bare count: no sum of points, no count of completions."""
    client = client_for(world.staff)
    add_rows(55)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Django's .count(): SELECT COUNT(*) AS "__count" FROM ...
    counts = [q["sql"] for q in captured.captured_queries if '"__count"' in q["sql"]]
    assert counts, "a full first page counts the list"
    for sql in counts:
        assert "registry_completion" not in sql, sql
        assert "SUM(" not in sql.upper(), sql


def test_the_activity_list_counts_registrations_of_the_page_only(world: World) -> None:
    activity = factories.LearningActivityFactory(title="AAA eerste")
    for day in range(3):
        factories.CompletionFactory(activity=activity, completed_on=dt.date(2021, 1, 1 + day))
    page = client_for(world.staff).get("/register/leeractiviteiten/?q=AAA+eerste").content.decode()
    row = page.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "AAA eerste" in row
    assert re.search(r'class="num">3</td>\s*$', row), row


def test_lapsed_registrations_are_newest_lapsed_first_across_pages(world: World) -> None:
    add_rows(55)
    lapsed = list(
        Registration.objects.filter(status=Registration.Status.LAPSED).order_by(
            "-status_changed_at", "id"
        )
    )
    client = client_for(world.staff)
    second = client.get("/register/registraties/vervallen/?pagina=2").content.decode()
    assert lapsed[50].professional.full_name in second
    assert lapsed[49].professional.full_name not in second
