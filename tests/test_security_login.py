"""Account security around the login (OWASP ASVS 4.0.3 V2: authentication)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_there_is_no_second_login_at_the_django_admin(world: World) -> None:
    """ASVS 2.2.1 (anti-automation on every authentication path): Django's admin had its own,
    unthrottled login for staff. It is gone; the only login is the product's."""
    world.staff.set_password("correct horse battery staple")
    world.staff.save()
    client = Client()
    for path in ("/django-admin/login/", "/admin/login/", "/django-admin/"):
        response = client.post(
            path, {"username": "registerstaff", "password": "correct horse battery staple"}
        )
        assert response.status_code == 404, path
    assert "_auth_user_id" not in client.session
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    namespaces = {
        pattern.namespace
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver)
    }
    assert "admin" not in namespaces


def test_the_permission_matrix_exempts_no_namespace() -> None:
    """ASVS 4.1.5 / 1.4.1: every URL is in the matrix; nothing is left to a second policy."""
    from tests import test_permission_matrix

    assert not getattr(test_permission_matrix, "EXEMPT_NAMESPACES", set())


# --- finding 3: the password rule (ASVS 2.1) -----------------------------------------------


def _set_password_page(world: World, password: str) -> tuple[int, str]:
    from peregister.accounts import tokens

    user = world.contact_live.user
    user.set_unusable_password()
    user.save()
    token = tokens.issue_token(user)
    response = Client().post(
        f"/account/wachtwoord-instellen/{token}/",
        {"new_password1": password, "new_password2": password},
    )
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" " * 10, "Een wachtwoord van alleen spaties"),
        (" " * 14, "Een wachtwoord van alleen spaties"),
        ("Wachtwoord1", "Gebruik minstens 12 tekens."),
        ("welkom1234", "Gebruik minstens 12 tekens."),
        ("Welkom2026!", "Gebruik minstens 12 tekens."),
        ("Wachtwoord2026!", "in Nederland veel gebruikt"),
        ("welkom12345678", "in Nederland veel gebruikt"),
        ("Feyenoord1908!", "in Nederland veel gebruikt"),
        ("iloveyou1234", "bij datalekken"),
        ("1qaz2wsx3edc", "bij datalekken"),
        ("aaaaaaaaaaaaaaaa", "te makkelijk te raden"),
    ],
)
def test_weak_passwords_are_refused_with_their_reason_and_strength(
    world: World, password: str, message: str
) -> None:
    """ASVS 2.1.1 (at least 12), 2.1.7 (breached and common passwords, offline), 2.1.8
    (strength shown on the form)."""
    status, body = _set_password_page(world, password)
    assert status == 400
    assert message in body
    assert "Sterkte van het gekozen wachtwoord" in body
    world.contact_live.user.refresh_from_db()
    assert not world.contact_live.user.has_usable_password()


@pytest.mark.parametrize("password", ["Zomer-avond-2026!", "fiets tulp dakgoot regenjas"])
def test_long_uncommon_passwords_are_accepted(world: World, password: str) -> None:
    status, _ = _set_password_page(world, password)
    assert status == 302
    world.contact_live.user.refresh_from_db()
    assert world.contact_live.user.check_password(password)


def test_the_breached_list_is_a_real_published_list_shipped_with_the_package() -> None:
    from peregister.accounts import passwords

    breached = passwords.breached_passwords()
    assert len(breached) >= 30_000 - 100
    assert {"123456", "password", "qwerty", "dragon"} <= breached
    dutch = passwords.dutch_passwords()
    assert {"wachtwoord", "welkom", "geheim", "voetbal"} <= dutch
    assert passwords.DUTCH_LIST.is_file()


def test_the_set_password_form_offers_a_live_strength_indication(world: World) -> None:
    from peregister.accounts import tokens

    token = tokens.issue_token(world.contact_live.user)
    body = Client().get(f"/account/wachtwoord-instellen/{token}/").content.decode()
    assert 'id="password-strength"' in body
    assert 'aria-live="polite"' in body
    assert "Minstens 12 tekens" in body
