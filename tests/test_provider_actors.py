"""Every provider service checks its actor itself, not only the page's guard (ASVS V4.1.1):
anyone else is refused and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from peregister.audit.models import AuditEvent
from peregister.backoffice.accreditation import recognise_accreditation, reject_accreditation
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.providers import keys
from peregister.registry import accreditation
from peregister.registry.models import LearningActivity, Session
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _activity(world: World) -> LearningActivity:
    return LearningActivity.objects.create(
        title="Arbeidsrecht",
        provider="Opleider Vakwijs",
        kind="course",
        points=2,
        recognised_from=dt.date(2020, 1, 1),
        offered_by=world.provider_admin.organisation,
    )


def _session(world: World) -> Session:
    return Session.objects.create(
        activity=_activity(world),
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 1, 5),
        online=True,
        created_at=clock.now(),
    )


PROVIDER_SERVICES: dict[str, Callable[[World, Any], Any]] = {
    "change_session": lambda w, a: accreditation.change_session(
        actor=a,
        session=_session(w),
        starts_on=dt.date(2026, 1, 6),
        ends_on=dt.date(2026, 1, 6),
        location="Zwolle",
        online=False,
    ),
    "cancel_session": lambda w, a: accreditation.cancel_session(actor=a, session=_session(w)),
    "add_session": lambda w, a: accreditation.add_session(
        actor=a,
        activity=_activity(w),
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 1, 5),
        location="",
        online=True,
    ),
    "create_api_key": lambda w, a: keys.create_api_key(actor=a, name="X"),
    "revoke_api_key": lambda w, a: keys.revoke_api_key(
        actor=a, key=keys.create_api_key(actor=w.provider_admin.user, name="Y")[0]
    ),
}
STAFF_SERVICES: dict[str, Callable[[World, Any], Any]] = {
    "recognise_accreditation": lambda w, a: recognise_accreditation(
        actor=a,
        request=factories.AccreditationRequestFactory.create(
            provider=w.provider_admin.organisation,
            submitted_at=dt.datetime(2025, 12, 1, 12, 0, tzinfo=dt.UTC),
        ),
        points=2,
        recognised_from=dt.date(2026, 1, 1),
        recognised_until=None,
    ),
    "reject_accreditation": lambda w, a: reject_accreditation(
        actor=a,
        request=factories.AccreditationRequestFactory.create(
            provider=w.provider_admin.organisation
        ),
        reason="Nee.",
    ),
}


@pytest.mark.parametrize("service", PROVIDER_SERVICES)
@pytest.mark.parametrize("persona", ["administrator", "professional", "staff", "anonymous"])
def test_provider_services_refuse_anyone_else(world: World, service: str, persona: str) -> None:
    actor: Any = world.personas()[persona] or AnonymousUser()
    before = AuditEvent.objects.count()
    with pytest.raises(Refused):
        PROVIDER_SERVICES[service](world, actor)
    # Only the setup's own key creation (revoke_api_key) may have been audited.
    assert AuditEvent.objects.count() - before <= (1 if service == "revoke_api_key" else 0)


@pytest.mark.parametrize("service", STAFF_SERVICES)
@pytest.mark.parametrize("persona", ["provider_admin", "administrator", "anonymous"])
def test_accreditation_decisions_refuse_anyone_but_staff(
    world: World, service: str, persona: str
) -> None:
    actor: Any = world.personas()[persona] or AnonymousUser()
    with pytest.raises(Refused, match="Alleen het register"):
        STAFF_SERVICES[service](world, actor)
    assert not LearningActivity.objects.filter(offered_by__isnull=False).exists()


def test_the_services_run_for_their_actors(world: World) -> None:
    for call in PROVIDER_SERVICES.values():
        assert call(world, world.provider_admin.user) is not None
    for call in STAFF_SERVICES.values():
        assert call(world, world.staff) is not None
