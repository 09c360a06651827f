"""The rapportage on screen: summary and pages picked in SQL, the same rows as the files."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.access import policies
from peregister.core import clock
from peregister.reports import screen
from peregister.reports.rows import NO_PERIOD, ReportRow, report_rows
from tests import factories
from tests.conftest import World


def _mixed_report(world: World, *, without_period: bool = True) -> None:
    """Professionals with zero (if ``without_period``), one and two registrations, mixed."""
    backoffice = factories.RegisterFactory(code="bo", name="Backofficeprofessional")
    registers = [factories.RegisterFactory(), backoffice]
    for index in range(11):
        professional = factories.ProfessionalFactory(last_name=f"Mengsel{index % 4}")
        factories.AccessGrantFactory(professional=professional, contact=world.deputy)
        if index % 2:
            factories.AccessGrantFactory(professional=professional, contact=world.contact_live)
        for register in registers[: index % 3 or (0 if without_period else 1)]:
            registration = factories.RegistrationFactory(
                professional=professional, register=register
            )
            factories.PePeriodFactory(registration=registration)
            factories.CompletionFactory(professional=professional, points=index)


@pytest.mark.parametrize("without_period", [True, False])
@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 50])
def test_pages_together_are_exactly_the_rows_of_the_files(
    world: World, monkeypatch: pytest.MonkeyPatch, page_size: int, without_period: bool
) -> None:
    monkeypatch.setattr(screen, "PAGE_SIZE", page_size)
    _mixed_report(world, without_period=without_period)
    at = clock.now()
    expected: list[ReportRow] = list(
        report_rows(policies.report_scope_or_404(world.administrator.user, at))
    )
    assert any(row.status == NO_PERIOD for row in expected) is without_period
    first = screen.screen_report(policies.report_scope_or_404(world.administrator.user, at), 1)
    assert first.total == len(expected)
    assert first.page.num_pages == -(-len(expected) // page_size)
    pages = [first.rows] + [
        screen.screen_report(
            policies.report_scope_or_404(world.administrator.user, at), number
        ).rows
        for number in range(2, first.page.num_pages + 1)
    ]
    assert all(len(rows) == page_size for rows in pages[:-1])
    assert [row for rows in pages for row in rows] == expected
    # Past the end: the last page.
    beyond = screen.screen_report(
        policies.report_scope_or_404(world.administrator.user, at), first.page.num_pages + 5
    )
    assert beyond.page.number == first.page.num_pages
    assert beyond.rows == pages[-1]


def test_summary_counts_every_row_once(world: World) -> None:
    _mixed_report(world)
    at = clock.now()
    rows = Counter(
        row.status
        for row in report_rows(policies.report_scope_or_404(world.administrator.user, at))
    )
    report = screen.screen_report(policies.report_scope_or_404(world.administrator.user, at), 1)
    assert {item.status: item.count for item in report.statuses if item.count} == dict(rows)
    assert rows[NO_PERIOD] > 0
    assert report.total == sum(rows.values())
    assert sum(item.count for item in report.statuses) == report.total


def test_an_empty_report_has_one_empty_page(world: World) -> None:
    report = screen.screen_report(
        policies.report_scope_or_404(world.other_org_admin.user, clock.now()), 3
    )
    assert (report.total, report.rows, report.page.number, report.page.num_pages) == (0, [], 1, 1)
    assert all(item.count == 0 and item.percent == 0 for item in report.statuses)


def test_screen_queries_do_not_depend_on_the_page(world: World) -> None:
    _mixed_report(world)
    at = clock.now()

    def queries(number: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            screen.screen_report(policies.report_scope_or_404(world.administrator.user, at), number)
        return len(captured)

    # A request loads the user's roles before the report (accounts.backends); here the first
    # call does, and caches the user's (absent) professional record.
    queries(1)
    assert queries(1) == queries(2) == queries(99)
