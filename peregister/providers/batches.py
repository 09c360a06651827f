"""A batch of completions sent by a provider's machine: rows resolved to the provider's own
sessions, registered through the one engine (``registry/completions.register_completions``),
answered with a receipt per row, and stored under its ``Idempotency-Key``.

The whole batch is one transaction: a refusal (a concurrent registration of the same lines)
leaves nothing behind. A retried batch (same key, same body) gets the stored receipt and
writes nothing; the same key with another body is a conflict.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.providers.models import ApiKey, CompletionBatch
from peregister.registry.attendance import Entry, entry
from peregister.registry.completions import LineStatus, Target, register_targets
from peregister.registry.models import LearningActivity, Session

MAX_ROWS = 1000

# What a check line means to the sending machine.
RECEIPT_STATUS = {
    LineStatus.OK: "accepted",
    LineStatus.ALREADY_REGISTERED: "duplicate",
    LineStatus.DUPLICATE: "duplicate",
    LineStatus.UNKNOWN: "unknown_number",
    LineStatus.AMBIGUOUS: "ambiguous_number",
    LineStatus.LEADING_ZEROS: "unknown_number",
    LineStatus.NOT_ACTIVE: "registration_not_active",
    LineStatus.OUTSIDE_SESSION: "date_out_of_range",
    LineStatus.NOT_RECOGNISED: "date_out_of_range",
    LineStatus.FUTURE_DATE: "date_out_of_range",
    LineStatus.INVALID: "invalid",
    LineStatus.SESSION_GONE: "unknown_session",  # cancelled while the batch was on its way
}
RECEIPT_STATUSES = sorted({*RECEIPT_STATUS.values(), "unknown_session", "unknown_activity"})


# One row as the API validated it (``providers.api.RowFields``: registration_number, date,
# and session or activity as a code string; register_code optional), not a copy of it.
Row = Mapping[str, Any]


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_without_nulls(item) for item in value]
    return value


def body_digest(payload: Any) -> str:
    """The same rows in any key order are the same body, and so are an optional key sent as
    ``null`` and the key left out (the validated rows keep whichever the client sent: a retry
    through another serializer, or a proxy that drops nulls, is still the same batch)."""
    canonical = json.dumps(
        _without_nulls(payload), sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _resolve(provider_id: int, rows: Sequence[Row]) -> list[Session | str]:
    """Each row's session of the provider's own, or why there is none (at most three queries)."""
    # Codes as the API checked them (UUID strings): compared in lower case, as ``str(UUID)``.
    session_codes = {row["session"].lower() for row in rows if row.get("session")}
    activity_codes = {
        row["activity"].lower() for row in rows if row.get("activity") and not row.get("session")
    }
    sessions = {
        str(s.code): s
        for s in Session.objects.select_related("activity").filter(
            activity__offered_by_id=provider_id, code__in=session_codes
        )
    }
    runs: dict[str, list[Session]] = {}
    activities: set[str] = set()
    if activity_codes:
        activities = {
            str(code)
            for code in LearningActivity.objects.filter(
                offered_by_id=provider_id, code__in=activity_codes
            ).values_list("code", flat=True)
        }
        for s in Session.objects.select_related("activity").filter(
            activity__offered_by_id=provider_id, activity__code__in=activity_codes
        ):
            runs.setdefault(str(s.activity.code), []).append(s)
    resolved: list[Session | str] = []
    for row in rows:
        session, activity = row.get("session"), row.get("activity")
        if session:
            resolved.append(sessions.get(session.lower()) or "unknown_session")
        elif activity and activity.lower() in activities:
            day = row["date"]
            covering = [s for s in runs.get(activity.lower(), []) if s.covers(day)]
            resolved.append(covering[0] if covering else "date_out_of_range")
        else:
            resolved.append("unknown_activity")
    return resolved


# Each row's message, in the language the request asked for (Accept-Language; Dutch by
# default): the stored receipt keeps only the status, so a receipt fetched later is worded
# for whoever fetches it.
MESSAGES = {
    "accepted": gettext_lazy("Geregistreerd."),
    "duplicate": gettext_lazy("Al geregistreerd voor deze activiteit en datum."),
    "unknown_number": gettext_lazy("Geen professional met dit registratienummer."),
    "ambiguous_number": gettext_lazy(
        "Dit registratienummer komt in meer registers voor: geef ook het register (code)."
    ),
    "registration_not_active": gettext_lazy("De professional heeft geen actieve registratie."),
    "date_out_of_range": gettext_lazy("De datum valt buiten de uitvoering of de erkenning."),
    "invalid": gettext_lazy("Het registratienummer of de datum is ongeldig."),
    "unknown_session": gettext_lazy("Onbekende uitvoering."),
    "unknown_activity": gettext_lazy("Onbekende activiteit, of geen uitvoering van u."),
}


def receipt(batch: CompletionBatch) -> dict[str, Any]:
    """The batch's receipt as the API answers it: a row per row sent, with its message."""
    stored = batch.receipt
    messages = {status: str(message) for status, message in MESSAGES.items()}
    rows = []
    for position, item in enumerate(stored["rows"], start=1):
        # Stored as [number, status]; receipts stored before that kept whole rows.
        number, status = (
            (item["registration_number"], item["status"]) if isinstance(item, dict) else item
        )
        rows.append(
            {
                "row": position,
                "registration_number": number,
                "status": status,
                "message": messages[status],
            }
        )
    return {
        "batch": str(batch.code),
        "received": stored["received"],
        "accepted": stored["accepted"],
        "rows": rows,
    }


