"""Issue 16: the HR API — an employer's HR system reads its *rapportage* with an API token.

What it proves: the answers are the report's rows (same generator, same access rule, at the
request's own moment), an ended grant is gone at once and shows up in the ``changes`` feed as
no longer visible, pages are cursor based with a constant number of queries, every answer is
recorded for the professionals in it, and a revoked, expired or orphaned token, or a
suspended organisation, gets 401 JSON (ASVS V2.10.1/V3.5.2: machine credentials are
revocable and scoped; V4.1.3: least privilege; V7.1.3: every use is audited).
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peregister.access import policies
from peregister.access.log import grouped_access_log, log_lines
from peregister.access.models import AccessGrant
from peregister.access.services import change_grant_end, grant_access, revoke_access
from peregister.accounts.apikeys import digest
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.pagination import encode_cursor
from peregister.organisations.models import Contact, Organisation
from peregister.providers import keys
from peregister.registry import completions  # noqa: F401 - the writers of points
from peregister.registry.models import PePeriod
from peregister.reports import changes, tokens
from peregister.reports.rows import report_rows
from tests import factories
from tests.conftest import World, client_for

AMS = clock.AMSTERDAM
LIST = "/api/v1/organisation/professionals"
CHANGES = "/api/v1/organisation/changes"


def _crafted(*values: Any) -> str:
    """A well-formed cursor with values no answer gives (a client's own making)."""
    return encode_cursor(values[0], list(values[1:]))


def _get(raw: str, path: str, **params: Any) -> Any:
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {raw}")


def _token(world: World, **kwargs: Any) -> str:
    return tokens.create_token(actor=world.administrator.user, name="AFAS", **kwargs)[1]


def _walk(raw: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        answer = _get(raw, LIST, **params)
        assert answer.status_code == 200, answer.content
        items += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the walk did not end")


def _add_professionals(world: World, count: int, contact: Contact | None = None) -> list[Any]:
    added = []
    for n in range(count):
        registration = factories.RegistrationFactory(
            professional=factories.ProfessionalFactory(last_name=f"Zeeman{n:03d}")
        )
        factories.PePeriodFactory(registration=registration)
        factories.AccessGrantFactory(
            professional=registration.professional, contact=contact or world.contact_live
        )
        added.append(registration.professional)
    return added


# --- tokens: shown once, stored hashed, audited --------------------------------------------


def test_the_beheerder_makes_a_token_shown_once_and_stored_as_a_digest(world: World) -> None:
    client = client_for(world.administrator.user)
    page = client.post("/werkgever/api-tokens/", {"name": "AFAS HR", "expires_on": "31-12-2030"})
    assert page.status_code == 201
    assert page["Cache-Control"] == "no-store"
    token = world.organisation.api_tokens.get()
    raw = page.context["new_token"]
    assert raw.startswith("peo_")
    assert raw.encode() in page.content
    assert token.digest == digest(raw)
    assert raw not in token.digest
    assert token.expires_on == dt.date(2030, 12, 31)
    # Shown once: the list page afterwards shows the prefix only.
    assert raw.encode() not in client.get("/werkgever/api-tokens/").content
    created = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_CREATED)
    assert created.organisation == world.organisation
    assert created.data["kind"] == "organisationtoken"


def test_the_token_page_refuses_garbage_with_a_message_and_no_token(world: World) -> None:
    client = client_for(world.deputy.user)
    for data in (
        {"name": ""},
        {"name": "x" * 101},
        {"name": "A", "expires_on": "01-01-2000"},
        {"name": "A", "expires_on": "31-02-2030"},
        {"name": "A", "expires_on": "9999-12-31"},
    ):
        answer = client.post("/werkgever/api-tokens/", data)
        assert answer.status_code == 400, data
    assert not world.organisation.api_tokens.exists()


def test_a_contact_without_the_report_can_neither_see_nor_make_tokens(world: World) -> None:
    client = client_for(world.contact_live.user)
    assert client.get("/werkgever/api-tokens/").status_code == 404
    assert client.post("/werkgever/api-tokens/", {"name": "x"}).status_code == 404
    with pytest.raises(Exception, match="beheerder"):
        tokens.create_token(actor=world.contact_live.user, name="x")


def test_revoked_token_answers_401_and_revocation_is_audited(world: World) -> None:
    raw = _token(world)
    assert _get(raw, LIST).status_code == 200
    token = world.organisation.api_tokens.get()
    answer = client_for(world.deputy.user).post(f"/werkgever/api-tokens/{token.code}/intrekken/")
    assert answer.status_code == 302
    refused = _get(raw, LIST)
    assert refused.status_code == 401
    assert refused.json() == {"message": "Geen geldige API-sleutel."}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_REVOKED).count() == 1
    # Another organisation's beheerder cannot revoke De Brug's token: 404 like an unknown one.
    other = client_for(world.other_org_admin.user)
    assert other.post(f"/werkgever/api-tokens/{token.code}/intrekken/").status_code == 404


