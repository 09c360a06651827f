"""What a *PE-verklaring* says: collected once, written as an Open Badges 3.0 credential.

``collect()`` reads the registration on a moment and keeps what the professional chose to
include. ``credential()`` writes that as a W3C Verifiable Credential in the Open Badges 3.0
``AchievementCredential`` (``OpenBadgeCredential``) shape, in Dutch, the register's language.
``read()`` turns a (verified) credential back into the same ``Content``: the PDF and the public
page render from the signed credential, so the three forms cannot say different things.

Statuses are signed as stable codes (``active``, ``on_track``…), each with its Dutch label as
the achieved rubric level next to it. Pages render the label from the code when they read it,
so renaming or translating a label never changes what an issued statement means; a code this
version no longer knows shows the label it was signed with.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

from peregister.core import clock
from peregister.registry.models import PePeriod, Registration
from peregister.registry.periods import PeriodStatus

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
# Fragments naming the three results a statement can carry, on the achievement's id.
REGISTRATION_STATUS = "registratiestatus"
PERIOD_STATUS = "periodestatus"
POINTS = "pe-punten"


class MalformedCredential(ValueError):
    """A credential this register did not write (or not in this shape)."""


@dataclass(frozen=True)
class Choices:
    """What the professional includes besides name, register, status and date."""

    registration_number: bool = True
    period: bool = True
    points: bool = True


@dataclass(frozen=True)
class Content:
    """The facts of one statement; optional parts are ``None`` when left out."""

    name: str
    register_code: str
    register_name: str
    criteria: str  # the register's rule, in Dutch, as the credential states it
    registration_status: str  # Registration.Status value
    registration_status_text: str  # its label as signed (Dutch)
    issued_at: dt.datetime
    valid_until: dt.datetime
    registration_number: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    period_status: str | None = None  # PeriodStatus value
    period_status_text: str | None = None  # its label as signed (Dutch)
    points_earned: int | None = None
    points_required: int | None = None

    @property
    def on(self) -> dt.date:
        """The (Amsterdam) date the statement speaks for."""
        return clock.local_date(self.issued_at)

    @property
    def registration_status_label(self) -> str:
        return _label(Registration.Status, self.registration_status, self.registration_status_text)

    @property
    def period_status_label(self) -> str:
        if self.period_status is None:
            return ""
        return _label(PeriodStatus, self.period_status, self.period_status_text or "")


def _label(choices: Any, code: str, signed: str) -> str:
    """Today's label of ``code`` in the page's language; the signed text for an unknown code."""
    try:
        return str(choices(code).label)
    except ValueError:
        return signed


def _dutch_labels(choices: Any) -> dict[str, str]:
    with translation.override("nl"):
        return {str(value): str(label) for value, label in choices.choices}


def current_period(registration: Registration, on: dt.date) -> PePeriod | None:
    return (
        PePeriod.objects.with_progress()
        .filter(registration=registration)
        .current(on)
        .order_by("-start")
        .first()
    )


def collect(
    registration: Registration,
    choices: Choices,
    *,
    issued_at: dt.datetime,
    valid_until: dt.datetime,
) -> Content:
    """The statement's facts as they are at ``issued_at``, limited to ``choices``."""
    professional = registration.professional
    register = registration.register
    period = current_period(registration, clock.local_date(issued_at))
    progress = period.progress(clock.local_date(issued_at)) if period else None
    period_status = str(progress.status.value) if progress and choices.period else None
    return Content(
        name=professional.full_name,
        register_code=register.code,
        register_name=register.name,
        criteria=(
            f"{register.points_required} PE-punten in elke PE-periode van "
            f"{register.period_months} maanden."
        ),
        registration_status=registration.status,
        registration_status_text=_dutch_labels(Registration.Status)[registration.status],
        issued_at=issued_at,
        valid_until=valid_until,
        registration_number=professional.registration_number
        if choices.registration_number
        else None,
        period_start=progress.start if progress and choices.period else None,
        period_end=progress.end if progress and choices.period else None,
        period_status=period_status,
        period_status_text=_dutch_labels(PeriodStatus)[period_status] if period_status else None,
        points_earned=progress.points_earned if progress and choices.points else None,
        points_required=progress.points_required if progress and choices.points else None,
    )


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_start(day: dt.date) -> str:
    return clock.start_of_day(day).isoformat()


def _day_end(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=clock.AMSTERDAM).isoformat()


def achievement_id(register_code: str) -> str:
    return f"{settings.SITE_URL}/registers/{register_code}"


