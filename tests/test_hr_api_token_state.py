"""Issue 16, review finding F7: the API-tokens page and the HR API agree on which tokens work.

A token acts for the person who made it, like a provider's API key (``providers.keys``): it
works while that person may fetch the *rapportage* (an active beheerder or 2e contactpersoon
of the authorised organisation). When the maker hands the beheerder role to a plain contact,
or is deactivated, their tokens stop — as a departing employee's access should — and the page
says so next to the token instead of listing it as working (ASVS V2.10.1: machine credentials
are scoped to someone who may still act; V7.1.3 the state shown is the state enforced).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.organisations.models import Contact
from peregister.organisations.services import hand_over_administrator, set_contact_active
from peregister.reports import tokens
from tests.conftest import World, client_for

LIST = "/api/v1/organisation/professionals"
PAGE = "/werkgever/api-tokens/"


def _status(raw: str) -> int:
    return Client().get(LIST, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


def _states(page: Any) -> dict[str, str]:
    return {token.name: token.state for token in page.context["tokens"]}


def test_a_former_beheerders_token_stops_and_the_page_says_so(world: World) -> None:
    raw = tokens.create_token(actor=world.administrator.user, name="AFAS")[1]
    assert _status(raw) == 200
    # The beheerder hands the role to a plain contact, and becomes a plain contact.
    successor = Contact.objects.get(pk=world.contact_live.pk)
    hand_over_administrator(actor=world.administrator.user, to=successor)
    assert _status(raw) == 401
    page = client_for(successor.user).get(PAGE)
    assert page.status_code == 200
    assert _states(page) == {"AFAS": tokens.TokenState.MAKER_STOPPED}
    assert b"werkt niet meer" in page.content
    # The new beheerder can still revoke it, and a token they make works.
    assert b"intrekken" in page.content
    mine = tokens.create_token(actor=successor.user, name="Nieuw")[1]
    assert _status(mine) == 200
    assert _states(client_for(successor.user).get(PAGE)) == {
        "AFAS": tokens.TokenState.MAKER_STOPPED,
        "Nieuw": tokens.TokenState.WORKS,
    }


def test_a_working_token_is_listed_as_working_and_answers(world: World) -> None:
    raw = tokens.create_token(actor=world.deputy.user, name="Planning")[1]
    page = client_for(world.administrator.user).get(PAGE)
    assert _states(page) == {"Planning": tokens.TokenState.WORKS}
    assert _status(raw) == 200
    # A hand-over that keeps the maker a 2e contactpersoon keeps the token working.
    hand_over_administrator(actor=world.administrator.user, to=world.deputy)
    assert _status(raw) == 200
    assert _states(client_for(world.deputy.user).get(PAGE)) == {"Planning": tokens.TokenState.WORKS}


def test_a_deactivated_makers_token_stops_on_both_sides(world: World) -> None:
    raw = tokens.create_token(actor=world.deputy.user, name="Planning")[1]
    set_contact_active(actor=world.administrator.user, contact=world.deputy, active=False)
    assert _status(raw) == 401
    page = client_for(world.administrator.user).get(PAGE)
    assert _states(page) == {"Planning": tokens.TokenState.MAKER_STOPPED}


def test_revoked_and_expired_tokens_are_listed_as_such_and_answer_401(world: World) -> None:
    token, raw = tokens.create_token(actor=world.administrator.user, name="Oud")
    tokens.revoke_token(actor=world.administrator.user, token=token)
    assert _status(raw) == 401
    assert _states(client_for(world.administrator.user).get(PAGE)) == {
        "Oud": tokens.TokenState.REVOKED
    }


def _revoked(world: World) -> str:
    token, raw = tokens.create_token(actor=world.administrator.user, name="Oud")
    tokens.revoke_token(actor=world.administrator.user, token=token)
    return raw


def _expired(world: World) -> str:
    with time_machine.travel(clock.now() - dt.timedelta(days=10)):
        return tokens.create_token(
            actor=world.administrator.user, name="Oud", expires_on=clock.today()
        )[1]


def _maker_stopped(world: World) -> str:
    raw = tokens.create_token(actor=world.deputy.user, name="Oud")[1]
    set_contact_active(actor=world.administrator.user, contact=world.deputy, active=False)
    return raw


@pytest.mark.parametrize(
    ("make", "reason", "maker"),
    [
        (_revoked, "revoked", "administrator"),
        (_expired, "expired", "administrator"),
        (_maker_stopped, "maker_stopped", "deputy"),
    ],
)
def test_a_refused_token_is_a_security_event_of_its_organisation_five_times_an_hour(
    world: World, make: Callable[[World], str], reason: str, maker: str
) -> None:
    """Review 1516 F4 (ASVS V7.2.1, V7.1.4): a known token that no longer works (revoked,
    past its date, its maker no longer beheerder or 2e contactpersoon) is recorded like a
    provider's key: an ``access.denied`` event of the token's organisation naming the token
    (never the token itself), at most five per token per hour."""
    raw = make(world)
    token = world.organisation.api_tokens.get()
    assert [_status(raw) for _ in range(8)] == [401] * 8
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED)
    assert events.count() == 5
    event = events.first()
    assert event is not None
    assert (event.data["reason"], event.data["key"]) == (reason, str(token.code))
    assert event.organisation == world.organisation
    assert event.actor == getattr(world, maker).user
    assert raw not in str(event.data)