def test_each_use_is_audited_as_the_maker(world: World) -> None:
    raw = _token(world)
    _get(raw, LIST)
    used = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_USED)
    assert used.actor == world.administrator.user
    assert used.organisation == world.organisation
    assert world.organisation.api_tokens.get().last_used_at is not None


def test_a_token_works_up_to_and_including_its_date_amsterdam(world: World) -> None:
    with time_machine.travel(dt.datetime(2027, 3, 1, 12, 0, tzinfo=AMS), tick=False):
        raw = _token(world, expires_on=dt.date(2027, 3, 10))
    with time_machine.travel(dt.datetime(2027, 3, 10, 23, 59, tzinfo=AMS), tick=False):
        assert _get(raw, LIST).status_code == 200
    with time_machine.travel(dt.datetime(2027, 3, 11, 0, 0, tzinfo=AMS), tick=False):
        assert _get(raw, LIST).status_code == 401


def test_suspended_organisation_or_deactivated_maker_gets_401(world: World) -> None:
    raw = _token(world)
    Organisation.objects.filter(pk=world.organisation.pk).update(
        status=Organisation.Status.SUSPENDED
    )
    assert _get(raw, LIST).status_code == 401
    Organisation.objects.filter(pk=world.organisation.pk).update(
        status=Organisation.Status.AUTHORISED
    )
    assert _get(raw, LIST).status_code == 200
    # A token acts as its maker: when the 2e contactpersoon who made it is deactivated, it stops.
    deputys = tokens.create_token(actor=world.deputy.user, name="Planning")[1]
    assert _get(deputys, LIST).status_code == 200
    Contact.objects.filter(pk=world.deputy.pk).update(active=False)
    assert _get(deputys, LIST).status_code == 401


def test_provider_keys_and_organisation_tokens_do_not_open_each_others_endpoints(
    world: World,
) -> None:
    raw = _token(world)
    provider_key = keys.create_api_key(actor=world.provider_admin.user, name="p")[1]
    assert _get(provider_key, LIST).status_code == 401
    assert _get(raw, "/api/v1/activities").status_code == 401
    assert _get("peo_" + "x" * 43, LIST).status_code == 401


def test_rate_limited_like_provider_keys(world: World, settings: Any) -> None:
    settings.API_REQUESTS_PER_MINUTE = 2
    raw = _token(world)
    assert [_get(raw, LIST).status_code for _ in range(3)] == [200, 200, 429]
    answer = _get(raw, LIST)
    assert answer["Retry-After"] == "60"
    assert "message" in answer.json()
    # Refused requests are not uses: only the two admitted ones are in the audit trail.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_USED).count() == 2


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "abc"},
        {"cursor": "garbage"},
        {"cursor": "x" * 700},
        {"cursor": "WyJjaGFuZ2VzIiwiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsMV0"},  # a changes cursor
        {"cursor": "WyJsaXN0IiwxLDIsM10"},  # ["list", 1, 2, 3]: wrong types
        {"cursor": _crafted("list", "a", "b", 10**30)},
        {"cursor": _crafted("list", "a\x00", "b", 1)},
        {"cursor": _crafted("list", "a", "b", -1)},
        # Review 16 F6: a lone surrogate is valid JSON but no database text.
        {"cursor": "WyJsaXN0IiwgImEiLCAiXHVkODAwIiwgMV0"},
        {"cursor": _crafted("list", "\ud800", "b", 1)},
    ],
)
def test_garbage_input_is_a_clear_4xx_json(world: World, params: dict[str, str]) -> None:
    answer = _get(_token(world), LIST, **params)
    assert 400 <= answer.status_code < 500
    assert answer.json()["message"]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "WyJsaXN0IiwiYSIsImIiLDFd",
        "WyJjaGFuZ2VzIiwibm90IGEgZGF0ZSIsMV0",
        _crafted("changes", "2026-01-01T00:00:00+00:00", 10**30),
        _crafted("changes", "0001-01-01T00:00:00+00:00", 1),
        _crafted("changes", "9999-12-31T23:59:59+00:00", 1),
        _crafted("changes", "2026-01-01T00:00:00", 1),
    ],
)
def test_garbage_changes_cursor_is_a_400(world: World, cursor: str) -> None:
    answer = _get(_token(world), CHANGES, cursor=cursor)
    assert answer.status_code == 400
    assert "cursor" in answer.json()["message"]


