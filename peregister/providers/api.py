"""The completions API for training providers (``/api/v1/``, assembled in ``config/api.py``).

A view like any other: each request is authenticated by an API key of one provider (401
otherwise), sees only that provider's objects (another provider's code is a 404) and writes
through the same services as the pages (``providers/batches.py`` → ``register_completions``),
acting as the beheerder who made the key. Every error is JSON with a ``message``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Header, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, model_validator

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


# The batch's own models are plain pydantic: ninja's ``Schema`` wraps every object in a
# validator that reads Django models too, which costs more than the rest of a 1,000-row batch.
class RowIn(BaseModel):
    """One completion: a registration number, a session of yours (or one of your activities,
    whose session on that date is found) and the date."""

    model_config = ConfigDict(extra="forbid")

    # No control characters (a NUL is refused by PostgreSQL text columns: a 500 otherwise).
    registration_number: Annotated[
        str, Field(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$")
    ]
    date: dt.date
    session: uuid.UUID | None = None
    activity: uuid.UUID | None = None
    # Numbers are per register: needed only for a number that more than one register uses.
    register_code: Annotated[str, Field(min_length=1, max_length=20)] | None = Field(
        default=None, description="The register's code; only needed when a number is in more."
    )

    @model_validator(mode="after")
    def _one_target(self) -> RowIn:
        if (self.session is None) == (self.activity is None):
            raise ValueError("give either session or activity")
        if not dt.date(2000, 1, 1) <= self.date <= dt.date(2100, 12, 31):
            raise ValueError("date out of range")
        return self


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
        raise Http404
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
    response: HttpResponse,
    payload: BatchIn,
    idempotency_key: Annotated[
        str,
        Header(alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$"),
    ],
) -> Any:
    """Register a batch of at most 1,000 completions; answers a receipt per row. Send the
    same ``Idempotency-Key`` again with the same body to get the same receipt (nothing is
    registered twice); with another body the answer is 409."""
    rows = [
        batches.Row(
            registration_number=row.registration_number,
            date=row.date,
            session=row.session,
            activity=row.activity,
            register=row.register_code or "",
        )
        for row in payload.rows
    ]
    batch, replayed = batches.submit_batch(
        key=_key(request),
        idempotency_key=idempotency_key,
        rows=rows,
        digest=batches.body_digest(payload.model_dump(mode="json")),
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(200 if replayed else 201, batches.receipt(batch))


@router.get("/completions/{code}", response={200: BatchReceipt, **ERRORS})
def get_batch(request: HttpRequest, code: uuid.UUID) -> Any:
    """A batch's receipt, later."""
    batch = CompletionBatch.objects.filter(provider_id=_key(request).provider_id, code=code).first()
    if batch is None:
        raise Http404
    return batches.receipt(batch)
