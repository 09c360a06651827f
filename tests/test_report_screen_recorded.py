"""Viewing the *rapportage* on screen is recorded for the professionals on the page, like a
download, and shows in their *Wie bekeek mijn dossier* (ASVS 4.0.3 V7.1.3: the use of a
professional's data is logged; V8.3.1: shown to the person whose data it is)."""

from __future__ import annotations

from peregister.audit.models import AuditEvent
from peregister.core.pagination import PAGE_PARAM
from peregister.reports.screen import PAGE_SIZE
from tests import factories
from tests.conftest import World, client_for

REPORT = "/werkgever/rapportage/"
LOG = "/mijn/wie-bekeek-mijn-dossier/"


def test_the_page_is_recorded_for_the_professionals_on_it_and_shown_to_them(
    world: World,
) -> None:
    assert client_for(world.administrator.user).get(REPORT).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_VIEWED)
    assert list(event.professionals.all()) == [world.professional]
    assert event.contact == world.administrator
    assert event.organisation == world.organisation
    assert world.other_professional not in event.professionals.all()
    body = client_for(world.professional.user).get(LOG).content.decode()
    assert "rapportage bekeken" in body
    assert "HR De Brug" in body


def test_only_the_professionals_on_the_page_shown_are_linked(world: World) -> None:
    for index in range(PAGE_SIZE + 1):
        professional = factories.ProfessionalFactory(last_name=f"Z{index:03d}")
        factories.AccessGrantFactory(professional=professional, contact=world.deputy)
    client = client_for(world.deputy.user)
    assert client.get(REPORT, {PAGE_PARAM: "2"}).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_VIEWED)
    # 52 rows, sorted by name: the second page holds the last two (Z049, Z050).
    assert sorted(p.last_name for p in event.professionals.all()) == ["Z049", "Z050"]
    assert event.data == {"rows": 2, "page": 2}


def test_an_empty_report_is_recorded_without_anyone(world: World) -> None:
    assert client_for(world.other_org_admin.user).get(REPORT).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_VIEWED)
    assert not event.professionals.exists()
