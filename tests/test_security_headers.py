"""Caching and browser headers (OWASP ASVS 4.0.3 V8.2.1, V14.4). The permission matrix checks
the headers on every page for every persona; these name the pages of finding 6."""

from __future__ import annotations

import pytest
from django.test import Client

from peregister.accounts import tokens
from tests.conftest import World, client_for
from tests.reportfiles import file_url, page_url, request_file

pytestmark = pytest.mark.django_db


def test_the_set_password_page_is_not_stored(world: World) -> None:
    """ASVS 8.2.1: the page opened from the mailed link (its token in the address) is not kept
    in the browser's or a proxy's cache."""
    token = tokens.issue_token(world.contact_live.user)
    response = Client().get(f"/account/wachtwoord-instellen/{token}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/werkgever/professionals/",
        "/werkgever/rapportage/",
        "csv",
        "xlsx",
        "page",
    ],
)
def test_personal_pages_and_downloads_are_not_stored(world: World, path: str) -> None:
    client = client_for(world.administrator.user)
    if not path.startswith("/"):  # a report file and its page (issue 12)
        snapshot = request_file(client)
        path = page_url(snapshot) if path == "page" else file_url(snapshot, path)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_a_dossier_is_not_stored(world: World) -> None:
    response = client_for(world.contact_live.user).get(
        f"/werkgever/professionals/{world.professional.code}/"
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    own = client_for(world.professional.user).get("/mijn/dossier/")
    assert own["Cache-Control"] == "no-store"


def test_a_public_page_also_defaults_to_no_store_and_names_no_unsafe_source() -> None:
    response = Client().get("/account/nieuwe-link/")
    assert response["Cache-Control"] == "no-store"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "publickey-credentials-get=(self)" in response["Permissions-Policy"]


def test_static_files_keep_their_own_caching_for_a_logged_in_browser(settings) -> None:
    """Fingerprinted static files are no personal data: a session does not make them no-store."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from peregister.core.headers import SecurityHeadersMiddleware

    def cached(request):  # type: ignore[no-untyped-def]
        response = HttpResponse("body {}")
        response["Cache-Control"] = "max-age=315360000, public, immutable"
        return response

    middleware = SecurityHeadersMiddleware(cached)
    request = RequestFactory().get("/static/css/pe.abc123.css")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "x"
    assert middleware(request)["Cache-Control"] == "max-age=315360000, public, immutable"
    page = RequestFactory().get("/werkgever/rapportage/")
    page.COOKIES[settings.SESSION_COOKIE_NAME] = "x"
    assert middleware(page)["Cache-Control"] == "no-store"
