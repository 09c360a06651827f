"""Floors: the report's rows straight from SQL, and written by the csv module / XlsxWriter alone.

The SQL returns what the report shows (name, registration number, register, current period,
the period's stored points earned and required, its stored latest renewal, the organisation's
authorised contacts and the latest end date) in one statement, with the same access rule as
``peregister.access.policies`` (written out here by hand: this is a measuring stick, never used
to decide anything). It reads the stored figures, as the product does (issue 12): a floor that
summed completions would let a product that sums them too pass.

On PostgreSQL the CSV floor is the database writing the file itself: ``COPY (SELECT …) TO
STDOUT`` with the cells formatted in SQL, streamed to the file; on SQLite (no COPY) the same
rows written by the ``csv`` module.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db import connection

from peregister.core import clock


def report_sql() -> str:
    q = connection.ops.quote_name
    concat = (
        "string_agg(c.name, ', ')"
        if connection.vendor == "postgresql"
        else "group_concat(c.name, ', ')"
    )
    return f"""
WITH live AS (
  SELECT g.professional_id AS pid, {concat} AS contacts,
         CASE WHEN COUNT(*) = COUNT(g.valid_until) THEN MAX(g.valid_until) END AS until
  FROM access_accessgrant g
  JOIN organisations_contact c ON c.id = g.contact_id
  JOIN organisations_organisation o ON o.id = c.organisation_id
  WHERE c.organisation_id = %s AND c.active = %s AND o.status = 'authorised'
    AND g.granted_at <= %s AND (g.revoked_at IS NULL OR g.revoked_at > %s)
    AND (g.valid_until IS NULL OR g.valid_until >= %s)
  GROUP BY g.professional_id
)
SELECT p.initials, p.name_prefix, p.last_name, p.registration_number, reg.name,
  pp.start, pp.{q("end")} AS period_end,
  pp.points_earned AS earned, pp.points_required,
  pp.renewal_status, pp.renewal_submitted_at AS renewal_at,
  live.contacts, live.until
FROM live
JOIN registry_professional p ON p.id = live.pid
LEFT JOIN registry_registration r ON r.professional_id = p.id
LEFT JOIN registry_register reg ON reg.id = r.register_id
LEFT JOIN registry_peperiod pp ON pp.registration_id = r.id AND pp.start <= %s
  AND NOT EXISTS (SELECT 1 FROM registry_peperiod later
                  WHERE later.registration_id = pp.registration_id
                    AND later.start > pp.start AND later.start <= %s)
ORDER BY p.last_name, p.initials, p.id
"""


def report_params(organisation_id: int, at: dt.datetime) -> list[Any]:
    ops = connection.ops
    moment = ops.adapt_datetimefield_value(at)
    today = ops.adapt_datefield_value(clock.local_date(at))
    return [organisation_id, True, moment, moment, today, today, today]


def report_cursor_rows(organisation_id: int, at: dt.datetime) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(report_sql(), report_params(organisation_id, at))
        while True:
            chunk = cursor.fetchmany(2000)
            if not chunk:
                return
            yield from chunk


def sql_only(organisation_id: int, at: dt.datetime) -> int:
    return sum(1 for _ in report_cursor_rows(organisation_id, at))


def _date(value: Any) -> dt.date | None:
    """Dates from expressions come back as text on SQLite; the ORM would convert them too."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _fields(row: tuple[Any, ...]) -> list[Any]:
    """The report's columns: name, number, register, start, end, earned, required, status,
    submitted?, submitted on, contacts, authorised until (None: without end)."""
    first, prefix, last, number, register, start, end, earned, required, status, at, who, until = (
        row
    )
    name = " ".join(part for part in (first, prefix, last) if part)
    submitted = status in ("submitted", "approved")
    return [
        name,
        number,
        register or "",
        _date(start),
        _date(end),
        earned if start is not None else None,
        required,
        status or "",
        submitted,
        _date(at) if submitted else None,
        who,
        _date(until),
    ]


