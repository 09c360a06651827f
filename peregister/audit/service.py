"""``record()``: the one way audit events are written (inside the caller's transaction)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router, transaction
from django.db.models import QuerySet

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.text import storable_data

# A list of professionals is linked with bulk INSERTs of at most this many rows each.
LINK_BATCH_SIZE = 2000


def record(
    action: AuditEvent.Action | str,
    *,
    actor: Any,
    organisation: Any = None,
    contact: Any = None,
    professionals: QuerySet[Any] | Iterable[Any] | Iterable[int] = (),
    # An ``AuditEvent`` (typed Any like the other keywords: callers spread ``**data`` dicts).
    professionals_of: Any = None,
    **data: Any,
) -> AuditEvent:
    """Write an audit event and link it to the professionals whose data it touched.

    ``professionals`` is a list of professionals (or their ids), or a queryset: of
    professionals, or one that selects a single column of professional ids
    (``.values("professional_id")``). A queryset is linked with one ``INSERT … SELECT`` in
    the database, so an event about 20,000 professionals costs as many queries as one
    about three.

    ``professionals_of``: an earlier event whose professionals this one concerns too (a
    download of a report snapshot names the snapshot's ``report.generated`` event), instead
    of linking them all again.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must run inside the transaction of the change it audits.")
    event = AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        organisation=organisation,
        contact=contact,
        professionals_of=professionals_of,
        # Typed values (a forged form field) may hold NUL: stored escaped, never a 500.
        data=storable_data(data),
    )
    if isinstance(professionals, QuerySet):
        _link_queryset(event, professionals)
        return event
    # Once each: the link table allows a professional once per event, and a list may name
    # someone twice (one number on two dates).
    professional_ids = list(dict.fromkeys(getattr(p, "pk", p) for p in professionals))
    if professional_ids:
        through = AuditEvent.professionals.through
        through.objects.bulk_create(
            [through(auditevent_id=event.pk, professional_id=pk) for pk in professional_ids],
            batch_size=LINK_BATCH_SIZE,
        )
    return event


def _professional_ids(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The queryset as one column of distinct professional ids, without ordering."""
    query = queryset.query
    if not query.values_select:  # professionals themselves (annotated or not)
        if queryset.model is not AuditEvent.professionals.field.related_model:
            raise TypeError("record() links a queryset of professionals or of their ids.")
        queryset = queryset.values("pk")
    elif len(query.values_select) + len(query.annotation_select) != 1:
        raise TypeError("record() needs a queryset that selects one column of professional ids.")
    return queryset.order_by().distinct()


def _link_queryset(event: AuditEvent, queryset: QuerySet[Any]) -> int:
    """``INSERT INTO <through> (event, professional) SELECT <event>, id FROM (<queryset>)``."""
    through = AuditEvent.professionals.through
    database = router.db_for_write(through)
    connection = connections[database]
    quote = connection.ops.quote_name
    meta = through._meta
    event_column = meta.get_field("auditevent").column
    professional_column = meta.get_field("professional").column
    ids = _professional_ids(queryset)
    try:
        select_sql, params = ids.query.get_compiler(using=database).as_sql()
    except EmptyResultSet:  # e.g. ``.none()``: nobody to link
        return 0
    # Identifiers quoted by the backend; every value is a parameter.
    table, columns = quote(meta.db_table), f"{quote(event_column)}, {quote(professional_column)}"
    sql = f"INSERT INTO {table} ({columns}) SELECT %s, linked.* FROM ({select_sql}) linked"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk, *params])
        return int(cursor.rowcount)


def link_once(event_id: int, professional_ids: Collection[int]) -> int:
    """Link the professionals to an existing event, each at most once whatever was linked
    before (``INSERT … SELECT … WHERE NOT EXISTS``; ``ON CONFLICT DO NOTHING`` for a
    concurrent request linking the same one). One statement; a repeat links nothing and
    writes nothing, which is what makes one event per HR API token per day cheap to keep."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("link_once() must run inside the transaction of what it audits.")
    ids = [int(pk) for pk in dict.fromkeys(professional_ids)]
    if not ids:
        return 0
    through = AuditEvent.professionals.through
    connection = connections[router.db_for_write(through)]
    quote = connection.ops.quote_name
    meta = through._meta
    table = quote(meta.db_table)
    event_column = quote(meta.get_field("auditevent").column)
    professional_column = quote(meta.get_field("professional").column)
    professionals: Any = meta.get_field("professional").related_model._meta  # type: ignore[union-attr]
    source, key = quote(professionals.db_table), quote(professionals.pk.column)
    marks = ", ".join(["%s"] * len(ids))
    # Identifiers quoted by the backend; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({event_column}, {professional_column}) "  # noqa: S608
        f"SELECT %s, p.{key} FROM {source} p WHERE p.{key} IN ({marks}) AND NOT EXISTS "
        f"(SELECT 1 FROM {table} l WHERE l.{event_column} = %s "
        f"AND l.{professional_column} = p.{key}) ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event_id, *ids, event_id])
        return int(cursor.rowcount)
