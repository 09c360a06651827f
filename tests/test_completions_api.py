"""The completions API (``/api/v1/``): API keys (shown once, stored hashed, scoped, revocable,
audited), own activities and sessions, batches with an Idempotency-Key and a receipt per row,
and JSON errors for bad input (ASVS V13.1.1, V13.2.1, V4.1.3, V11.1.4, V2.10.4)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import time_machine
from django.test import Client

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.organisations.models import Contact
from peregister.providers import keys
from peregister.providers.models import ApiKey, CompletionBatch
from peregister.registry.models import Completion, LearningActivity, Session
from tests import factories
from tests.conftest import World, client_for, force_login_without_second_step
from tests.test_provider_sessions import DAY, participant, recognised, session_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_june() -> Iterator[None]:
    # Inside one minute, so the per-key rate limit counts in one window.
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


def api_key(world: World) -> str:
    return keys.create_api_key(actor=world.provider_admin.user, name="Administratie")[1]


def api(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, body: Any, key: str = "batch-1") -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        "/api/v1/completions", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def row(number: str, session: Session, day: dt.date = DAY) -> dict[str, str]:
    return {"registration_number": number, "session": str(session.code), "date": day.isoformat()}


def test_beheerder_creates_a_key_shown_once_and_stored_hashed(world: World) -> None:
    client = client_for(world.provider_admin.user)
    created = client.post("/aanbieder/api-sleutels/", {"name": "Administratie"})
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    raw = created.context["new_key"]
    assert raw.startswith("pe_")
    assert raw in created.content.decode()
    key = ApiKey.objects.get()
    assert key.digest == keys.digest(raw)
    assert raw not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert raw not in client.get("/aanbieder/api-sleutels/").content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_CREATED).count() == 1
    assert api(raw).get("/api/v1/activities").status_code == 200

    revoked = client.post(f"/aanbieder/api-sleutels/{key.code}/intrekken/")
    assert revoked.status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_REVOKED).count() == 1
    assert api(raw).get("/api/v1/activities").status_code == 401


def test_only_the_providers_beheerder_manages_keys(world: World) -> None:
    user = factories.ContactFactory.create(organisation=world.provider_admin.organisation)
    for actor in (user.user, world.administrator.user, world.staff):
        assert client_for(actor).get("/aanbieder/api-sleutels/").status_code == 404
    other = keys.create_api_key(actor=world.provider_admin.user, name="X")[0]
    other_provider_admin = factories.ContactFactory.create(
        organisation=factories.ProviderFactory.create(), role=Contact.Role.ADMINISTRATOR
    )
    response = client_for(other_provider_admin.user).post(
        f"/aanbieder/api-sleutels/{other.code}/intrekken/"
    )
    assert response.status_code == 404
    assert ApiKey.objects.get(pk=other.pk).revoked_at is None


@pytest.mark.parametrize("header", ["", "Bearer pe_wrong", "Basic abc", "Bearer "])
def test_without_a_valid_key_every_endpoint_answers_401_json(world: World, header: str) -> None:
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    for response in (
        client.get("/api/v1/activities"),
        post(client, {"rows": []}),
    ):
        assert response.status_code == 401
        assert response.json() == {"message": "Geen geldige API-sleutel."}


def test_a_key_stops_when_its_maker_may_no_longer_act(world: World) -> None:
    raw = api_key(world)
    Contact.objects.filter(pk=world.provider_admin.pk).update(role=Contact.Role.CONTACT)
    Contact.objects.filter(pk=world.provider_admin.pk).update(active=False)
    assert api(raw).get("/api/v1/activities").status_code == 401
    # Review 15 F15: a security event names the key (never the key itself).
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCESS_DENIED)
    assert event.data["reason"] == "maker_cannot_act"
    assert event.data["prefix"] == raw[:10]
    assert raw not in json.dumps(event.data)


def test_a_revoked_key_is_a_security_event_at_most_five_times_an_hour(world: World) -> None:
    """Review 15 F15 (ASVS V7.2.1, V7.1.4): attempts with a revoked key are recorded for the
    register's security overview, but a client hammering with it cannot flood the audit
    table: five events per key per hour, the rest refused without a trace of their own."""
    raw = api_key(world)
    key = ApiKey.objects.get()
    keys.revoke_api_key(actor=world.provider_admin.user, key=key)
    client = api(raw)
    assert [client.get("/api/v1/activities").status_code for _ in range(8)] == [401] * 8
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED)
    assert events.count() == 5
    event = events.first()
    assert event is not None
    assert event.actor == world.provider_admin.user
    assert event.organisation == world.provider_admin.organisation
    assert (event.data["reason"], event.data["key"]) == ("revoked", str(key.code))
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_USED).exists()
    # An unknown key is no event (nothing to name; guessing is what the rate limit is for).
    assert api("pe_" + "x" * 40).get("/api/v1/activities").status_code == 401
    assert events.count() == 5


def test_own_activities_and_sessions_only(world: World) -> None:
    session = session_of(recognised(world))
    foreign = LearningActivity.objects.create(
        title="Elders",
        provider="Ander",
        kind="course",
        points=1,
        recognised_from=dt.date(2026, 1, 1),
        offered_by=factories.ProviderFactory.create(),
    )
    client = api(api_key(world))
    activities = client.get("/api/v1/activities").json()
    assert [a["title"] for a in activities] == ["Arbeidsrecht"]
    sessions = client.get(f"/api/v1/activities/{session.activity.code}/sessions").json()
    assert sessions[0]["code"] == str(session.code)
    missing = client.get(f"/api/v1/activities/{foreign.code}/sessions")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Niet gevonden."}


def test_a_batch_gets_a_receipt_per_row_and_a_retry_never_doubles(world: World) -> None:
    request = recognised(world)
    session = session_of(request)
    participant("7700001")
    participant("7700002", active=False)
    foreign_session = Session.objects.create(
        activity=LearningActivity.objects.create(
            title="Elders",
            provider="Ander",
            kind="course",
            points=1,
            recognised_from=dt.date(2026, 1, 1),
            offered_by=factories.ProviderFactory.create(),
        ),
        starts_on=DAY,
        ends_on=DAY,
        online=True,
        created_at=clock.now(),
    )
    assert request.activity is not None
    body = {
        "rows": [
            row("7700001", session),
            row("7700001", session),
            row("9999999", session),
            row("7700002", session),
            row("7700001", session, DAY + dt.timedelta(days=1)),
            row("7700001", foreign_session),
            {
                "registration_number": "7700001",
                "activity": str(request.activity.code),
                "date": "2026-03-01",
            },
        ]
    }
    client = api(api_key(world))
    first = post(client, body)
    assert first.status_code == 201
    receipt = first.json()
    assert [r["status"] for r in receipt["rows"]] == [
        "accepted",
        "duplicate",
        "unknown_number",
        "registration_not_active",
        "date_out_of_range",
        "unknown_session",
        "date_out_of_range",  # no session of the activity on that date
    ]
    assert receipt["accepted"] == 1
    assert Completion.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMPLETIONS_REGISTERED)
    assert event.data["batch"] == receipt["batch"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_USED).exists()

    again = post(client, body)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == receipt
    assert Completion.objects.count() == 1

    other_body = {"rows": [row("7700001", session, DAY)]}
    conflict = post(client, other_body)
    assert conflict.status_code == 409
    assert "Idempotency-Key" in conflict.json()["message"]
    assert (Completion.objects.count(), CompletionBatch.objects.count()) == (1, 1)

    later = client.get(f"/api/v1/completions/{receipt['batch']}")
    assert later.status_code == 200
    assert later.json() == receipt
    # A new key re-sending the row: the register already has it.
    assert post(client, other_body, key="batch-2").json()["rows"][0]["status"] == "duplicate"


def test_another_providers_batch_is_unknown(world: World) -> None:
    session = session_of(recognised(world))
    participant("7700001")
    receipt = post(api(api_key(world)), {"rows": [row("7700001", session)]}).json()
    other_admin = factories.ContactFactory.create(
        organisation=factories.ProviderFactory.create(), role=Contact.Role.ADMINISTRATOR
    )
    other = keys.create_api_key(actor=other_admin.user, name="Ander")[1]
    assert api(other).get(f"/api/v1/completions/{receipt['batch']}").status_code == 404
    # Review 15 F14: probing another provider's objects is a security event (ASVS V7.2.2).
    denied = AuditEvent.objects.get(action=AuditEvent.Action.ACCESS_DENIED)
    assert denied.actor == other_admin.user
    assert denied.organisation == other_admin.organisation
    assert denied.data["page"] == "api:get_batch"
    assert denied.data["api_key"] == other[:10]
    assert api(other).get(f"/api/v1/activities/{session.activity.code}/sessions").status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).count() == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ('{"rows": "veel"}', 422),
        ('{"rows": [{"registration_number": 7, "date": "gisteren"}]}', 422),
        ('{"rows": [], "extra": 1}', 422),
        ('{"rows": []}', 422),
        ('{"rows": [{"registration_number": "1", "date": "2026-06-10"}]}', 422),
        (
            '{"rows": [{"registration_number": "1", "date": "9999-01-01", "activity": null,'
            ' "session": "00000000-0000-0000-0000-000000000000"}]}',
            422,
        ),
        (
            '{"rows": [{"registration_number": "1", "date": "2026-06-10", "colour": "red",'
            ' "session": "00000000-0000-0000-0000-000000000000"}]}',
            422,
        ),
        ("[]", 422),
        ("null", 422),
        ('"rows"', 422),
        ('{"rows": null}', 422),
        ("", 422),  # no body: the batch is missing
        (
            '{"rows": [{"registration_number": "1", "date": "0001-01-01",'
            ' "session": "00000000-0000-0000-0000-000000000000"}]}',
            422,
        ),
        (
            '{"rows": [{"registration_number": "1", "date": "2026-02-30",'
            ' "session": "00000000-0000-0000-0000-000000000000"}]}',
            422,
        ),
        (
            '{"rows": [{"registration_number": ["1"], "date": 20260610, "session": "not-a-uuid"}]}',
            422,
        ),
    ],
)
def test_garbage_is_a_clear_4xx_and_writes_nothing(world: World, body: str, status: int) -> None:
    session_of(recognised(world))
    participant("7700001")
    response = post(api(api_key(world)), body)
    assert response.status_code == status
    assert response.json()["message"]
    assert not CompletionBatch.objects.exists()
    assert not Completion.objects.exists()


def test_too_many_rows_and_too_big_bodies(world: World) -> None:
    session = session_of(recognised(world))
    participant("7700001")
    client = api(api_key(world))
    over = post(client, {"rows": [row("7700001", session)] * 1001})
    assert over.status_code == 422
    assert over.json()["message"]
    huge = post(client, {"rows": [row(f"{n:07d}", session) for n in range(100_000)]})
    assert huge.status_code == 413
    assert huge.json()["message"]
    assert not Completion.objects.exists()


def test_a_missing_idempotency_key_is_refused(world: World) -> None:
    session = session_of(recognised(world))
    response = api(api_key(world)).post(
        "/api/v1/completions",
        json.dumps({"rows": [row("7700001", session)]}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Completion.objects.exists()


def test_rate_limited_per_key(world: World, settings: Any) -> None:
    settings.API_REQUESTS_PER_MINUTE = 2
    client = api(api_key(world))
    assert [client.get("/api/v1/activities").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/v1/activities")
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert refused.json()["message"]
    # Another key of another provider has its own allowance.
    other_admin = factories.ContactFactory.create(
        organisation=factories.ProviderFactory.create(), role=Contact.Role.ADMINISTRATOR
    )
    other = keys.create_api_key(actor=other_admin.user, name="Ander")[1]
    assert api(other).get("/api/v1/activities").status_code == 200


def test_the_docs_and_the_openapi_31_schema_are_public(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/static/ninja/swagger-ui" in docs.content.decode()


def test_a_batch_costs_the_same_queries_for_10_or_1000_rows(db: None, settings: Any) -> None:
    """Set-based: one lookup for all numbers, one bulk insert, one audit event per batch. Only
    the bulk insert is split into statements of the database's maximum size (SQLite)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.completions_api import api_once, make_subject

    settings.API_REQUESTS_PER_MINUTE = 10_000
    subject = make_subject(rows=1010, days=5)
    client = Client()
    # The first request of a minute opens the key's rate-limit window: not counted.
    api_once(client, replace(subject, numbers=subject.numbers[:1]), subject.first_day)
    counts = []
    for size, day in ((10, 1), (1000, 2)):
        numbers = subject.numbers[10 : 10 + size]
        with CaptureQueriesContext(connection) as queries:
            accepted = api_once(
                client, replace(subject, numbers=numbers), subject.first_day + dt.timedelta(day)
            )
        assert accepted == size
        inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "registry_completion"')]
        assert 1 <= len(inserts) <= 1 + size // 50
        counts.append(len(queries) - len(inserts))
    assert counts[0] == counts[1]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETIONS_REGISTERED).latest("pk")
    assert event.professionals.count() == 1000