def _csv_date(day: dt.date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def copy_sql() -> str:
    """The report's CSV cells formatted by PostgreSQL, for ``COPY (…) TO STDOUT``."""
    return f"""
SELECT concat_ws(' ', NULLIF(initials, ''), NULLIF(name_prefix, ''), NULLIF(last_name, '')),
  registration_number, COALESCE(name, ''), to_char(start, 'DD-MM-YYYY'),
  to_char(period_end, 'DD-MM-YYYY'), CASE WHEN start IS NULL THEN '' ELSE earned::text END,
  COALESCE(points_required::text, ''), COALESCE(renewal_status, ''),
  CASE WHEN renewal_status IN ('submitted', 'approved') THEN 'ja' ELSE 'nee' END,
  CASE WHEN renewal_status IN ('submitted', 'approved')
       THEN to_char(renewal_at AT TIME ZONE 'Europe/Amsterdam', 'DD-MM-YYYY') ELSE '' END,
  contacts, COALESCE(to_char(until, 'DD-MM-YYYY'), 'onbeperkt')
FROM ({report_sql()}) AS report
"""


def csv_copy(organisation_id: int, at: dt.datetime, path: Path) -> int:
    """PostgreSQL writes the CSV: the floor of streaming stored rows to a file."""
    count = 0
    with connection.cursor() as cursor, path.open("wb") as out:
        out.write("\ufeff".encode())
        out.write(";".join(f"kolom {i}" for i in range(12)).encode() + b"\r\n")
        statement = f"COPY ({copy_sql()}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')"
        with cursor.cursor.copy(statement, report_params(organisation_id, at)) as copy:
            for block in copy:
                out.write(block)
                count += bytes(block).count(b"\n")
    return count


def csv_alone(organisation_id: int, at: dt.datetime, path: Path) -> int:
    """The same cells as the report's CSV (dates dd-mm-jjjj, ja/nee, onbeperkt), no Django;
    on PostgreSQL written by the database itself (``csv_copy``)."""
    if connection.vendor == "postgresql":
        return csv_copy(organisation_id, at, path)
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([f"kolom {i}" for i in range(12)])
        for row in report_cursor_rows(organisation_id, at):
            f = _fields(row)
            writer.writerow(
                [
                    f[0],
                    f[1],
                    f[2],
                    _csv_date(f[3]),
                    _csv_date(f[4]),
                    "" if f[5] is None else str(f[5]),
                    "" if f[6] is None else str(f[6]),
                    f[7],
                    "ja" if f[8] else "nee",
                    _csv_date(f[9]),
                    f[10],
                    _csv_date(f[11]) if f[11] else "onbeperkt",
                ]
            )
            count += 1
    return count


def xlsx_alone(organisation_id: int, at: dt.datetime, path: Path) -> int:
    """The same typed cells as the report's XLSX (text, dates, numbers), no Django."""
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet("Rapportage")
    header = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    text = workbook.add_format({"num_format": "@"})
    for index in range(12):
        sheet.set_column(index, index, 18)
        sheet.write_string(0, index, f"kolom {index}", header)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(report_cursor_rows(organisation_id, at), start=1):
        f = _fields(row)
        sheet.write_string(count, 0, f[0])
        sheet.write_string(count, 1, f[1], text)
        sheet.write_string(count, 2, f[2])
        for col in (3, 4, 9):
            if f[col] is None:
                sheet.write_blank(count, col, None)
            else:
                sheet.write_datetime(count, col, f[col], date)
        for col in (5, 6):
            if f[col] is None:
                sheet.write_blank(count, col, None)
            else:
                sheet.write_number(count, col, f[col])
        sheet.write_string(count, 7, f[7])
        sheet.write_string(count, 8, "ja" if f[8] else "nee")
        sheet.write_string(count, 10, f[10])
        if f[11] is None:
            sheet.write_string(count, 11, "onbeperkt")
        else:
            sheet.write_datetime(count, 11, f[11], date)
    sheet.autofilter(0, 0, count, 11)
    workbook.close()
    return count


# --- page floors: the minimal equivalent of a page ------------------------------------------
# What a page shows, read by one bare statement through the best index and rendered by a
# minimal template: never the page's own SQL (slow SQL replayed as a floor can never fail a
# bar). The count is what the page's caption needs, from the grants alone.

_LIST_ORDER = {
    "name": "p.last_name, p.initials, p.id",
    "points": "pp.points_earned DESC NULLS FIRST, p.last_name, p.initials, p.id",
}

MINIMAL_TABLE = (
    "<table>{% for r in rows %}<tr><td>{{ r.1 }} {{ r.2 }} {{ r.3 }}</td><td>{{ r.4 }}</td>"
    "<td>{{ r.5 }}</td><td>{{ r.6 }} – {{ r.7 }}</td><td>{{ r.8 }} / {{ r.9 }}</td></tr>"
    "{% endfor %}</table><p>{{ total }}</p>"
)


def _live_grants(filter_sql: str) -> str:
    return f"""
SELECT DISTINCT g.professional_id FROM access_accessgrant g
WHERE {filter_sql} AND g.granted_at <= %s AND (g.revoked_at IS NULL OR g.revoked_at > %s)
  AND (g.valid_until IS NULL OR g.valid_until >= %s)"""


def _days_sql(least: int) -> tuple[str, str]:
    """(total, elapsed clamped to [``least``, total]) of ``pp``, by hand (``periods._days``;
    today: the database's date)."""
    q = connection.ops.quote_name
    if connection.vendor == "postgresql":
        total = f"(pp.{q('end')} - pp.start + 1)"
        return total, f"GREATEST(LEAST(CURRENT_DATE - pp.start + 1, {total}), {least})"
    total = f"CAST(julianday(pp.{q('end')}) - julianday(pp.start) + 1 AS INTEGER)"
    days = "CAST(julianday(date('now')) - julianday(pp.start) AS INTEGER)"
    return total, f"MAX(MIN({days} + 1, {total}), {least})"


def _forecast_sql() -> str:
    """The forecast (``periods.forecast_expression``) of ``pp`` written out by hand, for the
    floors of the list sorted or filtered on it."""
    total, elapsed = _days_sql(1)
    return f"(pp.points_earned * {total} / {elapsed})"


def _quarter_passed_sql() -> str:
    """At least a quarter of ``pp`` has passed (``periods.at_risk_expression``)."""
    total, elapsed = _days_sql(0)
    return f"{elapsed} * 4 >= {total}"


def list_page_sql(
    *, organisation: bool, order: str, search: bool, at_risk: bool = False
) -> tuple[str, str]:
    """(rows, count) for one page of *Professionals* (grants to one contact) or of the
    *rapportage* (grants to the organisation's active contacts); ``order`` "forecast" and
    ``at_risk`` for the list sorted or filtered on the forecast."""
    q = connection.ops.quote_name
    who = (
        "g.contact_id IN (SELECT c.id FROM organisations_contact c "
        "WHERE c.organisation_id = %s AND c.active)"
        if organisation
        else "g.contact_id = %s"
    )
    live = _live_grants(who)
    where = "WHERE lower(p.last_name) LIKE %s" if search else ""
    if at_risk:
        short = "pp.points_earned < pp.points_required"
        where = f"WHERE {_forecast_sql()} < pp.points_required AND {short}"
        where += f" AND {_quarter_passed_sql()}"
    nulls_first = connection.vendor == "postgresql"
    if order == "forecast":
        ordering = f"{_forecast_sql()}, p.last_name, p.initials, p.id"
    else:
        ordering = _LIST_ORDER[order]
    if not nulls_first:
        ordering = ordering.replace(" NULLS FIRST", "")
    rows = f"""
SELECT p.id, p.initials, p.name_prefix, p.last_name, p.registration_number, reg.name,
  pp.start, pp.{q("end")}, pp.points_earned, pp.points_required
FROM ({live}) live
JOIN registry_professional p ON p.id = live.professional_id
LEFT JOIN registry_registration r ON r.professional_id = p.id
LEFT JOIN registry_register reg ON reg.id = r.register_id
LEFT JOIN registry_peperiod pp ON pp.registration_id = r.id AND pp.start <= %s
  AND NOT EXISTS (SELECT 1 FROM registry_peperiod later
                  WHERE later.registration_id = pp.registration_id
                    AND later.start > pp.start AND later.start <= %s)
{where}
ORDER BY {ordering} LIMIT 50 OFFSET %s"""
    count = f"SELECT COUNT(*) FROM ({live}) live"
    return rows, count


def list_page_floor(
    *,
    owner_id: int,
    organisation: bool,
    order: str,
    search: str,
    offset: int,
    at_risk: bool = False,
) -> Any:
    """A callable: one page's rows and count by bare SQL, rendered by ``MINIMAL_TABLE``."""
    from django.template import Context, Engine

    template = Engine(debug=False).from_string(MINIMAL_TABLE)
    rows_sql, count_sql = list_page_sql(
        organisation=organisation, order=order, search=bool(search), at_risk=at_risk
    )

    def run() -> str:
        ops = connection.ops
        at = clock.now()
        moment = ops.adapt_datetimefield_value(at)
        today = ops.adapt_datefield_value(clock.local_date(at))
        live = [owner_id, moment, moment, today]
        params = [*live, today, today]
        if search:
            params.append(f"%{search.lower()}%")
        params.append(offset)
        with connection.cursor() as cursor:
            cursor.execute(rows_sql, params)
            rows = cursor.fetchall()
            cursor.execute(count_sql, live)
            total = cursor.fetchone()[0]
        return template.render(Context({"rows": rows, "total": total}))

    return run


def json_alone(organisation_id: int, at: dt.datetime) -> int:
    """The report's rows (``report_sql``) as JSON by the ``json`` module alone: the floor of
    the HR API's list, which answers the same rows as JSON."""
    rows = [
        {
            "name": f[0],
            "registration_number": f[1],
            "register": f[2],
            "period_start": f[3].isoformat() if f[3] else None,
            "period_end": f[4].isoformat() if f[4] else None,
            "points_earned": f[5],
            "points_required": f[6],
            "status": f[7],
            "renewal_submitted": f[8],
            "renewal_submitted_on": f[9].isoformat() if f[9] else None,
            "contacts": f[10],
            "authorised_until": f[11].isoformat() if f[11] else None,
        }
        for f in map(_fields, report_cursor_rows(organisation_id, at))
    ]
    json.dumps({"items": rows})
    return len(rows)


# --- dossier and start-page floors ----------------------------------------------------------
# Each reads what the page shows through the best index (the professional by its code, the
# periods by registration, the completions by ``completion_prof_date_pts_idx``) and renders
# it with a template of the same shape: a table per period with a row per completion. The
# employer's dossier view writes its audit event (one event, one link), as the page must.

DOSSIER_TEMPLATE = (
    "<h1>{{ p.1 }} {{ p.2 }} {{ p.3 }}</h1><p>{{ p.4 }} {{ until }}</p>"
    "{% for period in periods %}<h2>{{ period.name }} {{ period.start }} – {{ period.end }}: "
    "{{ period.earned }} / {{ period.required }} {{ period.renewal }}</h2><table>"
    "{% for c in period.completions %}<tr><td>{{ c.0 }}</td><td>{{ c.1 }}</td><td>{{ c.2 }}"
    "</td><td>{{ c.3 }}</td><td>{{ c.4 }}</td></tr>{% endfor %}</table>{% endfor %}"
    "{% for e in extra %}<p>{{ e.0 }} {{ e.1 }}</p>{% endfor %}"
)

_PERIODS_SQL = """
SELECT reg.name, r.status, r.registered_on, pp.start, pp.{end}, pp.points_earned,
  pp.points_required, pp.renewal_status, pp.renewal_submitted_at
FROM registry_registration r
JOIN registry_register reg ON reg.id = r.register_id
JOIN registry_peperiod pp ON pp.registration_id = r.id AND pp.start <= %s
WHERE r.professional_id = %s
ORDER BY reg.name, r.id, pp.start DESC"""

_COMPLETIONS_SQL = """
SELECT completed_on, title, provider, kind, points FROM registry_completion
WHERE professional_id = %s ORDER BY completed_on DESC, id DESC"""


def _dossier_rows(cursor: Any, professional_id: int, today: Any) -> list[dict[str, Any]]:
    cursor.execute(
        _PERIODS_SQL.format(end=connection.ops.quote_name("end")), [today, professional_id]
    )
    periods = cursor.fetchall()
    cursor.execute(_COMPLETIONS_SQL, [professional_id])
    completions = [(_date(c[0]), *c[1:]) for c in cursor.fetchall()]
    out = []
    for name, _status, _on, start, end, earned, required, renewal, _at in periods:
        first, last = _date(start), _date(end)
        out.append(
            {
                "name": name,
                "start": first,
                "end": last,
                "earned": earned,
                "required": required,
                "renewal": renewal,
                "completions": [c for c in completions if first <= c[0] <= last],  # type: ignore[operator]
            }
        )
    return out


def open_dossier_floor(*, contact_id: int, user_id: int, organisation_id: int, code: Any) -> Any:
    """The employer's *open dossier*: the professional by code through a live grant to the
    contact, its periods and completions, the audit event of the view, a minimal template."""
    from django.db import transaction
    from django.template import Context, Engine

    template = Engine(debug=False).from_string(DOSSIER_TEMPLATE)
    code_value = code if connection.features.has_native_uuid_field else code.hex
    visible = """
SELECT p.id, p.initials, p.name_prefix, p.last_name, p.registration_number, g.valid_until
FROM registry_professional p JOIN access_accessgrant g ON g.professional_id = p.id
WHERE p.code = %s AND g.contact_id = %s AND g.granted_at <= %s
  AND (g.revoked_at IS NULL OR g.revoked_at > %s) AND (g.valid_until IS NULL OR g.valid_until >= %s)
ORDER BY g.valid_until DESC LIMIT 1"""
    returning = " RETURNING id"

    def run() -> str:
        ops = connection.ops
        at = clock.now()
        moment = ops.adapt_datetimefield_value(at)
        today = ops.adapt_datefield_value(clock.local_date(at))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(visible, [code_value, contact_id, moment, moment, today])
            professional = cursor.fetchone()
            cursor.execute(
                "INSERT INTO audit_auditevent (at, actor_id, action, organisation_id, "
                "contact_id, data) VALUES (%s, %s, 'dossier.viewed', %s, %s, '{}')" + returning,
                [moment, user_id, organisation_id, contact_id],
            )
            event = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO audit_auditevent_professionals (auditevent_id, professional_id) "
                "VALUES (%s, %s)",
                [event, professional[0]],
            )
            periods = _dossier_rows(cursor, professional[0], today)
        return template.render(
            Context({"p": professional, "until": professional[5], "periods": periods, "extra": []})
        )

    return run


