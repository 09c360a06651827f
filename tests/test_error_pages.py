"""The product's own 404 and 403 pages, with its menu and a way back, also with DEBUG on;
real errors keep Django's debug page in development."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns
from peregister.accounts.guards import public
from tests.conftest import World, client_for


@public
def _broken_view(request):  # fails like a real bug would
    raise RuntimeError("a real bug")


urlpatterns = [*product_urlpatterns, path("kapot/", _broken_view)]


def _assert_product_404(response) -> None:
    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Pagina niet gevonden</h1>" in body
    assert 'aria-label="Hoofdmenu"' in body  # the menu of a logged-in user
    assert 'href="/">Naar de startpagina</a>' in body
    assert "URLconf" not in body  # not Django's technical page


@pytest.mark.parametrize("debug", [False, True])
def test_refusals_are_the_products_404_page_in_every_mode(world: World, settings, debug) -> None:
    settings.DEBUG = debug
    contact = client_for(world.contact_live.user)
    _assert_product_404(contact.get("/werkgever/rapportage/"))  # a plain contact
    _assert_product_404(contact.get(f"/werkgever/professionals/{world.other_professional.code}/"))
    _assert_product_404(contact.get("/bestaat-niet/"))  # no URL pattern at all


def test_the_404_page_speaks_english_when_the_user_does(world: World, settings) -> None:
    settings.DEBUG = True
    user = world.contact_live.user
    user.language = "en"
    user.save()
    body = client_for(user).get("/werkgever/rapportage/").content.decode()
    assert "<h1>Page not found</h1>" in body


def test_an_expired_form_is_the_products_403_page(world: World, settings) -> None:
    settings.DEBUG = True
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.professional.user)
    response = client.post("/mijn/inzage-werkgever/toevoegen/", {})
    body = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Formulier verlopen</h1>" in body
    assert 'aria-label="Hoofdmenu"' in body


def test_an_action_opened_as_an_address_is_a_product_page_not_a_blank_one(world: World) -> None:
    # A POST-only action (Rol wijzigen) typed in the address bar or opened from a bookmark.
    url = f"/werkgever/beheerders/{world.contact_live.code}/rol/"
    response = client_for(world.administrator.user).get(url, HTTP_ACCEPT="text/html,*/*")
    body = response.content.decode()
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert "<h1>Deze actie opent geen pagina</h1>" in body
    assert 'aria-label="Hoofdmenu"' in body
    assert 'href="/">Naar de startpagina</a>' in body


@pytest.mark.urls("tests.test_error_pages")
def test_a_real_error_still_shows_the_debug_page_in_development(db: None, settings) -> None:
    settings.DEBUG = True
    response = Client(raise_request_exception=False).get("/kapot/")
    assert response.status_code == 500
    assert "a real bug" in response.content.decode()  # Django's technical 500 page


@pytest.mark.urls("tests.test_error_pages")
def test_a_real_error_is_the_plain_500_page_in_production(db: None, settings) -> None:
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/kapot/")
    assert response.status_code == 500
    assert "a real bug" not in response.content.decode()
    assert "Er ging iets mis" in response.content.decode()
