"""Issue 15: a 1,000-row completions batch through the API against a floor of the same rows
bulk-inserted, in the same run.

The subject is the whole request as a provider's machine makes it (``POST /api/v1/completions``
with a key and an ``Idempotency-Key``: authentication, rate limit, validation, the one engine's
check, the insert, the audit event, the stored receipt); the request's JSON is encoded before
the clock runs (the client's work, not the server's). The floor is ``bulk_create`` of the
same 1,000 ``Completion`` rows. Each repetition registers a new date (no duplicates), the two
interleaved; everything is rolled back afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import uuid
from dataclasses import dataclass
from typing import Any

MEASURE_NAME = "completions API: 1,000-row batch and its floor"  # as bench.run names it
RESULT_NAME = "completions API: 1,000-row batch"
ROWS = 1000
RATIO = 2.0


@dataclass
class Subject:
    raw_key: str
    session_codes: dict[dt.date, str]
    activity_id: int
    professional_ids: list[int]
    numbers: list[str]
    first_day: dt.date
    days: int


def make_subject(rows: int = ROWS, days: int = 60) -> Subject:
    """A provider with a key, an activity and a session of ``days`` days, and ``rows``
    professionals with an active registration (call inside a rolled-back transaction)."""
    from peregister.accounts.models import User
    from peregister.core import clock
    from peregister.organisations.models import Contact, Organisation
    from peregister.providers import keys
    from peregister.registry.models import (
        LearningActivity,
        Professional,
        Register,
        Registration,
        Session,
    )

    tag = uuid.uuid4().hex[:10]
    today = clock.today()
    provider = Organisation.objects.create(
        kind=Organisation.Kind.PROVIDER,
        name=f"Bench Opleider {tag}",
        kvk_number=f"8{int(tag, 16) % 10**7:07d}",
        street="Stationsplein 1",
        postcode="3511 AB",
        city="Utrecht",
        phone="030-1234567",
        email=f"info-{tag}@bench.invalid",
        status=Organisation.Status.AUTHORISED,
    )
    user = User.objects.create(username=f"bench-api-{tag}", email=f"{tag}@bench.invalid")
    Contact.objects.create(
        organisation=provider,
        user=user,
        role=Contact.Role.ADMINISTRATOR,
        name="Bench planning",
        email=user.email,
    )
    first_day = today - dt.timedelta(days=days)
    activity = LearningActivity.objects.create(
        title="Bench: arbeidsrecht",
        provider=provider.name,
        kind=LearningActivity.Kind.COURSE,
        points=4,
        recognised_from=first_day,
        offered_by=provider,
    )
    # A one-day session per day: each repetition registers the same people for another run
    # (an attendance counts once per session).
    sessions = Session.objects.bulk_create(
        Session(
            activity=activity,
            starts_on=first_day + dt.timedelta(days=n),
            ends_on=first_day + dt.timedelta(days=n),
            online=True,
            created_at=clock.now(),
        )
        for n in range(days)
    )
    register, _created = Register.objects.get_or_create(
        code="up",
        defaults={"name": "Uitzendprofessional", "points_required": 12, "period_months": 24},
    )
    professionals = Professional.objects.bulk_create(
        Professional(
            registration_number=f"B{tag[:6]}{i:05d}",
            register=register,
            initials="B.",
            last_name=f"Deelnemer {i}",
        )
        for i in range(rows)
    )
    if not all(p.pk for p in professionals):  # databases that return no keys on bulk insert
        professionals = list(
            Professional.objects.filter(registration_number__startswith=f"B{tag[:6]}")
        )
    Registration.objects.bulk_create(
        Registration(professional=p, register=register, registered_on=first_day)
        for p in professionals
    )
    raw = keys.create_api_key(actor=user, name="bench")[1]
    return Subject(
        raw_key=raw,
        session_codes={s.starts_on: str(s.code) for s in sessions},
        activity_id=activity.pk,
        professional_ids=[p.pk for p in professionals],
        numbers=[p.registration_number for p in professionals],
        first_day=first_day,
        days=days - 1,
    )


def batch_body(subject: Subject, day: dt.date) -> str:
    """The JSON a provider's machine sends for ``day``: made by the client, not the server."""
    return json.dumps(
        {
            "rows": [
                {
                    "registration_number": number,
                    "session": subject.session_codes[day],
                    "date": day.isoformat(),
                }
                for number in subject.numbers
            ]
        }
    )