class _Results:
    """The achievement's result descriptions and the subject's results, added in pairs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.descriptions: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] = []

    def add(self, fragment: str, value: str, **description: Any) -> dict[str, Any]:
        identifier = f"{self.base}#{fragment}"
        self.descriptions.append({"id": identifier, "type": ["ResultDescription"], **description})
        result = {"type": ["Result"], "resultDescription": identifier, "value": value}
        self.results.append(result)
        return result

    def add_status(self, fragment: str, code: str, choices: Any, *, name: str) -> None:
        """A status as its stable code, with every code's Dutch label as a rubric level; the
        result names the level it achieved."""
        labels = _dutch_labels(choices)
        result = self.add(
            fragment,
            code,
            name=name,
            resultType="Status",
            allowedValue=list(labels),
            rubricCriterionLevel=[
                {
                    "id": self.level_id(fragment, value),
                    "type": ["RubricCriterionLevel"],
                    "name": label,
                }
                for value, label in labels.items()
            ],
        )
        result["achievedLevel"] = self.level_id(fragment, code)

    def level_id(self, fragment: str, code: str) -> str:
        return f"{self.base}#{fragment}-{code}"


def credential(content: Content, *, code: str) -> dict[str, Any]:
    """The Open Badges 3.0 credential (VC Data Model 2.0) for ``content``; Dutch texts."""
    base = achievement_id(content.register_code)
    results = _Results(base)
    results.add_status(
        REGISTRATION_STATUS,
        content.registration_status,
        Registration.Status,
        name="Status PE-registratie",
    )
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": content.name,
            }
        ],
    }
    if content.registration_number is not None:
        subject["licenseNumber"] = content.registration_number
    if content.period_start is not None and content.period_end is not None:
        subject["activityStartDate"] = _day_start(content.period_start)
        subject["activityEndDate"] = _day_end(content.period_end)
        results.add_status(
            PERIOD_STATUS,
            content.period_status or "",
            PeriodStatus,
            name="Status huidige PE-periode",
        )
    if content.points_earned is not None and content.points_required is not None:
        subject["creditsEarned"] = float(content.points_earned)
        results.add(
            POINTS,
            str(content.points_earned),
            name="PE-punten in de huidige PE-periode",
            resultType="RawScore",
            valueMin="0",
            requiredValue=str(content.points_required),
        )
    subject["achievement"] = {
        "id": base,
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": content.register_name,
        "description": f"PE-registratie in het register {content.register_name}.",
        "criteria": {"narrative": content.criteria},
        "resultDescription": results.descriptions,
    }
    subject["result"] = results.results
    return {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{code}",
        "type": CREDENTIAL_TYPES,
        "name": "PE-verklaring",
        "description": (
            f"Verklaring van {settings.SITE_NAME} over de PE-registratie van {content.name} "
            f"op {content.on.isoformat()}."
        ),
        "issuer": {"id": settings.SITE_URL, "type": ["Profile"], "name": settings.SITE_NAME},
        "validFrom": _timestamp(content.issued_at),
        "validUntil": _timestamp(content.valid_until),
        "credentialSubject": subject,
    }


def _parse_timestamp(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise MalformedCredential("timestamp")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedCredential("timestamp") from None
    if moment.tzinfo is None:
        raise MalformedCredential("timestamp without zone")
    return moment


def _status(
    results: dict[str, dict[str, Any]], descriptions: dict[str, Any], fragment: str
) -> tuple[str, str]:
    """A status result's code and the label it was signed with (its achieved rubric level).

    Statements signed before codes were used carry the label as the value: it is both."""
    result = results[fragment]
    code = result["value"]
    if not isinstance(code, str) or not code:
        raise MalformedCredential("status")
    levels = descriptions[fragment].get("rubricCriterionLevel") or []
    signed = next(
        (level["name"] for level in levels if level.get("id") == result.get("achievedLevel")),
        code,
    )
    return code, str(signed)


def read(document: dict[str, Any]) -> Content:
    """The ``Content`` a credential written by ``credential()`` carries."""
    try:
        subject = document["credentialSubject"]
        achievement = subject["achievement"]
        base = achievement["id"]
        results = {
            str(result["resultDescription"]).removeprefix(f"{base}#"): result
            for result in subject["result"]
        }
        descriptions = {
            str(item["id"]).removeprefix(f"{base}#"): item
            for item in achievement["resultDescription"]
        }
        name = next(
            item["identityHash"]
            for item in subject["identifier"]
            if item.get("identityType") == "name"
        )
        start = subject.get("activityStartDate")
        end = subject.get("activityEndDate")
        has_points = POINTS in results
        registration_status, registration_status_text = _status(
            results, descriptions, REGISTRATION_STATUS
        )
        period_status, period_status_text = (
            _status(results, descriptions, PERIOD_STATUS) if start else (None, None)
        )
        return Content(
            name=str(name),
            register_code=str(base).rsplit("/", 1)[-1],
            register_name=str(achievement["name"]),
            criteria=str(achievement["criteria"]["narrative"]),
            registration_status=registration_status,
            registration_status_text=registration_status_text,
            issued_at=_parse_timestamp(document["validFrom"]),
            valid_until=_parse_timestamp(document["validUntil"]),
            registration_number=subject.get("licenseNumber"),
            period_start=clock.local_date(_parse_timestamp(start)) if start else None,
            period_end=clock.local_date(_parse_timestamp(end)) if end else None,
            period_status=period_status,
            period_status_text=period_status_text,
            points_earned=int(results[POINTS]["value"]) if has_points else None,
            points_required=int(descriptions[POINTS]["requiredValue"]) if has_points else None,
        )
    except (KeyError, TypeError, ValueError, StopIteration, AttributeError) as exc:
        raise MalformedCredential("not a PE-verklaring credential") from exc