def own_dossier_floor(*, professional_id: int) -> Any:
    """*Mijn PE-dossier*: the own periods and completions, the register's latest changes (the
    audit links of this professional, newest first) and the latest reminders."""
    from django.template import Context, Engine

    template = Engine(debug=False).from_string(DOSSIER_TEMPLATE)
    person = """
SELECT id, initials, name_prefix, last_name, registration_number FROM registry_professional
WHERE id = %s"""
    changes = """
SELECT e.at, e.action FROM audit_auditevent_professionals l
JOIN audit_auditevent e ON e.id = l.auditevent_id
WHERE l.professional_id = %s AND e.action IN ('professional.changed', 'professionals.imported',
  'registration.ended')
ORDER BY e.at DESC, e.id DESC LIMIT 10"""
    reminders = """
SELECT m.sent_at, m.kind FROM registry_periodreminder m
JOIN registry_peperiod pp ON pp.id = m.period_id
JOIN registry_registration r ON r.id = pp.registration_id
WHERE r.professional_id = %s ORDER BY m.sent_at DESC, m.id DESC LIMIT 20"""

    def run() -> str:
        today = connection.ops.adapt_datefield_value(clock.today())
        with connection.cursor() as cursor:
            cursor.execute(person, [professional_id])
            professional = cursor.fetchone()
            periods = _dossier_rows(cursor, professional_id, today)
            cursor.execute(changes, [professional_id])
            extra = cursor.fetchall()
            cursor.execute(reminders, [professional_id])
            extra += cursor.fetchall()
        return template.render(
            Context({"p": professional, "until": "", "periods": periods, "extra": extra})
        )

    return run