def submit_batch(
    *, key: ApiKey, idempotency_key: str, rows: Sequence[Row], digest: str
) -> tuple[CompletionBatch, bool]:
    """Register ``rows`` for the key's provider; returns the batch and whether it was a replay."""
    if not rows or len(rows) > MAX_ROWS:
        raise Refused(_("Een batch heeft 1 tot 1.000 regels."), field="rows")
    existing = CompletionBatch.objects.filter(
        provider_id=key.provider_id, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return _replay(existing, digest)
    actor = key.created_by
    code = uuid.uuid4()
    try:
        with transaction.atomic():
            statuses: dict[int, str] = {}
            groups: dict[int, tuple[Session, list[Entry]]] = {}
            for position, (row, target) in enumerate(
                zip(rows, _resolve(key.provider_id, rows), strict=True), start=1
            ):
                if isinstance(target, str):
                    statuses[position] = target
                    continue
                groups.setdefault(target.pk, (target, []))[1].append(
                    entry(
                        position,
                        row["registration_number"].strip(),
                        row["date"],
                        row.get("register_code") or "",
                    )
                )
            # All sessions at once: a constant number of queries however many the batch names.
            checks = (
                register_targets(
                    actor=actor,
                    targets=[
                        Target(session.activity, entries, session)
                        for session, entries in groups.values()
                    ],
                    audit={"api_key": key.prefix, "batch": str(code)},
                )
                if groups
                else []
            )
            for check in checks:
                for line_entry, status in zip(check.entries, check.statuses, strict=True):
                    statuses[line_entry.position] = RECEIPT_STATUS[status]
            receipt_rows = [
                (row["registration_number"], statuses[position])
                for position, row in enumerate(rows, start=1)
            ]
            batch = CompletionBatch.objects.create(
                code=code,
                provider_id=key.provider_id,
                api_key=key,
                idempotency_key=idempotency_key,
                body_digest=digest,
                created_at=clock.now(),
                receipt={
                    "received": len(rows),
                    "accepted": sum(1 for _number, status in receipt_rows if status == "accepted"),
                    "rows": receipt_rows,
                },
            )
    except IntegrityError:
        # The same key sent twice at once: the first one's batch stands.
        winner = CompletionBatch.objects.filter(
            provider_id=key.provider_id, idempotency_key=idempotency_key
        ).first()
        if winner is None:
            raise
        return _replay(winner, digest)
    return batch, False


def _replay(batch: CompletionBatch, digest: str) -> tuple[CompletionBatch, bool]:
    if batch.body_digest != digest:
        raise Refused(
            _("Deze Idempotency-Key is al gebruikt voor een andere batch."), conflict=True
        )
    return batch, True
