"""The HR API (``/api/v1/organisation/…``, assembled in ``config/api.py``): an employer's HR
system reads its *rapportage* with an API token (``reports/tokens.py``).

Exactly what the report shows: the token's report scope (``access.policies.report_scope``, at
the request's own moment), the same row generator (``reports/rows.py``) and the same status
rule. Pages are cursor based (by name, then professional id), a constant number of queries
each. Every answer that names a professional is recorded for them (``hr_api.read``: their
*Wie bekeek mijn dossier*). A revoked or expired token, a suspended organisation or a maker
who may no longer fetch the report: 401.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection
from typing import Annotated, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import BaseModel

from peregister.audit.service import link_once
from peregister.core.bearer import BearerAuth
from peregister.core.pagination import decode_cursor, encode_cursor
from peregister.core.refusals import Refused
from peregister.registry.periods import PeriodStatus
from peregister.reports import changes, tokens
from peregister.reports.rows import (
    NO_PERIOD,
    ReportRow,
    rows_for_grants,
    rows_for_page,
    status_labels,
)

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
LIST_CURSOR = "list"
CHANGES_CURSOR = "changes"
STATUSES = [str(status.value) for status in PeriodStatus] + [NO_PERIOD]


class TokenAuth(BearerAuth):
    """An organisation's API token (``peo_…``)."""

    bucket = "api-token"

    def find(self, raw: str) -> tokens.TokenAccess | None:
        return tokens.access_for(raw)

    def admitted(self, found: tokens.TokenAccess) -> None:
        tokens.record_use(found)


router = Router(auth=TokenAuth(), tags=["werkgever (HR)"])


class Message(Schema):
    message: str


class RowOut(BaseModel):
    """One row of the *rapportage*: a professional and the current PE period of one
    registration (the period fields are empty without one: status ``no_period``)."""

    professional: uuid.UUID
    name: str
    registration_number: str
    register_name: str
    registration_status: str = Field(description="active, lapsed, ended; empty without period")
    period_start: dt.date | None
    period_end: dt.date | None
    points_earned: int | None
    points_required: int | None
    status: str = Field(description=" | ".join(STATUSES))
    status_label: str
    forecast_points: int | None = Field(
        description="points expected at the period's end at the pace so far; null without period"
    )
    at_risk: bool = Field(description="risico: the forecast is short of the required points")
    renewal_submitted: bool
    renewal_submitted_on: dt.date | None
    contacts: str = Field(description="the organisation's contacts the professional granted")
    authorised_until: dt.date | None = Field(description="null: at least one grant has no end")


class ProfessionalsPage(BaseModel):
    at: dt.datetime
    items: list[RowOut]
    next_cursor: str | None = Field(description="null on the last page")
    changes_cursor: str = Field(description="start the changes feed here after this read")


class ProfessionalOut(BaseModel):
    at: dt.datetime
    professional: uuid.UUID
    rows: list[RowOut]


class ChangeOut(BaseModel):
    professional: uuid.UUID
    changed_at: dt.datetime
    visible: bool = Field(description="false: no longer in your report (remove the rows)")
    rows: list[RowOut]


class ChangesOut(BaseModel):
    at: dt.datetime
    items: list[ChangeOut]
    next_cursor: str
    has_more: bool


ERRORS: dict[int, Any] = {400: Message, 401: Message, 404: Message, 422: Message, 429: Message}
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Field(max_length=600)]


def _access(request: HttpRequest) -> tokens.TokenAccess:
    access = request.auth  # type: ignore[attr-defined]
    assert isinstance(access, tokens.TokenAccess)
    return access


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _row_out(row: ReportRow, labels: dict[str, str]) -> dict[str, Any]:
    """A row as JSON values (``RowOut``'s shape): dates as ISO text here, so the encoder
    never calls back into Python for a value."""
    return {
        "professional": row.professional_code,
        "name": row.name,
        "registration_number": row.registration_number,
        "register_name": row.register,
        "registration_status": row.registration_status,
        "period_start": _day(row.period_start),
        "period_end": _day(row.period_end),
        "points_earned": row.points_earned,
        "points_required": row.points_required,
        "status": row.status,
        "status_label": labels[row.status],
        "forecast_points": row.forecast_points,
        "at_risk": row.at_risk,
        "renewal_submitted": row.dossier_submitted,
        "renewal_submitted_on": _day(row.submitted_on),
        "contacts": row.contacts,
        "authorised_until": _day(row.authorised_until),
    }


def _record(access: tokens.TokenAccess, professional_ids: Collection[int]) -> None:
    """The professionals an answer shows (read through the scope by the caller), for their
    *Wie bekeek mijn dossier*: linked to the token's event of the day unless already linked
    (one line per token per Amsterdam day, the issue's rule), one or two statements a page
    and nothing written by a repeated read."""
    if not professional_ids:
        return
    with transaction.atomic():
        link_once(tokens.read_event(access), professional_ids)


