"""``record()`` links professionals given as a list or as a queryset (one INSERT … SELECT)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from peregister.access.models import AccessGrant
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.registry.models import Professional
from tests import factories
from tests.conftest import World


def _record(professionals: object) -> tuple[AuditEvent, int]:
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        event = record(
            AuditEvent.Action.REPORT_DOWNLOADED,
            actor=None,
            professionals=professionals,  # type: ignore[arg-type]
        )
    writes = [q for q in captured.captured_queries if "INSERT" in q["sql"].upper()]
    return event, len(writes)


def _linked(event: AuditEvent) -> set[int]:
    return set(event.professionals.values_list("pk", flat=True))


def test_a_queryset_of_professionals_is_linked_in_one_insert(world: World) -> None:
    extra = [factories.ProfessionalFactory() for _ in range(5)]
    queryset = Professional.objects.filter(pk__in=[p.pk for p in extra]).order_by("-last_name")
    event, inserts = _record(queryset)
    assert _linked(event) == {p.pk for p in extra}
    assert inserts == 2  # the event and its links


def test_a_queryset_of_ids_with_duplicates_links_each_professional_once(world: World) -> None:
    # The professional has grants to several contacts: the id appears more than once.
    grants = AccessGrant.objects.filter(professional=world.professional)
    assert grants.count() > 1
    event, inserts = _record(grants.values("professional_id"))
    assert _linked(event) == {world.professional.pk}
    assert inserts == 2
    event, _ = _record(AccessGrant.objects.values_list("professional_id", flat=True))
    assert _linked(event) == set(AccessGrant.objects.values_list("professional_id", flat=True))


def test_the_query_count_does_not_depend_on_how_many_are_linked(world: World) -> None:
    _, few = _record(Professional.objects.filter(pk=world.professional.pk))
    for _ in range(30):
        factories.ProfessionalFactory()
    event, many = _record(Professional.objects.all())
    assert many == few
    assert len(_linked(event)) == Professional.objects.count()


def test_an_empty_queryset_links_nobody(world: World) -> None:
    event, _ = _record(Professional.objects.none())
    assert _linked(event) == set()
    event, _ = _record(Professional.objects.filter(pk=-1))
    assert _linked(event) == set()


def test_the_list_form_still_works(world: World) -> None:
    event, _ = _record([world.professional, world.other_professional.pk])
    assert _linked(event) == {world.professional.pk, world.other_professional.pk}


def test_a_queryset_of_something_else_is_refused(world: World) -> None:
    with pytest.raises(TypeError):
        _record(AccessGrant.objects.all())
    with pytest.raises(TypeError):
        _record(AccessGrant.objects.values("professional_id", "contact_id"))
