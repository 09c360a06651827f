"""*Wie bekeek mijn dossier*: dossier views and report downloads that included the professional."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from peregister.access.models import AccessGrant
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from tests.conftest import World, client_for

AMS = clock.AMSTERDAM
URL = "/mijn/wie-bekeek-mijn-dossier/"


def viewed(world: World, contact, professionals, action=AuditEvent.Action.DOSSIER_VIEWED) -> None:
    with transaction.atomic():
        record(
            action,
            actor=contact.user,
            organisation=contact.organisation,
            contact=contact,
            professionals=professionals,
        )


def test_log_shows_who_viewed_and_downloaded_and_when(world: World) -> None:
    with time_machine.travel(dt.datetime(2026, 2, 3, 14, 5, tzinfo=AMS), tick=False):
        viewed(world, world.contact_live, [world.professional])
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, 30, tzinfo=AMS), tick=False):
        viewed(
            world,
            world.administrator,
            [world.professional, world.other_professional],
            AuditEvent.Action.REPORT_DOWNLOADED,
        )
    response = client_for(world.professional.user).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 februari 2026 14:05" in body  # shown in Amsterdam time
    assert "4 maart 2026 09:30" in body
    assert "Regiomanager" in body
    assert "HR De Brug" in body
    assert "Uitzendbureau De Brug" in body
    assert "dossier bekeken" in body
    assert "rapportage gedownload" in body
    # Newest first.
    assert body.index("4 maart 2026") < body.index("3 februari 2026")


def test_log_leaves_out_other_professionals_and_other_actions(world: World) -> None:
    viewed(world, world.other_org_admin, [world.other_professional])
    with transaction.atomic():
        record(
            AuditEvent.Action.GRANT_CREATED,
            actor=world.professional.user,
            contact=world.deputy,
            professionals=[world.professional],
        )
    body = client_for(world.professional.user).get(URL).content.decode()
    assert world.other_org_admin.name not in body
    assert world.deputy.name not in body
    assert "Niemand heeft uw dossier bekeken." in body


def test_the_other_professional_does_not_see_my_log(world: World) -> None:
    viewed(world, world.contact_live, [world.professional])
    body = client_for(world.other_professional.user).get(URL).content.decode()
    assert "Regiomanager" not in body


def test_log_is_paginated(world: World) -> None:
    for _ in range(55):
        viewed(world, world.contact_live, [world.professional])
    client = client_for(world.professional.user)
    first = client.get(URL).content.decode()
    assert first.count("dossier bekeken") == 50
    assert "?pagina=2" in first
    assert client.get(URL, {"pagina": "2"}).content.decode().count("dossier bekeken") == 5
    assert client.get(URL, {"pagina": "bogus"}).status_code == 200


def test_log_query_count_does_not_grow_with_events(world: World) -> None:
    client = client_for(world.professional.user)
    viewed(world, world.contact_live, [world.professional])
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for contact in (world.deputy, world.administrator, world.contact_expired):
        viewed(world, contact, [world.professional])
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_real_views_and_downloads_appear_and_revocation_stops_the_next_request(
    world: World,
) -> None:
    """Across areas: the employer pages write the events this log reads; revoking is immediate."""
    contact = client_for(world.contact_live.user)
    dossier_url = f"/werkgever/professionals/{world.professional.code}/"
    assert contact.get(dossier_url).status_code == 200
    assert client_for(world.administrator.user).get("/werkgever/rapportage.csv").status_code == 200
    me = client_for(world.professional.user)
    body = me.get(URL).content.decode()
    assert "Regiomanager" in body
    assert "dossier bekeken" in body
    assert "HR De Brug" in body
    assert "rapportage gedownload" in body

    grant = AccessGrant.objects.get(contact=world.contact_live)
    assert me.post(f"/mijn/inzage-werkgever/{grant.code}/intrekken/").status_code == 302
    assert contact.get(dossier_url).status_code == 404


def test_register_staff_views_are_listed_without_naming_the_staff_member(world: World) -> None:
    with transaction.atomic():
        record(
            AuditEvent.Action.DOSSIER_VIEWED, actor=world.staff, professionals=[world.professional]
        )
    body = client_for(world.professional.user).get(URL).content.decode()
    assert "medewerker van het register" in body
    assert world.staff.username not in body