def _answer(payload: dict[str, Any]) -> HttpResponse:
    """The answer as JSON without a second pass through the response models: a page of 1,000
    rows is built once, as plain values, in the shape the schema above declares (tests and
    schemathesis check that it does). Rows arrive as JSON values already (``_row_out``); the
    encoder's fallback only sees the few moments and codes around them."""
    return HttpResponse(
        json.dumps(payload, default=_ENCODER.default, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )


_ENCODER = DjangoJSONEncoder()


def _bad_cursor() -> Refused:
    return Refused(
        _("Ongeldige cursor: gebruik de cursor uit een eerder antwoord."), field="cursor"
    )


def _is_id(value: Any) -> bool:
    # A crafted number beyond a database integer would fail in the database (a 500).
    return type(value) is int and 0 <= value < 2**62


def _is_name(value: Any) -> bool:
    # Printable only: NUL and lone surrogates are valid JSON but no database text.
    return isinstance(value, str) and len(value) <= 200 and value.isprintable()


def _list_position(raw: str) -> tuple[str, str, int]:
    values = decode_cursor(LIST_CURSOR, raw, 3)
    if values is None or not (_is_name(values[0]) and _is_name(values[1]) and _is_id(values[2])):
        raise _bad_cursor()
    return values[0], values[1], values[2]


def _changes_position(raw: str) -> changes.Position:
    values = decode_cursor(CHANGES_CURSOR, raw, 2)
    if values is None or not _is_name(values[0]) or not _is_id(values[1]):
        raise _bad_cursor()
    try:
        moment = dt.datetime.fromisoformat(values[0])
    except ValueError:
        raise _bad_cursor() from None
    # Day arithmetic on the cursor's moment must stay within the calendar.
    if moment.tzinfo is None or not 1970 <= moment.year <= 2200:
        raise _bad_cursor()
    return moment, values[1]


def _changes_cursor(position: changes.Position) -> str:
    return encode_cursor(CHANGES_CURSOR, [position[0].isoformat(), position[1]])


@router.get("/organisation/professionals", response={200: ProfessionalsPage, **ERRORS})
def list_professionals(
    request: HttpRequest, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Any:
    """The consenting professionals of your *rapportage*, by name, ``limit`` professionals a
    page (their rows: one per current PE period). Pass ``next_cursor`` for the next page."""
    access = _access(request)
    scope = access.scope
    # The name index walked from the cursor, each professional probed for a live grant: a
    # page costs the same at any depth of the walk (an IN over all grants sorts them all).
    professionals = scope.included().order_by("last_name", "initials", "pk")
    if cursor:
        last_name, initials, pk = _list_position(cursor)
        # ``last_name >= …`` first: the three-way OR alone is no range on the name index, so
        # SQLite scanned it from the start (a page's cost grew with its depth).
        professionals = professionals.filter(last_name__gte=last_name).filter(
            Q(last_name__gt=last_name)
            | Q(last_name=last_name, initials__gt=initials)
            | Q(last_name=last_name, initials=initials, pk__gt=pk)
        )
    keys = list(professionals.values_list("pk", "last_name", "initials")[: limit + 1])
    page, more = keys[:limit], len(keys) > limit
    ids = [pk for pk, _, _ in page]
    rows = rows_for_page(scope.grants, scope.today, ids)
    _record(access, ids)
    labels = status_labels()
    next_cursor = None
    if more:
        pk, last_name, initials = page[-1]
        next_cursor = encode_cursor(LIST_CURSOR, [last_name, initials, pk])
    return _answer(
        {
            "at": scope.at,
            "items": [_row_out(row, labels) for row in rows],
            "next_cursor": next_cursor,
            "changes_cursor": _changes_cursor((scope.at - changes.SETTLE, 0)),
        }
    )


@router.get("/organisation/professionals/{code}", response={200: ProfessionalOut, **ERRORS})
def get_professional(request: HttpRequest, code: uuid.UUID) -> Any:
    """One professional of your *rapportage*: their rows. 404 when they are not in it (never
    granted, grant ended or revoked, or unknown: the same answer)."""
    access = _access(request)
    scope = access.scope
    rows = list(rows_for_grants(scope.grants.filter(professional__code=code), scope.today))
    if not rows:
        raise Http404
    _record(access, {rows[0].professional_id})
    labels = status_labels()
    return _answer(
        {"at": scope.at, "professional": code, "rows": [_row_out(row, labels) for row in rows]}
    )


@router.get("/organisation/changes", response={200: ChangesOut, **ERRORS})
def list_changes(request: HttpRequest, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Any:
    """Professionals whose rows changed after ``cursor`` (from the start without one), oldest
    change first: their current rows, or ``visible: false`` when they left your report.
    Store ``next_cursor`` and ask again later; ``has_more`` says another page is ready."""
    access = _access(request)
    scope = access.scope
    after = _changes_position(cursor) if cursor else None
    page = changes.changes_page(scope, after, limit)
    _record(access, [c.professional_id for c in page.changes if c.visible])
    labels = status_labels()
    return _answer(
        {
            "at": scope.at,
            "items": [
                {
                    "professional": change.code,
                    "changed_at": change.changed_at,
                    "visible": change.visible,
                    "rows": [_row_out(row, labels) for row in change.rows],
                }
                for change in page.changes
            ],
            "next_cursor": _changes_cursor(page.cursor),
            "has_more": page.has_more,
        }
    )