def home_floor(*, contact_id: int, organisation_id: int) -> Any:
    """A beheerder's start page: the grants to the contact, the professionals in the
    organisation's report (distinct, from its active contacts' live grants) and its active
    contacts, counted; a minimal template."""
    from django.template import Context, Engine

    template = Engine(debug=False).from_string(
        "<h1>{{ name }}</h1><dl><dt>mij</dt><dd>{{ mine }}</dd><dt>rapportage</dt>"
        "<dd>{{ report }}</dd><dt>contactpersonen</dt><dd>{{ contacts }}</dd></dl>"
    )
    live = (
        "g.granted_at <= %s AND (g.revoked_at IS NULL OR g.revoked_at > %s) "
        "AND (g.valid_until IS NULL OR g.valid_until >= %s)"
    )
    mine = f"SELECT COUNT(*) FROM access_accessgrant g WHERE g.contact_id = %s AND {live}"
    report = f"""
SELECT COUNT(DISTINCT g.professional_id) FROM access_accessgrant g
JOIN organisations_contact c ON c.id = g.contact_id
WHERE c.organisation_id = %s AND c.active AND {live}"""
    contacts = """
SELECT o.name, (SELECT COUNT(*) FROM organisations_contact c
                WHERE c.organisation_id = o.id AND c.active)
FROM organisations_organisation o WHERE o.id = %s"""

    def run() -> str:
        ops = connection.ops
        at = clock.now()
        moment = ops.adapt_datetimefield_value(at)
        today = ops.adapt_datefield_value(clock.local_date(at))
        with connection.cursor() as cursor:
            cursor.execute(mine, [contact_id, moment, moment, today])
            own = cursor.fetchone()[0]
            cursor.execute(report, [organisation_id, moment, moment, today])
            in_report = cursor.fetchone()[0]
            cursor.execute(contacts, [organisation_id])
            name, active = cursor.fetchone()
        return template.render(
            Context({"name": name, "mine": own, "report": in_report, "contacts": active})
        )

    return run
