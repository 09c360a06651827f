"""The *Professionals* list of an employer contact (seed flow 6)."""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.organisations.models import Contact
from peregister.registry.models import Professional
from tests import factories
from tests.conftest import World, client_for

URL = "/werkgever/professionals/"


def _grant_with_period(contact: Contact, **professional: object) -> Professional:
    registration = factories.RegistrationFactory(
        professional=factories.ProfessionalFactory(**professional)
    )
    factories.PePeriodFactory(registration=registration)
    factories.AccessGrantFactory(professional=registration.professional, contact=contact)
    return cast(Professional, registration.professional)


def _names(body: str) -> list[str]:
    return re.findall(r'<th scope="row" id="prof-\d+">([^<]+)</th>', body)


def test_lists_only_professionals_with_a_live_grant_to_this_contact(world: World) -> None:
    other = _grant_with_period(world.deputy, first_name="Dirk", last_name="Deputy")
    body = client_for(world.contact_live.user).get(URL).content.decode()
    assert world.professional.full_name in body
    assert world.professional.registration_number in body
    assert "Uitzendprofessional" in body
    assert other.full_name not in body  # granted to a colleague, not to this contact
    assert 'aria-label="open dossier"' in body
    assert f"/werkgever/professionals/{world.professional.code}/" in body


@pytest.mark.parametrize("persona", ["contact_expired", "contact_revoked", "administrator"])
def test_expired_revoked_or_other_contacts_see_nobody(world: World, persona: str) -> None:
    body = client_for(world.personas()[persona]).get(URL).content.decode()
    assert world.professional.full_name not in body
    assert "0 PE-registraties gevonden" in body


def test_row_shows_points_status_and_authorised_until(world: World) -> None:
    factories.CompletionFactory(professional=world.professional, points=5)
    grant = world.professional.grants.get(contact=world.contact_live)
    grant.valid_until = dt.date(2099, 12, 31)
    grant.save()
    body = client_for(world.contact_live.user).get(URL).content.decode()
    assert "5 / 12" in body
    assert "31-12-2099" in body
    assert 'class="status status-' in body


def test_grant_without_end_date_reads_onbeperkt(world: World) -> None:
    body = client_for(world.contact_live.user).get(URL).content.decode()
    assert "onbeperkt" in body


def test_search_by_name_and_by_registration_number(world: World) -> None:
    anna = _grant_with_period(
        world.contact_live, first_name="Anna", last_name="de Vries", registration_number="0012345"
    )
    client = client_for(world.contact_live.user)
    assert _names(client.get(URL, {"q": "vries"}).content.decode()) == [anna.full_name]
    assert _names(client.get(URL, {"q": "Anna Vries"}).content.decode()) == [anna.full_name]
    assert _names(client.get(URL, {"q": "0012345"}).content.decode()) == [anna.full_name]
    # A number matches whole, not as a fragment of another number.
    assert _names(client.get(URL, {"q": "12345"}).content.decode()) == []


def test_sorting_by_whitelisted_keys(world: World) -> None:
    for index, last_name in enumerate(["Bakker", "Aalders", "Claes"]):
        professional = _grant_with_period(world.contact_live, last_name=last_name)
        factories.CompletionFactory(professional=professional, points=index + 1)
    client = client_for(world.contact_live.user)
    by_name = _names(client.get(URL, {"sort": "naam"}).content.decode())
    assert [name.split()[-1] for name in by_name][:3] == ["Aalders", "Bakker", "Claes"]
    by_name_desc = _names(client.get(URL, {"sort": "-naam"}).content.decode())
    assert by_name_desc == list(reversed(by_name))
    by_points_desc = _names(client.get(URL, {"sort": "-punten"}).content.decode())
    assert [name.split()[-1] for name in by_points_desc][:3] == ["Claes", "Aalders", "Bakker"]
    body = client.get(URL, {"sort": "-punten"}).content.decode()
    assert 'aria-sort="descending"' in body


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"page": "0"},
        {"page": "99999999999999999999999999"},
        {"page": "9" * 5000},
        {"sort": "registration__professional__user__password"},
        {"sort": "-"},
        {"sort": "x" * 10000},
        {"q": "a" * 10000},
        {"q": "%_\\' OR 1=1 --"},
        {"q": "\x00"},
    ],
)
def test_garbage_parameters_are_answered_gracefully(world: World, params: dict[str, str]) -> None:
    response = client_for(world.contact_live.user).get(URL, params)
    assert response.status_code == 200


def test_unknown_sort_key_falls_back_to_name(world: World) -> None:
    body = client_for(world.contact_live.user).get(URL, {"sort": "password"}).content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-naam"' in body


def test_pagination_fifty_a_page_and_clamped(world: World) -> None:
    for _ in range(51):
        _grant_with_period(world.contact_live)
    client = client_for(world.contact_live.user)
    first = client.get(URL).content.decode()
    assert len(_names(first)) == 50
    assert "Pagina 1 van 2" in first
    last = client.get(URL, {"page": "2"}).content.decode()
    assert len(_names(last)) == 2
    # Past the end: the last page, not an error.
    assert _names(client.get(URL, {"page": "500"}).content.decode()) == _names(last)


def _add_professionals(world: World, count: int) -> None:
    for index in range(count):
        professional = _grant_with_period(world.contact_live)
        factories.CompletionFactory(professional=professional, points=index % 5 + 1)
        factories.RenewalSubmissionFactory(period=professional.registrations.get().periods.get())


def _queries_for_page(world: World, expected_rows: int) -> int:
    client = client_for(world.contact_live.user)
    client.get(URL)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert len(_names(response.content.decode())) == expected_rows
    return len(queries)


def test_query_count_does_not_grow_with_rows(world: World) -> None:
    _add_professionals(world, 2)
    few = _queries_for_page(world, 3)  # with world.professional
    _add_professionals(world, 27)
    many = _queries_for_page(world, 30)
    assert few == many


def test_menu_shows_professionals_to_contacts_only(world: World) -> None:
    contact_page = client_for(world.contact_live.user).get("/").content.decode()
    assert f'href="{URL}"' in contact_page
    professional_page = client_for(world.professional.user).get("/").content.decode()
    assert f'href="{URL}"' not in professional_page