# --- exactly the report ---------------------------------------------------------------------


def test_the_list_is_the_report_rows(world: World) -> None:
    second = factories.RegistrationFactory(
        professional=world.professional,
        register=factories.RegisterFactory(code="pb", name="Payroll Business"),
    )
    factories.PePeriodFactory(registration=second, points_required=40)
    _add_professionals(world, 3, contact=world.deputy)
    factories.AccessGrantFactory(
        professional=world.other_professional, contact=world.other_org_admin
    )
    raw = _token(world)
    items = _walk(raw, limit=2)
    scope = policies.report_scope(world.administrator.user)
    assert scope is not None
    expected = [
        (
            str(r.professional_code),
            r.registration_number,
            r.register,
            r.period_end,
            r.points_earned,
            r.points_required,
            r.status,
            r.dossier_submitted,
            r.contacts,
            r.forecast_points,
            r.at_risk,
        )
        for r in report_rows(scope)
    ]
    got = [
        (
            i["professional"],
            i["registration_number"],
            i["register_name"],
            dt.date.fromisoformat(i["period_end"]) if i["period_end"] else None,
            i["points_earned"],
            i["points_required"],
            i["status"],
            i["renewal_submitted"],
            i["contacts"],
            i["forecast_points"],
            i["at_risk"],
        )
        for i in items
    ]
    assert got == expected
    assert len(got) == 5  # 4 professionals, one of them with two registrations
    assert any(i["forecast_points"] is not None for i in items)
    assert str(world.other_professional.code) not in {i["professional"] for i in items}


def test_one_professional_and_404_for_anyone_not_in_the_report(world: World) -> None:
    raw = _token(world)
    answer = _get(raw, f"{LIST}/{world.professional.code}")
    assert answer.status_code == 200
    assert answer.json()["rows"][0]["registration_number"] == world.professional.registration_number
    # Granted to another organisation only; unknown; malformed: the same 404.
    factories.AccessGrantFactory(
        professional=world.other_professional, contact=world.other_org_admin
    )
    missing = [
        _get(raw, f"{LIST}/{world.other_professional.code}"),
        _get(raw, f"{LIST}/{uuid.uuid4()}"),
    ]
    assert [a.status_code for a in missing] == [404, 404]
    assert missing[0].json() == missing[1].json() == {"message": "Niet gevonden."}
    assert _get(raw, f"{LIST}/not-a-uuid").status_code in (404, 422)


def test_an_ended_grant_disappears_at_once(world: World) -> None:
    raw = _token(world)
    assert [i["professional"] for i in _walk(raw, 10)] == [str(world.professional.code)]
    grant = AccessGrant.objects.get(contact=world.contact_live, revoked_at__isnull=True)
    revoke_access(actor=world.professional.user, grant=grant)
    assert _walk(raw, 10) == []
    assert _get(raw, f"{LIST}/{world.professional.code}").status_code == 404


def test_a_grant_to_a_deactivated_contact_is_not_in_the_answers(world: World) -> None:
    raw = _token(world)
    Contact.objects.filter(pk=world.contact_live.pk).update(active=False)
    assert _walk(raw, 10) == []