def test_a_batch_costs_the_same_queries_for_1_or_many_sessions(db: None, settings: Any) -> None:
    """Review 15 F8: a batch naming many different sessions (and activities) is checked and
    registered in the same number of queries as one naming a single session."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.completions_api import make_subject
    from peregister.registry.models import LearningActivity

    settings.API_REQUESTS_PER_MINUTE = 10_000
    subject = make_subject(rows=60, days=50)
    # A second activity of the same provider with sessions of its own.
    activity = LearningActivity.objects.get(pk=subject.activity_id)
    other = LearningActivity.objects.create(
        title="Bench: tweede",
        provider=activity.provider,
        kind=activity.kind,
        points=2,
        recognised_from=activity.recognised_from,
        offered_by=activity.offered_by,
    )
    other_codes = {
        s.starts_on: str(s.code)
        for s in Session.objects.bulk_create(
            Session(
                activity=other,
                starts_on=day,
                ends_on=day,
                online=True,
                created_at=clock.now(),
            )
            for day in subject.session_codes
        )
    }
    days = sorted(subject.session_codes)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {subject.raw_key}")
    client.get("/api/v1/activities")  # opens the key's rate-limit window

    def batch(rows: list[dict[str, str]], key: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = post(client, {"rows": rows}, key=key)
        assert response.status_code == 201
        assert response.json()["accepted"] == len(rows)
        return len(queries)

    one = batch(
        [
            {
                "registration_number": number,
                "session": subject.session_codes[days[0]],
                "date": days[0].isoformat(),
            }
            for number in subject.numbers[:40]
        ],
        "one",
    )
    many = batch(
        [
            {
                "registration_number": number,
                "session": (other_codes if n % 2 else subject.session_codes)[days[1 + n]],
                "date": days[1 + n].isoformat(),
            }
            for n, number in enumerate(subject.numbers[:40])
        ],
        "many",
    )
    assert many == one
    event = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETIONS_REGISTERED).latest("pk")
    assert event.professionals.count() == 40
    assert len(event.data["sessions"]) == 40
    assert len(event.data["activities"]) == 2


def test_a_key_request_is_not_sent_to_the_second_step_a_session_owes(world: World) -> None:
    """The API authenticates by key alone (ASVS 2.10 / 13.1): a session cookie of a beheerder
    who has not passed the second step neither blocks nor authorises an API request."""
    raw = api_key(world)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    force_login_without_second_step(client, world.provider_admin.user)
    assert client.get("/aanbieder/api-sleutels/").status_code == 302
    assert client.get("/api/v1/activities").status_code == 200
    keyless = Client()
    force_login_without_second_step(keyless, world.provider_admin.user)
    assert keyless.get("/api/v1/activities").status_code == 401


def test_a_nul_or_control_character_is_a_422_before_any_query(world: World) -> None:
    """Review 15 F1: PostgreSQL refuses NUL in text; the API refuses it first (ASVS V5.1.3)."""
    session = session_of(recognised(world))
    client = api(api_key(world))
    for number in ("77\u000000001", "77\u001f1"):
        response = post(client, {"rows": [row(number, session)]})
        assert response.status_code == 422
        assert response.json()["message"]
    bad_key = post(client, {"rows": [row("7700001", session)]}, key="twee woorden")
    assert bad_key.status_code == 422
    assert not CompletionBatch.objects.exists()


def _multi_day_session(world: World) -> Session:
    request = recognised(world)
    return Session.objects.create(
        activity=request.activity,
        starts_on=DAY,
        ends_on=DAY + dt.timedelta(days=2),
        online=True,
        created_at=clock.now(),
    )


def test_one_number_on_two_days_of_a_session_counts_once(world: World) -> None:
    """Review 15 F2 and F3: one professional on two dates in one list is not a false
    conflict, and a multi-day session gives the activity's points once: the second day is a
    duplicate, in the same batch and in a later one."""
    session = _multi_day_session(world)
    participant("7700001")
    client = api(api_key(world))
    first = post(
        client,
        {"rows": [row("7700001", session), row("7700001", session, DAY + dt.timedelta(days=1))]},
    )
    assert first.status_code == 201
    assert [r["status"] for r in first.json()["rows"]] == ["accepted", "duplicate"]
    later = post(
        client, {"rows": [row("7700001", session, DAY + dt.timedelta(days=2))]}, key="batch-2"
    )
    assert later.json()["rows"][0]["status"] == "duplicate"
    assert Completion.objects.count() == 1


def test_one_number_on_two_dates_is_linked_once_in_the_audit(world: World) -> None:
    """Review 15 F2 at its root: ``record`` links a professional named twice once."""
    from django.db import transaction

    from peregister.audit.service import record

    professional = participant("7700001")
    with transaction.atomic():
        event = record(
            AuditEvent.Action.COMPLETIONS_REGISTERED,
            actor=world.staff,
            professionals=[professional.pk, professional.pk],
        )
    assert list(event.professionals.all()) == [professional]


def test_a_rate_limited_request_is_not_recorded_as_a_use(world: World, settings: Any) -> None:
    """Review 15 F6: refusals by the rate limit do not fill the audit trail."""
    settings.API_REQUESTS_PER_MINUTE = 2
    client = api(api_key(world))
    codes = [client.get("/api/v1/activities").status_code for _ in range(5)]
    assert codes == [200, 200, 429, 429, 429]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_USED).count() == 2


def test_a_batch_locks_its_activities_in_a_fixed_order(world: World) -> None:
    """Review 15 F7: two batches naming two activities in opposite order must not lock them
    crosswise (a deadlock on PostgreSQL): each batch locks its activities in one query, in
    ascending order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = session_of(recognised(world))
    second = session_of(recognised(world))
    assert first.activity_id < second.activity_id
    participant("7700001")
    client = api(api_key(world))
    with CaptureQueriesContext(connection) as queries:
        response = post(client, {"rows": [row("7700001", second), row("7700001", first)]})
    assert response.status_code == 201
    locks = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT "registry_learningactivity"') and " IN (" in q["sql"]
    ]
    assert len(locks) == 1
    assert (
        locks[0]
        .rstrip()
        .split("ORDER BY")[1]
        .strip()
        .startswith('"registry_learningactivity"."id" ASC')
    )


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nope", 404),
        ("get", "/api/v1/", 404),
        ("delete", "/api/v1/completions", 405),
        ("put", "/api/v1/activities", 405),
    ],
)
def test_errors_outside_the_operations_are_json_too(
    world: World, method: str, path: str, status: int
) -> None:
    """Review 15 F4: every API error is JSON with a message (ASVS V13.1.1)."""
    response = getattr(api(api_key(world)), method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]
    if status == 405:
        assert response["Allow"]


