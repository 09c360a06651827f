"""The completions API for training providers (``/api/v1/``, assembled in ``config/api.py``).

A view like any other: each request is authenticated by an API key of one provider (401
otherwise), sees only that provider's objects (another provider's code is a 404) and writes
through the same services as the pages (``providers/batches.py`` → ``register_completions``),
acting as the beheerder who made the key. Every error is JSON with a ``message``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, NoReturn, NotRequired

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Header, Router, Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, with_config
from typing_extensions import TypedDict

from peregister.audit.middleware import record_denied
from peregister.core.bearer import BearerAuth
from peregister.providers import batches, keys
from peregister.providers.models import ApiKey, CompletionBatch
from peregister.registry.models import LearningActivity, Session


class ApiKeyAuth(BearerAuth):
    """A provider's API key (``pe_…``)."""

    def find(self, raw: str) -> ApiKey | None:
        return keys.key_for(raw)

    def admitted(self, found: ApiKey) -> None:
        keys.record_use(found)


router = Router(auth=ApiKeyAuth(), tags=["aanbieder"])


class Message(Schema):
    message: str


class ActivityOut(Schema):
    code: uuid.UUID
    title: str
    kind: str
    points: int
    recognised_from: dt.date
    recognised_until: dt.date | None


class SessionOut(Schema):
    code: uuid.UUID
    activity: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date
    location: str
    online: bool


# The batch's rows are typed dicts, not models: a model per row (with its own dict, the set of
# fields given and a UUID per code) is three to four objects the garbage collector follows, for
# each of a thousand rows; a dict of strings and dates is none. Codes stay strings (checked
# against the UUID pattern): a thousand rows naming one session are one code, not a thousand
# UUID objects.
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Code = Annotated[str, Field(pattern=UUID_PATTERN, json_schema_extra={"format": "uuid"})]


@with_config(ConfigDict(extra="forbid"))
class RowFields(TypedDict):
    """One completion: a registration number, a session of yours (or one of your activities,
    whose session on that date is found) and the date."""

    # No control characters (a NUL is refused by PostgreSQL text columns: a 500 otherwise).
    registration_number: Annotated[
        str, Field(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")
    ]
    date: Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
    session: NotRequired[Code | None]
    activity: NotRequired[Code | None]
    # Numbers are per register: needed only for a number that more than one register uses.
    register_code: NotRequired[
        Annotated[
            str,
            Field(
                min_length=1,
                max_length=20,
                description="The register's code; only needed when a number is in more.",
            ),
        ]
        | None
    ]


def _one_target(row: RowFields) -> RowFields:
    if (row.get("session") is None) == (row.get("activity") is None):
        raise ValueError("give either session or activity")
    return row


RowIn = Annotated[RowFields, AfterValidator(_one_target)]


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: Annotated[list[RowIn], Field(min_length=1, max_length=batches.MAX_ROWS)]


class RowReceipt(BaseModel):
    row: int
    registration_number: str
    status: str = Field(description=" | ".join(batches.RECEIPT_STATUSES))
    message: str


class BatchReceipt(BaseModel):
    batch: uuid.UUID
    received: int
    accepted: int
    rows: list[RowReceipt]


ERRORS: dict[int, Any] = {
    400: Message,
    401: Message,
    404: Message,
    413: Message,
    422: Message,
    429: Message,
}


def _key(request: HttpRequest) -> ApiKey:
    key = request.auth  # type: ignore[attr-defined]
    assert isinstance(key, ApiKey)
    return key


def _not_found(request: HttpRequest, page: str) -> NoReturn:
    """Another provider's object (or none at all): a 404, and a security event as the pages
    record one, for the key's maker (the request is already rate limited per key)."""
    key = _key(request)
    record_denied(
        request,
        actor=key.created_by,
        organisation=key.provider,
        page=page,
        api_key=key.prefix,
    )
    raise Http404


# OpenAPI links: how a client (and schemathesis' stateful run) goes from one answer to the
# next request, with real codes instead of guessed ones.
# Status codes as integers, as ninja keys its own responses (string keys would be a second,
# colliding entry in the JSON).
SESSIONS_LINK: dict[str, Any] = {
    "responses": {
        200: {
            "links": {
                "sessions": {
                    "operationId": "peregister_providers_api_list_sessions",
                    "parameters": {"code": "$response.body#/0/code"},
                    "description": "The sessions of the first activity listed.",
                }
            }
        }
    }
}
RECEIPT_LINK: dict[str, Any] = {
    "links": {
        "receipt": {
            "operationId": "peregister_providers_api_get_batch",
            "parameters": {"code": "$response.body#/batch"},
            "description": "The batch's receipt, later.",
        }
    }
}


@router.get("/activities", response={200: list[ActivityOut], **ERRORS}, openapi_extra=SESSIONS_LINK)
def list_activities(request: HttpRequest) -> Any:
    """Your recognised activities."""
    return LearningActivity.objects.filter(offered_by_id=_key(request).provider_id).order_by(
        "title", "id"
    )


@router.get("/activities/{code}/sessions", response={200: list[SessionOut], **ERRORS})
def list_sessions(request: HttpRequest, code: uuid.UUID) -> Any:
    """The sessions (uitvoeringen) of one of your activities."""
    activity = LearningActivity.objects.filter(
        offered_by_id=_key(request).provider_id, code=code
    ).first()
    if activity is None:
        _not_found(request, "api:list_sessions")
    return [
        SessionOut(
            code=s.code,
            activity=activity.code,
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            location=s.location,
            online=s.online,
        )
        for s in Session.objects.filter(activity=activity).order_by("starts_on", "id")
    ]


@router.post(
    "/completions",
    response={201: BatchReceipt, 200: BatchReceipt, 409: Message, **ERRORS},
    openapi_extra={"responses": {201: RECEIPT_LINK, 200: RECEIPT_LINK}},
)
def post_completions(
    request: HttpRequest,
    payload: BatchIn,
    idempotency_key: Annotated[
        str,
        Header(alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$"),
    ],
) -> Any:
    """Register a batch of at most 1,000 completions; answers a receipt per row. Send the
    same ``Idempotency-Key`` again with the same body to get the same receipt (nothing is
    registered twice); with another body the answer is 409."""
    batch, replayed = batches.submit_batch(
        key=_key(request),
        idempotency_key=idempotency_key,
        rows=payload.rows,
        digest=batches.body_digest(payload.model_dump(mode="json")),
    )
    answer = _receipt_response(batch, 200 if replayed else 201)
    if replayed:
        answer["Idempotent-Replayed"] = "true"
    return answer


@router.get("/completions/{code}", response={200: BatchReceipt, **ERRORS})
def get_batch(request: HttpRequest, code: uuid.UUID) -> Any:
    """A batch's receipt, later."""
    batch = CompletionBatch.objects.filter(provider_id=_key(request).provider_id, code=code).first()
    if batch is None:
        _not_found(request, "api:get_batch")
    return _receipt_response(batch, 200)


def _receipt_response(batch: CompletionBatch, status: int) -> HttpResponse:
    """The receipt as JSON, written as built: it has the documented shape already, and
    validating a thousand rows again into models would cost as much as checking them."""
    return JsonResponse(batches.receipt(batch), status=status)
