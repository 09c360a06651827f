"""The access rule (DESIGN.md §2) over personas and time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import Http404

from peregister.access import policies
from peregister.accounts.backends import UserWithRolesBackend
from peregister.core import clock
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World

AMS = clock.AMSTERDAM


def visible(user, professional, at=None) -> bool:
    return policies.professionals_visible_to(user, at).filter(pk=professional.pk).exists()


EXPECTED = {
    "anonymous": False,
    "professional": True,
    "contact_live": True,
    "contact_expired": False,
    "contact_revoked": False,
    "other_org_admin": False,
    "deputy": False,  # no grant to the deputy's own contact: the report is not the dossier
    "administrator": False,
    "staff": False,  # staff use the separate back-office clause
    "provider_admin": False,  # a provider never sees a dossier (test_provider_accounts.py)
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_who_sees_the_dossier(world: World, persona: str) -> None:
    user = world.personas()[persona]
    assert visible(user, world.professional) is EXPECTED[persona]


@pytest.mark.parametrize("persona", EXPECTED)
def test_yes_no_check_agrees_with_queryset(world: World, persona: str) -> None:
    user = world.personas()[persona]
    for professional in (world.professional, world.other_professional):
        in_queryset = professional in set(policies.professionals_visible_to(user))
        assert policies.can_view_dossier(user, professional) is in_queryset


def test_nobody_sees_an_unrelated_professional(world: World) -> None:
    for persona, user in world.personas().items():
        assert not visible(user, world.other_professional), persona


def test_end_date_is_inclusive_in_amsterdam(db: None) -> None:
    end = dt.date(2026, 3, 10)
    grant = factories.AccessGrantFactory(
        valid_until=end, granted_at=dt.datetime(2026, 1, 1, tzinfo=AMS)
    )
    viewer, professional = grant.contact.user, grant.professional
    # 23:30 in Amsterdam on the end date is 22:30 UTC: still visible.
    assert visible(viewer, professional, dt.datetime(2026, 3, 10, 23, 30, tzinfo=AMS))
    # 00:30 in Amsterdam the day after is still 10 March in UTC: no longer visible.
    assert not visible(viewer, professional, dt.datetime(2026, 3, 11, 0, 30, tzinfo=AMS))


def test_end_date_today_and_yesterday(db: None) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=AMS), tick=False):
        today_grant = factories.AccessGrantFactory(valid_until=clock.today())
        yesterday_grant = factories.AccessGrantFactory(
            valid_until=clock.today() - dt.timedelta(days=1)
        )
        assert visible(today_grant.contact.user, today_grant.professional)
        assert not visible(yesterday_grant.contact.user, yesterday_grant.professional)


def test_revocation_is_not_retroactive(db: None) -> None:
    revoked_at = dt.datetime(2026, 5, 1, 12, 0, tzinfo=AMS)
    grant = factories.AccessGrantFactory(
        granted_at=revoked_at - dt.timedelta(days=30), revoked_at=revoked_at
    )
    viewer, professional = grant.contact.user, grant.professional
    assert visible(viewer, professional, revoked_at - dt.timedelta(seconds=1))
    assert not visible(viewer, professional, revoked_at)


def test_grant_does_not_act_before_it_was_given(db: None) -> None:
    granted_at = dt.datetime(2026, 5, 1, 12, 0, tzinfo=AMS)
    grant = factories.AccessGrantFactory(granted_at=granted_at)
    assert not visible(grant.contact.user, grant.professional, granted_at - dt.timedelta(hours=1))
    assert visible(grant.contact.user, grant.professional, granted_at)


@pytest.mark.parametrize(
    "status",
    [Organisation.Status.REQUESTED, Organisation.Status.SUSPENDED, Organisation.Status.REJECTED],
)
def test_only_authorised_organisations_see_dossiers(db: None, status: str) -> None:
    grant = factories.AccessGrantFactory(contact__organisation__status=status)
    assert not visible(grant.contact.user, grant.professional)


def test_inactive_contact_sees_nothing(db: None) -> None:
    grant = factories.AccessGrantFactory(contact__active=False)
    assert not visible(grant.contact.user, grant.professional)


def test_get_or_404_hides_unknown_and_forbidden_alike(world: World) -> None:
    viewer = world.contact_live.user
    assert policies.get_visible_professional_or_404(viewer, world.professional.code)
    for code in (
        world.other_professional.code,
        "not-a-uuid",
        "00000000-0000-0000-0000-000000000000",
    ):
        with pytest.raises(Http404):
            policies.get_visible_professional_or_404(viewer, code)


def test_report_is_for_administrator_and_deputy_only(world: World) -> None:
    for persona in ("administrator", "deputy"):
        user = world.personas()[persona]
        scope = policies.report_scope(user)
        assert scope is not None
        assert (scope.organisation, scope.contact) == (world.organisation, getattr(world, persona))
        assert list(policies.report_professionals(user)) == [world.professional]
    for persona in ("contact_live", "professional", "staff", "anonymous"):
        user = world.personas()[persona]
        assert policies.report_scope(user) is None
        assert not policies.report_professionals(user).exists()
    assert not policies.report_professionals(world.other_org_admin.user).exists()


def test_report_counts_only_live_grants(world: World) -> None:
    # Expired and revoked grants of the same organisation do not add a second row.
    grants = policies.report_grants(world.administrator.user)
    assert [g.contact for g in grants] == [world.contact_live]


def test_inactive_deputy_gets_no_report(world: World) -> None:
    Contact.objects.filter(pk=world.deputy.pk).update(active=False)
    # As the next request loads the user (with its contact).
    deputy = UserWithRolesBackend().get_user(world.deputy.user.pk)
    assert policies.report_scope(deputy) is None
    with pytest.raises(Http404):
        policies.report_scope_or_404(deputy)


def test_staff_clause_is_separate(world: World) -> None:
    assert policies.get_staff_professional_or_404(world.staff, world.professional.code)
    with pytest.raises(Http404):
        policies.get_staff_professional_or_404(world.contact_live.user, world.professional.code)