def test_pages_cost_the_same_number_of_queries(world: World) -> None:
    _add_professionals(world, 12)
    raw = _token(world)
    first = _get(raw, LIST, limit=3)

    def count(**params: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _get(raw, LIST, **params).status_code == 200
        return len(captured.captured_queries)

    small = count(limit=3, cursor=first.json()["next_cursor"])
    large = count(limit=10)
    assert small == large
    _add_professionals(world, 10)
    assert count(limit=10) == small


def test_a_page_walk_meets_everyone_once_in_order_even_with_equal_names(world: World) -> None:
    _add_professionals(world, 4)
    for _ in range(3):  # same first and last name: the id breaks the tie
        registration = factories.RegistrationFactory(
            professional=factories.ProfessionalFactory(initials="A.", last_name="Jansen")
        )
        factories.AccessGrantFactory(professional=registration.professional, contact=world.deputy)
    raw = _token(world)
    walked = [i["professional"] for i in _walk(raw, 1)]
    assert len(walked) == len(set(walked)) == 8
    assert walked == [i["professional"] for i in _walk(raw, 100)]


# --- recorded for the professional ----------------------------------------------------------


def _hr_lines(professional: Any) -> list[tuple[dt.date, str | None, int, str]]:
    return sorted(
        (line.day, line.token, line.times, line.first.astimezone(AMS).strftime("%H:%M"))
        for line in log_lines(list(grouped_access_log(professional)))
        if line.action == AuditEvent.Action.HR_API_READ
    )


def test_every_answer_naming_a_professional_is_in_their_access_log_once_per_token_per_day(
    world: World,
) -> None:
    with time_machine.travel(dt.datetime(2027, 5, 4, 9, 0, tzinfo=AMS), tick=False):
        raw = _token(world)
        _get(raw, LIST)
        _get(raw, f"{LIST}/{world.professional.code}")
    # Later the same Amsterdam day (21:30 UTC): nothing more.
    with time_machine.travel(dt.datetime(2027, 5, 4, 23, 30, tzinfo=AMS), tick=False):
        _get(raw, LIST)
        _changes(raw)
    assert _hr_lines(world.professional) == [(dt.date(2027, 5, 4), "AFAS", 1, "09:00")]
    # Past the Amsterdam midnight (22:30 UTC, still 4 May in UTC): a new day, a new line;
    # another token its own.
    with time_machine.travel(dt.datetime(2027, 5, 5, 0, 30, tzinfo=AMS), tick=False):
        _get(raw, LIST)
        other = tokens.create_token(actor=world.deputy.user, name="Planning")[1]
        _get(other, LIST)
    with time_machine.travel(dt.datetime(2027, 5, 5, 8, 0, tzinfo=AMS), tick=False):
        _get(raw, LIST)
        _get(other, f"{LIST}/{world.professional.code}")
    assert _hr_lines(world.professional) == [
        (dt.date(2027, 5, 4), "AFAS", 1, "09:00"),
        (dt.date(2027, 5, 5), "AFAS", 1, "00:30"),
        (dt.date(2027, 5, 5), "Planning", 1, "00:30"),
    ]
    page = client_for(world.professional.user).get("/mijn/wie-bekeek-mijn-dossier/")
    assert "opgevraagd via HR-koppeling “AFAS”" in page.content.decode()
    assert "één regel per token per dag" in page.content.decode()


def test_someone_first_shown_later_in_the_day_joins_the_token_line_of_that_day(
    world: World,
) -> None:
    with time_machine.travel(dt.datetime(2027, 5, 4, 9, 0, tzinfo=AMS), tick=False):
        raw = _token(world)
        _get(raw, LIST)
    with time_machine.travel(dt.datetime(2027, 5, 4, 15, 0, tzinfo=AMS), tick=False):
        newcomer = _add_professionals(world, 1)[0]
        assert _get(raw, LIST).status_code == 200
    assert [(day, token, times) for day, token, times, _ in _hr_lines(newcomer)] == [
        (dt.date(2027, 5, 4), "AFAS", 1)
    ]
    # One event for the token that day, each professional linked to it once.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.HR_API_READ).count() == 1


def test_two_first_answers_of_a_day_at_once_share_one_event(world: World) -> None:
    """Two requests of one token that both found no event of the day when they started (the
    unique token-and-day row decides): the later finds the earlier's event, one line."""
    raw = _token(world)
    first, second = tokens.access_for(raw), tokens.access_for(raw)
    assert first is not None
    assert second is not None
    assert first.read_event_id is None
    assert second.read_event_id is None
    with transaction.atomic():
        made = tokens.read_event(first)
    with transaction.atomic():
        assert tokens.read_event(second) == made
    assert AuditEvent.objects.filter(action=AuditEvent.Action.HR_API_READ).count() == 1


def test_an_answer_naming_nobody_records_nobody(world: World) -> None:
    raw = _token(world)
    _get(raw, f"{LIST}/{uuid.uuid4()}")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.HR_API_READ).exists()