def api_once(client: Any, subject: Subject, day: dt.date, body: str | None = None) -> int:
    """One batch through the API; ``body`` made beforehand (the measure times the server's
    work, not the client encoding its request)."""
    body = batch_body(subject, day) if body is None else body
    response = client.post(
        "/api/v1/completions",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {subject.raw_key}",
        HTTP_IDEMPOTENCY_KEY=f"bench-{day.isoformat()}",
    )
    if response.status_code != 201:
        raise RuntimeError(f"API answered {response.status_code}: {response.content[:300]!r}")
    accepted = response.json()["accepted"]
    if accepted != len(subject.numbers):
        raise RuntimeError(f"only {accepted} of {len(subject.numbers)} rows accepted")
    return int(accepted)


def floor_once(subject: Subject, day: dt.date) -> int:
    """The same rows as one bulk INSERT: what registering them costs at the least."""
    from peregister.registry.models import Completion

    Completion.objects.bulk_create(
        Completion(
            professional_id=pk,
            activity_id=subject.activity_id,
            title="Bench: arbeidsrecht",
            provider="Bench Opleider",
            kind="course",
            points=4,
            completed_on=day,
            source=Completion.Source.ATTENDANCE,
        )
        for pk in subject.professional_ids
    )
    return len(subject.professional_ids)


def measure(s: Any, reps: int) -> list[Any]:
    """The hook for ``bench.run``: one ``Result`` of group ``api``."""
    from django.test import Client
    from django.test.utils import override_settings

    from bench.export import rolled_back
    from bench.measures import Result, interleaved

    reps = max(3, min(reps, 20))
    with rolled_back(), override_settings(API_REQUESTS_PER_MINUTE=10_000):
        subject = make_subject(days=2 * (reps + 1) + 2)
        client = Client()
        # Even days through the API, odd days for the floor; each request's body is made
        # before the clock runs, as a client's machine makes it.
        api_days = [subject.first_day + dt.timedelta(days=n) for n in range(0, subject.days, 2)]
        floor_days = iter(
            subject.first_day + dt.timedelta(days=n) for n in range(1, subject.days, 2)
        )
        bodies = iter([(day, batch_body(subject, day)) for day in api_days])
        api_samples, floor_samples = interleaved(
            [
                lambda: api_once(client, subject, *next(bodies)),
                lambda: floor_once(subject, next(floor_days)),
            ],
            reps,
        )
    return [
        Result(
            RESULT_NAME,
            "api",
            seconds=statistics.median(api_samples),
            samples=api_samples,
            rows=ROWS,
            floor_seconds=statistics.median(floor_samples),
            floor_name="bulk_create of the same rows",
        )
    ]


def bars(results: list[Any]) -> list[Any]:
    """PASS/FAIL for ``bench.run``; a missing or crashed measure is a FAIL, never silence."""
    from bench.run import Bar

    found = next((r for r in results if r.name == RESULT_NAME), None)
    crashed = next((r for r in results if r.name == MEASURE_NAME and (r.error or r.skipped)), None)
    if found is None or found.ratio is None:
        reason = f"crashed: {crashed.error or crashed.skipped}" if crashed else "not measured"
        return [Bar(f"{RESULT_NAME} within {RATIO:.0f}× its floor", False, reason)]
    return [
        Bar(
            f"{RESULT_NAME} within {RATIO:.0f}× bulk insert of the same rows",
            found.ratio <= RATIO,
            f"{found.seconds * 1000:,.1f} ms vs {found.floor_seconds * 1000:,.1f} ms "
            f"= {found.ratio:.2f}×",
        )
    ]