def test_the_api_answers_in_the_language_of_accept_language(world: World) -> None:
    """Dutch by default; ``Accept-Language: en`` gives the English catalogue's words for
    errors and for the receipt's messages (the UI itself ignores the header)."""
    session = session_of(recognised(world))
    participant("7700001")
    raw = api_key(world)
    assert Client().get("/api/v1/activities").json()["message"] == "Geen geldige API-sleutel."
    english = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,nl;q=0.5")
    assert english.get("/api/v1/activities").json()["message"] == "No valid API key."
    assert english.get("/api/v1/nope").json()["message"] == "Not found."
    keyed = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    receipt = post(keyed, {"rows": [row("7700001", session)]}).json()
    assert receipt["rows"][0]["message"] == "Registered."
    later = api(raw).get(f"/api/v1/completions/{receipt['batch']}")
    assert later.json()["rows"][0]["message"] == "Geregistreerd."
    assert "Accept-Language" in later["Vary"]
    assert Client(HTTP_ACCEPT_LANGUAGE="fr").get("/api/v1/nope").json()["message"] == (
        "Niet gevonden."
    )


def test_a_number_two_registers_use_needs_the_register_code(world: World) -> None:
    """Numbers are per register: the API never guesses whose number it is (issue 14)."""
    session = session_of(recognised(world))
    bop = factories.RegisterFactory.create(code="bop", name="Backofficeprofessional")
    participant("7700001")
    in_bop = factories.ProfessionalFactory.create(registration_number="7700001", register=bop)
    factories.RegistrationFactory.create(professional=in_bop, register=bop)
    client = api(api_key(world))
    ambiguous = post(client, {"rows": [row("7700001", session)]})
    assert ambiguous.json()["rows"][0]["status"] == "ambiguous_number"
    assert not Completion.objects.exists()
    chosen = post(
        client, {"rows": [{**row("7700001", session), "register_code": "bop"}]}, key="batch-2"
    )
    assert chosen.json()["rows"][0]["status"] == "accepted"
    assert Completion.objects.get().professional == in_bop