# --- the changes feed -----------------------------------------------------------------------


def _changes(raw: str, cursor: str | None = None, limit: int = 100) -> Any:
    params: dict[str, Any] = {"limit": limit}
    if cursor:
        params["cursor"] = cursor
    answer = _get(raw, CHANGES, **params)
    assert answer.status_code == 200, answer.content
    return answer.json()


def _drain(raw: str, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    for _ in range(200):
        page = _changes(raw, cursor, limit)
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor
    raise AssertionError("the feed did not end")


def test_changes_from_the_start_list_everyone_visible_now(world: World) -> None:
    _add_professionals(world, 3)
    raw = _token(world)
    items, _ = _drain(raw, None, 2)
    visible = {i["professional"] for i in items if i["visible"]}
    assert visible == {str(p.code) for p in policies.report_professionals(world.administrator.user)}


def test_a_revoked_grant_shows_up_as_no_longer_visible(world: World) -> None:
    start = dt.datetime(2027, 6, 1, 10, 0, tzinfo=AMS)
    with time_machine.travel(start, tick=False):
        raw = _token(world)
        _, cursor = _drain(raw, None, 10)
    grant = AccessGrant.objects.get(contact=world.contact_live, revoked_at__isnull=True)
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        revoke_access(actor=world.professional.user, grant=grant)
        # Not yet: a change is served once it has settled.
        assert _changes(raw, cursor)["items"] == []
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        page = _changes(raw, cursor)
    assert [(i["professional"], i["visible"], i["rows"]) for i in page["items"]] == [
        (str(world.professional.code), False, [])
    ]
    # Nothing is recorded for an entry that shows no data.
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.HR_API_READ,
        professionals=world.professional,
        at__gte=start + dt.timedelta(minutes=6),
    ).exists()
    with time_machine.travel(start + dt.timedelta(minutes=7), tick=False):
        assert _changes(raw, page["next_cursor"])["items"] == []


def test_a_grant_past_its_date_is_no_longer_visible_from_the_next_amsterdam_day(
    world: World,
) -> None:
    day = dt.datetime(2027, 6, 1, 10, 0, tzinfo=AMS)
    with time_machine.travel(day, tick=False):
        raw = _token(world)
        grant = AccessGrant.objects.get(contact=world.contact_live, revoked_at__isnull=True)
        change_grant_end(
            actor=world.professional.user, grant=grant, valid_until=dt.date(2027, 6, 3)
        )
    with time_machine.travel(day + dt.timedelta(minutes=5), tick=False):
        _, cursor = _drain(raw, None, 10)
    with time_machine.travel(dt.datetime(2027, 6, 3, 23, 59, tzinfo=AMS), tick=False):
        assert _changes(raw, cursor)["items"] == []
        assert len(_walk(raw, 10)) == 1
    with time_machine.travel(dt.datetime(2027, 6, 4, 0, 1, tzinfo=AMS), tick=False):
        assert _walk(raw, 10) == []
        page = _changes(raw, cursor)
    assert [(i["professional"], i["visible"], i["changed_at"]) for i in page["items"]] == [
        (str(world.professional.code), False, "2027-06-03T22:00:00Z")
    ]


def test_points_and_a_new_grant_show_up_with_the_current_rows(world: World) -> None:
    start = dt.datetime(2027, 6, 1, 10, 0, tzinfo=AMS)
    with time_machine.travel(start, tick=False):
        raw = _token(world)
        _, cursor = _drain(raw, None, 10)
    newcomer = factories.RegistrationFactory()
    factories.PePeriodFactory(registration=newcomer)
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        period = PePeriod.objects.get(registration__professional=world.professional)
        factories.CompletionFactory(
            professional=world.professional, completed_on=period.start, points=5
        )
        from peregister.registry.figures import count_completions

        count_completions([(world.professional.pk, period.start, 5)])
        grant_access(
            actor=newcomer.professional.user,
            professional=newcomer.professional,
            contact=world.contact_live,
            valid_until=None,
        )
    with time_machine.travel(start + dt.timedelta(minutes=3), tick=False):
        items, _ = _drain(raw, cursor, 10)
    by_code = {i["professional"]: i for i in items}
    assert set(by_code) == {str(world.professional.code), str(newcomer.professional.code)}
    assert all(i["visible"] for i in items)
    mine = by_code[str(world.professional.code)]["rows"][0]
    assert mine["points_earned"] == PePeriod.objects.get(pk=period.pk).points_earned


