"""The *Professionals* list of an employer contact (seed flow 6)."""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from peregister.access import policies
from peregister.accounts.roles import roles_of
from peregister.core import clock
from peregister.organisations.models import Contact
from peregister.registry.models import Professional
from peregister.reports.rows import rows_for_grants
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
    other = _grant_with_period(world.deputy, initials="D.", last_name="Deputy")
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
    assert "0 professionals gevonden" in body


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
        world.contact_live, initials="A.", last_name="de Vries", registration_number="0012345"
    )
    client = client_for(world.contact_live.user)
    assert _names(client.get(URL, {"q": "vries"}).content.decode()) == [anna.full_name]
    assert _names(client.get(URL, {"q": "A. Vries"}).content.decode()) == [anna.full_name]
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
        {"pagina": "abc"},
        {"pagina": "-3"},
        {"pagina": "0"},
        {"pagina": "99999999999999999999999999"},
        {"pagina": "9" * 5000},
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
    last = client.get(URL, {"pagina": "2"}).content.decode()
    assert len(_names(last)) == 2
    # Past the end: the last page, not an error.
    assert _names(client.get(URL, {"pagina": "500"}).content.decode()) == _names(last)


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


def test_a_professional_without_a_current_period_is_listed_and_marked(world: World) -> None:
    # A live grant but no PE period (yet): in the report, so in the list too.
    newcomer = factories.ProfessionalFactory(initials="N.", last_name="Nieuw")
    factories.AccessGrantFactory(professional=newcomer, contact=world.contact_live)
    future = factories.RegistrationFactory(
        professional=factories.ProfessionalFactory(initials="T.", last_name="Toekomst")
    )
    factories.PePeriodFactory(
        registration=future, start=clock.today() + dt.timedelta(days=3)
    )  # not started: not current
    factories.AccessGrantFactory(professional=future.professional, contact=world.contact_live)
    client = client_for(world.contact_live.user)
    body = client.get(URL).content.decode()
    assert set(_names(body)) == {
        world.professional.full_name,
        newcomer.full_name,
        future.professional.full_name,
    }
    assert body.count("geen lopende PE-periode") == 2
    assert "3 professionals gevonden" in body
    # Its dossier opens from the list, as from the report.
    assert f"/werkgever/professionals/{newcomer.code}/" in body
    assert client.get(f"/werkgever/professionals/{newcomer.code}/").status_code == 200
    # Searched, sorted by every key, it stays findable.
    assert _names(client.get(URL, {"q": "Nieuw"}).content.decode()) == [newcomer.full_name]
    for sort in ["nummer", "-register", "periode", "-punten", "tot"]:
        assert newcomer.full_name in _names(client.get(URL, {"sort": sort}).content.decode())


def _list_keys(user: object) -> list[tuple[str, str]]:
    """(name, register) of every row of the list, page by page, as the page shows them."""
    client = client_for(user)
    keys: list[tuple[str, str]] = []
    for number in range(1, 10):
        body = client.get(URL, {"pagina": str(number)}).content.decode()
        rows = re.findall(
            r'<th scope="row" id="prof-\d+">([^<]+)</th>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>', body
        )
        keys.extend(rows)
        if f"Pagina {number} van {number}" in body or "Pagina" not in body:
            break
    return keys


def test_list_and_report_agree_for_every_persona(world: World) -> None:
    """Each contact's list is exactly the report's rows for the grants to that contact."""
    contacts = [world.contact_live, world.contact_live, world.deputy, world.administrator]
    for index in range(100):
        contact = contacts[index % 4]
        professional: Professional
        if index % 4 == 0:  # no PE period
            professional = cast(Professional, factories.ProfessionalFactory())
            factories.AccessGrantFactory(professional=professional, contact=contact)
        else:
            professional = _grant_with_period(contact)
        if index % 5 == 0:  # a second registration: two rows
            registration = factories.RegistrationFactory(
                professional=professional,
                register=factories.RegisterFactory(code=f"bo{index}", name=f"Backoffice {index}"),
            )
            factories.PePeriodFactory(registration=registration)
    scope = policies.report_scope_or_404(world.administrator.user)
    for persona, user in world.personas().items():
        roles = roles_of(user)
        if roles.active_contact is None:
            assert client_for(user).get(URL).status_code in (302, 404), persona
            continue
        contact = roles.active_contact
        if contact.organisation_id == world.organisation.pk:
            expected = [
                (row.name, row.register)
                for row in rows_for_grants(scope.grants.filter(contact=contact), scope.today)
            ]
        else:
            expected = []
        assert _list_keys(user) == expected, persona
    assert len(_list_keys(world.contact_live.user)) > 50  # over more than one page


@pytest.mark.parametrize(
    ("language", "lapsed", "ended"),
    [("nl", "vervallen", "beëindigd"), ("en", "lapsed", "terminated")],
)
def test_a_lapsed_or_ended_registration_is_marked_with_its_status_label(
    world: World, language: str, lapsed: str, ended: str
) -> None:
    for status, last_name in [("lapsed", "Vervallen"), ("ended", "Beeindigd")]:
        professional = _grant_with_period(world.contact_live, last_name=last_name)
        professional.registrations.update(status=status)
    user = world.contact_live.user
    user.language = language
    user.save()
    client = client_for(user)
    with translation.override(language):  # the page switches the thread's language: restore it
        client.post("/taal/", {"language": language, "next": URL})
        body = client.get(URL).content.decode()
    assert f'<span class="status status-lapsed">{lapsed}</span>' in body
    assert f'<span class="status status-ended">{ended}</span>' in body
    assert body.count('class="status status-active"') == 0  # active needs no second word


@pytest.mark.parametrize(
    ("language", "found"), [("nl", "2 professionals gevonden."), ("en", "2 professionals found.")]
)
def test_the_count_says_how_many_professionals_not_rows(
    world: World, language: str, found: str
) -> None:
    # world.professional gets a second registration (two rows); a newcomer has no period.
    second = factories.RegistrationFactory(
        professional=world.professional,
        register=factories.RegisterFactory(code="bo", name="Backoffice"),
    )
    factories.PePeriodFactory(registration=second)
    factories.AccessGrantFactory(
        professional=factories.ProfessionalFactory(), contact=world.contact_live
    )
    user = world.contact_live.user
    user.language = language
    user.save()
    client = client_for(user)
    with translation.override(language):
        client.post("/taal/", {"language": language, "next": URL})
        body = client.get(URL).content.decode()
    assert len(_names(body)) == 3
    assert found in body


def test_the_count_of_professionals_past_the_first_page(world: World) -> None:
    for _ in range(50):
        _grant_with_period(world.contact_live)
    second = factories.RegistrationFactory(
        professional=world.professional,
        register=factories.RegisterFactory(code="bo", name="Backoffice"),
    )
    factories.PePeriodFactory(registration=second)
    client = client_for(world.contact_live.user)
    for page in ("1", "2"):
        body = client.get(URL, {"pagina": page}).content.decode()
        assert "51 professionals gevonden." in body  # 52 rows
        assert "Pagina" in body
