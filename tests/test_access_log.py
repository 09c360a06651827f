"""*Wie bekeek mijn dossier*: dossier views and report downloads that included the professional."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from peregister.access.models import AccessGrant
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from tests.conftest import World, client_for
from tests.reportfiles import download

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
    assert "03-02-2026" in body
    assert "14:05" in body  # shown in Amsterdam time
    assert "04-03-2026" in body
    assert "09:30" in body
    assert "Regiomanager" in body
    assert "HR De Brug" in body
    assert "Uitzendbureau De Brug" in body
    assert "dossier bekeken" in body
    assert "rapportage gedownload" in body
    # Newest first.
    assert body.index("04-03-2026") < body.index("03-02-2026")


def _log_rows(body: str) -> list[str]:
    """The log table's rows as plain text, cells separated by " | "."""
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    return [
        " | ".join(
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        )
        for row in rows
    ]


def test_repeats_of_one_kind_by_one_contact_on_one_day_are_one_line(world: World) -> None:
    def at(day: int, hour: int, minute: int) -> dt.datetime:
        return dt.datetime(2026, 2, day, hour, minute, tzinfo=AMS)

    download = AuditEvent.Action.REPORT_DOWNLOADED
    for moment in (at(3, 9, 5), at(3, 11, 40), at(3, 23, 30)):
        with time_machine.travel(moment, tick=False):
            viewed(world, world.administrator, [world.professional], download)
    # 00:30 in Amsterdam is still 3 February in UTC: a day of its own all the same.
    with time_machine.travel(at(4, 0, 30), tick=False):
        viewed(world, world.administrator, [world.professional], download)
    with time_machine.travel(at(3, 10, 0), tick=False):
        viewed(world, world.contact_live, [world.professional])
        viewed(world, world.deputy, [world.professional], download)

    rows = _log_rows(client_for(world.professional.user).get(URL).content.decode())
    brug = "Uitzendbureau De Brug"
    assert rows == [
        f"04-02-2026 | 00:30 | {brug} | HR De Brug | rapportage gedownload",
        f"03-02-2026 | 09:05–23:30 | {brug} | HR De Brug | rapportage 3× gedownload",
        f"03-02-2026 | 10:00 | {brug} | Regiomanager | dossier bekeken",
        f"03-02-2026 | 10:00 | {brug} | {world.deputy.name} | rapportage gedownload",
    ]


def test_repeats_within_one_minute_show_one_time_not_a_range(world: World) -> None:
    for second in (5, 40):
        moment = dt.datetime(2026, 2, 3, 9, 5, second, tzinfo=AMS)
        with time_machine.travel(moment, tick=False):
            viewed(world, world.contact_live, [world.professional])
    rows = _log_rows(client_for(world.professional.user).get(URL).content.decode())
    assert rows == [
        "03-02-2026 | 09:05 | Uitzendbureau De Brug | Regiomanager | dossier 2× bekeken"
    ]


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
    first_day = dt.datetime(2026, 1, 1, 12, 0, tzinfo=AMS)
    for days in range(55):  # one line per day
        with time_machine.travel(first_day + dt.timedelta(days=days), tick=False):
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
    assert download(client_for(world.administrator.user), "csv").status_code == 200
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


def test_openings_of_a_statement_are_grouped_per_statement(world: World) -> None:
    def opened(code: str) -> None:
        with transaction.atomic():
            record(
                AuditEvent.Action.STATEMENT_VERIFIED,
                actor=None,
                professionals=[world.professional],
                statement=code,
            )

    with time_machine.travel(dt.datetime(2026, 2, 3, 10, 0, tzinfo=AMS), tick=False):
        opened("aaaaaaaa-0000-0000-0000-000000000001")
        opened("bbbbbbbb-0000-0000-0000-000000000002")
    with time_machine.travel(dt.datetime(2026, 2, 3, 11, 0, tzinfo=AMS), tick=False):
        opened("aaaaaaaa-0000-0000-0000-000000000001")
    rows = _log_rows(client_for(world.professional.user).get(URL).content.decode())
    anyone = "— | iemand met de link"
    assert sorted(rows) == [
        f"03-02-2026 | 10:00 | {anyone} | PE-verklaring bekeken (kenmerk bbbbbbbb)",
        f"03-02-2026 | 10:00–11:00 | {anyone} | PE-verklaring 2× bekeken (kenmerk aaaaaaaa)",
    ]


def _plan(sql: str, params: tuple) -> str:
    """The database's plan for ``sql``; on PostgreSQL with sequential scans priced out, so a
    plan that has no index path still shows its ``Seq Scan`` whatever the table's size."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def test_the_log_reads_the_audit_table_through_its_indexes(world: World) -> None:
    """The audit table holds a year of every professional's events: the page (and the data
    export's log) must reach this professional's events by index, never by reading the whole
    table (a whole-table scan cost 380 ms at 1M events, docs/benchmarks.md)."""
    from peregister.access.log import grouped_access_log

    viewed(world, world.administrator, [world.professional], AuditEvent.Action.REPORT_DOWNLOADED)
    sql, params = grouped_access_log(world.professional).query.sql_with_params()
    plan = _plan(sql, params)
    assert "Seq Scan on audit_auditevent" not in plan, plan  # PostgreSQL
    assert not re.search(r"\bSCAN audit_auditevent\b(?! USING)", plan), plan  # SQLite