def test_ties_many_changes_in_one_moment_are_each_served_once_across_pages(
    world: World,
) -> None:
    moment = dt.datetime(2027, 6, 1, 10, 0, tzinfo=AMS)
    with time_machine.travel(moment - dt.timedelta(days=1), tick=False):
        raw = _token(world)
    added = []
    with time_machine.travel(moment, tick=False):
        for n in range(7):
            registration = factories.RegistrationFactory(
                professional=factories.ProfessionalFactory(last_name=f"Tie{n}")
            )
            factories.AccessGrantFactory(
                professional=registration.professional, contact=world.deputy, granted_at=moment
            )
            added.append(str(registration.professional.code))
    with time_machine.travel(moment - dt.timedelta(hours=1), tick=False):
        _, cursor = _drain(raw, None, 100)
    with time_machine.travel(moment + dt.timedelta(minutes=1), tick=False):
        for limit in (1, 2, 3):
            items, _ = _drain(raw, cursor, limit)
            got = [i["professional"] for i in items]
            assert sorted(got) == sorted(added), limit
            assert len(got) == len(set(got))


def test_changes_answers_go_through_the_policy_at_the_request_moment(world: World) -> None:
    """A grant that is live when the change happened but ended by the time of the request is
    reported as no longer visible: the rows are read at the request's own moment."""
    start = dt.datetime(2027, 6, 1, 10, 0, tzinfo=AMS)
    with time_machine.travel(start, tick=False):
        raw = _token(world)
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        grant = AccessGrant.objects.get(contact=world.contact_live, revoked_at__isnull=True)
        revoke_access(actor=world.professional.user, grant=grant)
        items, _ = _drain(raw, None, 100)
    assert {(i["professional"], i["visible"]) for i in items} == {
        (str(world.professional.code), False)
    }


def test_changes_cost_the_same_number_of_queries_per_page(world: World) -> None:
    _add_professionals(world, 8)
    raw = _token(world)
    later = clock.now() + changes.SETTLE * 2

    def count(limit: int) -> int:
        with time_machine.travel(later, tick=False):
            _changes(raw, None, 1)  # the rate limit's first hit of a window inserts its row
            with CaptureQueriesContext(connection) as captured:
                _changes(raw, None, limit)
        return len(captured.captured_queries)

    assert count(2) == count(8)
    _add_professionals(world, 8)
    assert count(8) == count(2)


def test_every_combination_of_limits_gives_the_same_feed(world: World) -> None:
    _add_professionals(world, 5)
    raw = _token(world)
    with time_machine.travel(clock.now() + changes.SETTLE * 2, tick=False):
        feeds = []
        for limit in (1, 4, 100):
            items, _ = _drain(raw, None, limit)
            feeds.append(sorted({i["professional"] for i in items}))
    assert all(feed == feeds[0] for feed in feeds)
    assert len(feeds[0]) == len(list(itertools.chain(feeds[0])))


@pytest.mark.parametrize("path", [LIST, f"{LIST}/{{code}}", CHANGES])
def test_every_endpoint_asks_the_report_policy_on_each_request(
    world: World, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token only names its maker: who and what may be read is ``report_scope``'s answer
    at the request (here: none, so 401, whatever the token)."""
    raw = _token(world)
    asked: list[Any] = []

    def no_report(viewer: Any, at: Any = None) -> None:
        asked.append(viewer)

    monkeypatch.setattr(policies, "report_scope", no_report)
    answer = _get(raw, path.format(code=world.professional.code))
    assert answer.status_code == 401
    # Asked once, for the maker acting as a contact of the token's organisation.
    assert [viewer.contact for viewer in asked] == [world.administrator]