def test_at_most_ten_live_keys_per_provider(world: World) -> None:
    """Review 15 F12: the number of live keys is capped (ASVS V2.10.1: machine credentials
    kept to the few the service needs); a revoked key makes room again."""
    client = client_for(world.provider_admin.user)
    for n in range(keys.MAX_ACTIVE_KEYS):
        assert client.post("/aanbieder/api-sleutels/", {"name": f"Sleutel {n}"}).status_code == 201
    refused = client.post("/aanbieder/api-sleutels/", {"name": "Eén te veel"})
    assert refused.status_code == 400
    assert "al 10 werkende API-sleutels" in refused.content.decode()
    assert ApiKey.objects.count() == keys.MAX_ACTIVE_KEYS
    first = ApiKey.objects.earliest("pk")
    keys.revoke_api_key(actor=world.provider_admin.user, key=first)
    assert client.post("/aanbieder/api-sleutels/", {"name": "Vervanger"}).status_code == 201


def test_a_receipt_that_names_someone_unregistered_is_recorded_for_them(world: World) -> None:
    """Review 15 F10: a receipt telling a provider that a number's registration is not active
    is a lookup of that professional: recorded for them (ASVS V7.1.3); the registered rows are
    linked to the registration's own event, unknown numbers to nothing."""
    session = session_of(recognised(world))
    registered = participant("7700001")
    lapsed = participant("7700002", active=False)
    response = post(
        api(api_key(world)),
        {"rows": [row("7700001", session), row("7700002", session), row("7799999", session)]},
    )
    assert [r["status"] for r in response.json()["rows"]] == [
        "accepted",
        "registration_not_active",
        "unknown_number",
    ]
    checked = AuditEvent.objects.get(action=AuditEvent.Action.ATTENDANCE_CHECKED)
    assert list(checked.professionals.all()) == [lapsed]
    done = AuditEvent.objects.get(action=AuditEvent.Action.COMPLETIONS_REGISTERED)
    assert list(done.professionals.all()) == [registered]


def test_a_retry_with_explicit_nulls_is_the_same_body(world: World) -> None:
    """Review 1516 F5: the same rows, once with the optional keys left out and once sent as
    ``null`` (another serializer, a proxy), are one batch: the stored receipt, nothing twice."""
    session = session_of(recognised(world))
    participant("7700001")
    client = api(api_key(world))
    first = post(client, {"rows": [row("7700001", session)]})
    assert first.status_code == 201
    explicit = {**row("7700001", session), "activity": None, "register_code": None}
    again = post(client, {"rows": [explicit]})
    assert again.status_code == 200, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Completion.objects.count() == 1
