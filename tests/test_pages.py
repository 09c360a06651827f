"""Login, landing pages per role, error pages, language."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from peregister.core import clock
from peregister.organisations.models import Organisation
from tests import factories
from tests.conftest import World, client_for


def test_login_by_username_any_case(world: World) -> None:
    client = Client()
    username = world.contact_live.user.username.upper()
    response = client.post(
        "/account/inloggen/", {"username": username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("username", ["nobody", "exists"])
def test_wrong_login_says_the_same_whether_or_not_the_user_exists(db: None, username: str) -> None:
    factories.UserFactory(username="exists")
    response = Client().post("/account/inloggen/", {"username": username, "password": "wrong"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "De combinatie van gebruikersnaam en wachtwoord is onjuist" in body


def test_empty_login_form_explains_itself(db: None) -> None:
    response = Client().post("/account/inloggen/", {})
    assert response.status_code == 400
    assert "Dit veld is verplicht." in response.content.decode()


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/inloggen/")


def test_professional_home_shows_own_progress(world: World) -> None:
    factories.CompletionFactory(professional=world.professional, points=5)
    body = client_for(world.professional.user).get("/").content.decode()
    assert "Mijn PE-dossier" in body
    assert world.professional.registration_number in body
    assert "<strong>5</strong> van 12 PE-punten" in body


def test_administrator_home_shows_organisation_figures(world: World) -> None:
    body = client_for(world.administrator.user).get("/").content.decode()
    assert "Uitzendbureau De Brug" in body
    assert "beheerder" in body
    assert "PE-medewerkers in de rapportage" in body


def test_ordinary_contact_home_has_no_report_figures(world: World) -> None:
    body = client_for(world.contact_live.user).get("/").content.decode()
    assert "Professionals die u inzage geven" in body
    assert "PE-medewerkers in de rapportage" not in body


def test_requested_organisation_awaits_authorisation(db: None) -> None:
    contact = factories.ContactFactory(
        organisation__status=Organisation.Status.REQUESTED, role="administrator"
    )
    body = client_for(contact.user).get("/").content.decode()
    assert "wacht op autorisatie" in body


def _menu(body: str) -> str:
    return body.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("status", [Organisation.Status.REQUESTED, Organisation.Status.SUSPENDED])
def test_before_authorisation_only_what_works_is_offered(db: None, status: str) -> None:
    contact = factories.ContactFactory(organisation__status=status, role="administrator")
    client = client_for(contact.user)
    menu = _menu(client.get("/").content.decode())
    assert "Organisatie" in menu
    assert "Professionals" not in menu
    assert "Rapportage" not in menu
    # Typed in by hand, they answer like any page that is not the user's.
    assert client.get("/werkgever/professionals/").status_code == 404
    assert client.get("/werkgever/rapportage/").status_code == 404


def test_after_authorisation_the_employer_pages_are_offered(world: World) -> None:
    menu = _menu(client_for(world.administrator.user).get("/").content.decode())
    assert "Professionals" in menu
    assert "Rapportage" in menu
    menu = _menu(client_for(world.contact_live.user).get("/").content.decode())
    assert "Professionals" in menu
    assert "Rapportage" not in menu


def test_start_page_before_authorisation_says_what_happens_next_and_when(
    db: None, settings
) -> None:
    settings.AUTHORISATION_WORKING_DAYS = 3
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.AMSTERDAM)):
        contact = factories.ContactFactory(
            organisation__status=Organisation.Status.REQUESTED,
            organisation__requested_at=clock.now(),
            role="administrator",
            email="hr@nieuw.example",
        )
    body = client_for(contact.user).get("/").content.decode()
    assert "Wat gebeurt er nu?" in body
    assert "Het register beoordeelt uw aanvraag van 2 maart 2026" in body
    assert "meestal niet langer dan 3 werkdagen" in body
    assert "autorisatiebevestiging per e-mail op hr@nieuw.example" in body


def test_staff_home_counts_the_work_waiting(world: World) -> None:
    factories.OrganisationFactory(status=Organisation.Status.REQUESTED)
    factories.RenewalSubmissionFactory()
    factories.SelfReportFactory()
    response = client_for(world.staff).get("/")
    counts = response.context["staff_counts"]
    assert (counts["requested"], counts["renewals"], counts["self_reports"]) == (1, 1, 1)
    assert "Eigen activiteiten te beoordelen" in response.content.decode()


def test_unknown_url_is_a_dutch_404_page(world: World) -> None:
    response = client_for(world.professional.user).get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_english_translation(world: World) -> None:
    client = client_for(world.professional.user)
    client.post("/taal/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "My PE dossier" in body
    assert "Skip to content" in body


def test_page_has_landmarks_and_skip_link(world: World) -> None:
    body = client_for(world.professional.user).get("/").content.decode()
    assert 'href="#inhoud"' in body
    assert '<main id="inhoud"' in body
    assert '<html lang="nl">' in body


def test_dutch_is_the_default_whatever_the_browser_asks(world: World) -> None:
    client = client_for(world.professional.user)
    body = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}).content.decode()
    assert "Mijn PE-dossier" in body


def test_an_account_in_english_gets_english_pages(world: World) -> None:
    user = world.professional.user
    user.language = "en"
    user.save()
    body = client_for(user).get("/").content.decode()
    assert "My PE dossier" in body


def test_anonymous_language_choice_is_kept(db: None) -> None:
    client = Client()
    client.post("/taal/", {"language": "en", "next": "/account/inloggen/"})
    assert "Log in" in client.get("/account/inloggen/").content.decode()


def test_password_guessing_is_slowed_down_per_username(db: None) -> None:
    factories.UserFactory(username="exists")
    client = Client()
    statuses = [
        client.post(
            "/account/inloggen/", {"username": "EXISTS", "password": f"guess{n}"}
        ).status_code
        for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    # Even the right password waits until the quarter of an hour has passed.
    blocked = client.post(
        "/account/inloggen/", {"username": "exists", "password": factories.PASSWORD}
    )
    assert blocked.status_code == 429
    assert "Te veel inlogpogingen" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
