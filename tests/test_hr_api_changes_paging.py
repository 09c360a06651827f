"""Review 1516 F1: the HR API's ``changes`` feed serves every change exactly once, however small
its pages, also when a source repeats a (moment, professional) position: a professional who
grants two contacts until the same day, two registrations whose periods begin or end on one
day, grants given in one moment (ASVS V4.1.3: a grant's end must reach the HR system as a
``visible: false`` entry, or it keeps showing someone whose consent ended)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine

from peregister.access import policies
from peregister.core import clock
from peregister.reports.changes import EPOCH, Position, changes_page, positions
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=clock.AMSTERDAM)
LATER = T0 + dt.timedelta(days=40)


def _served(world: World, after: Position, limit: int) -> list[Position]:
    """Walk the feed from ``after`` with pages of ``limit``: every entry served."""
    scope = policies.report_scope_or_404(world.administrator.user, clock.now())
    seen: list[Position] = []
    for _ in range(500):
        page = changes_page(scope, after, limit)
        seen += [(c.changed_at, c.professional_id) for c in page.changes]
        after = page.cursor
        if not page.has_more:
            return seen
    raise AssertionError("the feed never ended")


def _walk_positions(world: World, limit: int) -> list[Position]:
    scope = policies.report_scope_or_404(world.administrator.user, clock.now())
    after: Position = (EPOCH, 0)
    taken: list[Position] = []
    for _ in range(2000):
        page, more = positions(scope, after, limit)
        taken += page
        if page:
            after = page[-1]
        if not more:
            return taken
    raise AssertionError("the feed never ended")


def _random_history(world: World, seed: int) -> None:
    """Professionals with 0-3 grants (same moments, same end days, some revoked) to contacts
    of the organisation, and 1-2 registrations whose periods share start and end days."""
    rng = random.Random(seed)
    contacts = [world.administrator, world.deputy, world.contact_live, world.contact_expired]
    registers = [
        factories.RegisterFactory(),
        factories.RegisterFactory(code="bp", name="Backofficeprofessional"),
    ]
    moments = [T0 + dt.timedelta(minutes=rng.randrange(3)) for _ in range(3)]
    days = [T0.date() + dt.timedelta(days=d) for d in (1, 2, 3)]
    with time_machine.travel(T0, tick=False):
        for n in range(14):
            person = factories.ProfessionalFactory(last_name=f"R{seed}-{n}")
            for contact in rng.sample(contacts, rng.randrange(4)):
                revoked = rng.random() < 0.3
                factories.AccessGrantFactory(
                    professional=person,
                    contact=contact,
                    granted_at=rng.choice(moments),
                    valid_until=rng.choice([None, *days]),
                    revoked_at=rng.choice(moments) + dt.timedelta(hours=1) if revoked else None,
                )
            for register in rng.sample(registers, rng.randrange(1, 3)):
                registration = factories.RegistrationFactory(professional=person, register=register)
                start = rng.choice(days)
                factories.PePeriodFactory(
                    registration=registration,
                    start=start,
                    end=start + dt.timedelta(days=rng.choice((5, 6))),
                )


@pytest.mark.parametrize("seed", range(4))
def test_every_change_is_served_exactly_once_whatever_the_page_size(
    world: World, seed: int
) -> None:
    _random_history(world, seed)
    with time_machine.travel(LATER, tick=False):
        everything = _walk_positions(world, 100_000)  # one page: nothing cut
        assert len(everything) == len(set(everything)) > 20
        assert everything == sorted(everything)
        for limit in (1, 2, 3, 7):
            assert _walk_positions(world, limit) == everything, f"limit {limit}"
            served = _served(world, (EPOCH, 0), limit)
            # Each entry is a position of its page (the professional's latest), never twice.
            assert len(served) == len(set(served))
            assert set(served) <= set(everything)
            if limit == 1:
                assert served == everything
            for moment, pid in everything:
                assert any(p == pid and at >= moment for at, p in served), (limit, moment, pid)


@pytest.mark.parametrize("limit", [2, 100])
def test_no_change_is_lost_when_a_source_repeats_a_position(world: World, limit: int) -> None:
    """One professional with ``limit + 1`` grants ending one day, and another professional's
    grant ending that day: the second one's end is served."""
    ended = dt.date(2026, 3, 7)
    contacts = [world.administrator, world.deputy, world.contact_live]
    with time_machine.travel(T0, tick=False):
        twice = factories.ProfessionalFactory(last_name="Tweemaal")
        for i in range(limit + 1):
            contact = (
                contacts[i]
                if i < len(contacts)
                else factories.ContactFactory(organisation=world.administrator.organisation)
            )
            factories.AccessGrantFactory(professional=twice, contact=contact, valid_until=ended)
        later = factories.ProfessionalFactory(last_name="Later")
        factories.AccessGrantFactory(
            professional=later, contact=world.contact_live, valid_until=ended
        )
        start = (clock.now() + dt.timedelta(seconds=1), 0)
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        factories.AccessGrantFactory(
            professional=factories.ProfessionalFactory(last_name="Nieuw"),
            contact=world.contact_live,
            granted_at=clock.now(),
        )
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        served = {pid for _, pid in _served(world, start, limit)}
    assert {twice.pk, later.pk} <= served


def test_no_change_is_lost_when_professionals_grant_two_contacts_until_one_day(
    world: World,
) -> None:
    """The everyday shape: 60 professionals each grant their manager and HR until one day;
    every grant's end is served with pages of 50."""
    ended = dt.date(2026, 3, 7)
    with time_machine.travel(T0, tick=False):
        people = [factories.ProfessionalFactory(last_name=f"P{i:03d}") for i in range(60)]
        for person in people:
            for contact in (world.contact_live, world.deputy):
                factories.AccessGrantFactory(
                    professional=person, contact=contact, valid_until=ended
                )
        start = (clock.now() + dt.timedelta(seconds=1), 0)
    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        factories.AccessGrantFactory(
            professional=factories.ProfessionalFactory(last_name="Nieuw"),
            contact=world.contact_live,
            granted_at=clock.now(),
        )
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        served = {pid for _, pid in _served(world, start, 50)}
    assert not [p.pk for p in people if p.pk not in served]
