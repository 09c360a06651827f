"""The one row generator behind the rapportage (screen, XLSX, CSV, CLI)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.access import policies
from peregister.backoffice.renewals import reject_renewal
from peregister.core import clock
from peregister.reports.rows import NO_PERIOD, ReportRow, report_rows, row_count
from tests import factories
from tests.conftest import World


def _rows(world: World, at: dt.datetime | None = None) -> list[ReportRow]:
    return list(
        report_rows(policies.report_scope_or_404(world.administrator.user, at or clock.now()))
    )


def test_one_row_with_the_period_figures_of_a_live_grant(world: World) -> None:
    factories.CompletionFactory(professional=world.professional, points=5)
    [row] = _rows(world)
    period = world.professional.registrations.get().periods.get()
    assert row.name == world.professional.full_name
    assert row.registration_number == world.professional.registration_number
    assert row.register == "Uitzendprofessional"
    assert (row.period_start, row.period_end) == (period.start, period.end)
    assert (row.points_earned, row.points_required) == (5, 12)
    assert row.status in {"on_track", "behind"}
    assert row.status_label in {"op schema", "achter"}
    assert row.dossier_submitted is False
    assert row.submitted_on is None
    # Only the live grant's contact: the expired and revoked grants are not in the report.
    assert row.contacts == "Regiomanager"
    assert row.authorised_until is None


def test_several_contacts_in_one_cell_and_the_latest_end_date(world: World) -> None:
    world.professional.grants.filter(contact=world.contact_live).update(
        valid_until=dt.date(2099, 6, 30)
    )
    factories.AccessGrantFactory(
        professional=world.professional,
        contact=world.administrator,
        valid_until=dt.date(2099, 12, 31),
    )
    [row] = _rows(world)
    assert row.contacts == "HR De Brug, Regiomanager"
    assert row.authorised_until == dt.date(2099, 12, 31)
    factories.AccessGrantFactory(professional=world.professional, contact=world.deputy)
    [row] = _rows(world)
    assert row.authorised_until is None  # one grant without end date: without end


def test_one_row_per_registration_and_a_row_without_period(world: World) -> None:
    backoffice = factories.RegisterFactory(code="bo", name="Backofficeprofessional")
    registration = factories.RegistrationFactory(
        professional=world.professional, register=backoffice
    )
    factories.PePeriodFactory(registration=registration)
    unregistered = factories.ProfessionalFactory(last_name="Zonderperiode")
    factories.AccessGrantFactory(professional=unregistered, contact=world.deputy)
    rows = _rows(world)
    assert [(r.name, r.register) for r in rows] == [
        (world.professional.full_name, "Backofficeprofessional"),
        (world.professional.full_name, "Uitzendprofessional"),
        (unregistered.full_name, ""),
    ]
    assert rows[2].status == NO_PERIOD
    assert rows[2].period_start is None
    assert row_count(policies.report_grants(world.administrator.user), clock.today()) == 3


def test_rows_are_sorted_by_name(world: World) -> None:
    for last_name in ["Zwart", "Appel", "Mulder"]:
        registration = factories.RegistrationFactory(
            professional=factories.ProfessionalFactory(last_name=last_name)
        )
        factories.PePeriodFactory(registration=registration)
        factories.AccessGrantFactory(professional=registration.professional, contact=world.deputy)
    names = [row.name.split()[-1] for row in _rows(world)]
    assert names == sorted(names)


def test_renewal_submission_yes_with_date_and_rejected_counts_as_no(world: World) -> None:
    period = world.professional.registrations.get().periods.get()
    submitted_at = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # 2 March in Amsterdam
    renewal = factories.RenewalSubmissionFactory(period=period, submitted_at=submitted_at)
    [row] = _rows(world)
    assert row.dossier_submitted is True
    assert row.submitted_on == dt.date(2026, 3, 2)
    reject_renewal(actor=world.staff, renewal=renewal, reason="Onvolledig.")
    [row] = _rows(world)
    assert row.dossier_submitted is False


def test_one_snapshot_time_later_changes_do_not_count(world: World) -> None:
    at = clock.now()
    grant = world.professional.grants.get(contact=world.contact_live)
    grant.revoked_at = at + dt.timedelta(seconds=1)
    grant.save()
    newcomer = factories.ProfessionalFactory()
    factories.AccessGrantFactory(
        professional=newcomer, contact=world.deputy, granted_at=at + dt.timedelta(seconds=1)
    )
    assert [row.name for row in _rows(world, at)] == [world.professional.full_name]
    later = at + dt.timedelta(seconds=2)
    assert [row.name for row in _rows(world, later)] == [newcomer.full_name]


def test_only_beheerder_and_deputy_get_rows_and_only_their_own(world: World) -> None:
    at = clock.now()
    assert list(report_rows(policies.report_scope_or_404(world.deputy.user, at))) == _rows(world)
    for persona in ["contact_live", "professional", "staff", "anonymous"]:
        # No report scope: the report pages answer 404 (test_permission_matrix).
        assert policies.report_scope(world.personas()[persona], at) is None, persona
    other = policies.report_scope_or_404(world.other_org_admin.user, at)
    assert other.organisation == world.other_org_admin.organisation
    assert list(report_rows(other)) == []


def test_suspended_organisation_has_no_report(world: World) -> None:
    world.organisation.status = world.organisation.Status.SUSPENDED
    world.organisation.save()
    assert policies.report_scope(world.administrator.user) is None
    assert not policies.report_grants(world.administrator.user).exists()


def _add(world: World, count: int) -> None:
    for index in range(count):
        registration = factories.RegistrationFactory()
        period = factories.PePeriodFactory(registration=registration)
        factories.CompletionFactory(professional=registration.professional, points=index % 4)
        factories.RenewalSubmissionFactory(period=period)
        factories.AccessGrantFactory(professional=registration.professional, contact=world.deputy)
        factories.AccessGrantFactory(
            professional=registration.professional, contact=world.contact_live
        )


def _queries(world: World, expected: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert len(_rows(world)) == expected
    return len(captured)


def test_query_count_does_not_grow_with_rows(world: World) -> None:
    _add(world, 2)
    # A request loads the user's roles before the report (accounts.backends); here the first
    # call does, and caches the user's (absent) professional record.
    _rows(world)
    few = _queries(world, 3)
    _add(world, 27)
    assert _queries(world, 30) == few


def test_streams_merge_correctly_across_many_small_chunks(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small chunks make both cursors fetch several times, interleaved, as in a large report.
    monkeypatch.setattr("peregister.reports.rows.CHUNK_SIZE", 2)
    registers = {
        "Backofficeprofessional": factories.RegisterFactory(
            code="bo", name="Backofficeprofessional"
        ),
        "Uitzendprofessional": factories.RegisterFactory(),
    }
    expected: list[tuple[str, str]] = [(world.professional.full_name, "Uitzendprofessional")]
    for index in range(7):
        professional = factories.ProfessionalFactory(last_name=f"Zz{index}")
        factories.AccessGrantFactory(professional=professional, contact=world.deputy)
        factories.AccessGrantFactory(professional=professional, contact=world.contact_live)
        # None, one or two registrations: no-period rows and multi-row groups in between.
        names = sorted(registers)[: index % 3]
        for name in names:
            registration = factories.RegistrationFactory(
                professional=professional, register=registers[name]
            )
            factories.PePeriodFactory(registration=registration)
        expected.extend((professional.full_name, name) for name in names or [""])
    assert [(row.name, row.register) for row in _rows(world)] == expected
