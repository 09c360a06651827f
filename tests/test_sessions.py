"""Sessions (issue 13, finding 11; OWASP ASVS 4.0.3 V3.3.1, V3.3.2, V3.3.3, V3.3.4, V3.4.4).

Idle timeout per role, *Uitloggen op alle apparaten*, a password change ending the other
sessions (Django's session hash, which the register's own hash keeps), and ``__Host-`` cookie
names in production.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.test import Client, RequestFactory

from peregister.audit.models import AuditEvent
from peregister.core import clock
from tests.conftest import World, client_for
from tests.test_settings import PRODUCTION, manage, signing_key_file

LOGIN = "/account/inloggen/"


def logged_out(client: Client, path: str = "/") -> bool:
    response = client.get(path)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "minutes_allowed"),
    [("staff", 30), ("administrator", 30), ("deputy", 30), ("professional", 120)],
)
def test_an_idle_session_ends_after_its_role_limit(
    world: World, persona: str, minutes_allowed: int
) -> None:
    """ASVS 3.3.2: re-authentication after an idle period (shorter for privileged roles)."""
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(world.personas()[persona])
        assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(minutes=minutes_allowed - 1))
        assert client.get("/").status_code == 200  # activity restarts the clock
        traveller.shift(dt.timedelta(minutes=minutes_allowed - 1))
        assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(minutes=minutes_allowed, seconds=1))
        response = client.get("/mijn/dossier/")
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=%2Fmijn%2Fdossier%2F"
        page = client.get(response["Location"]).content.decode()
        assert f"{minutes_allowed} minuten niet actief" in page
        assert logged_out(client)


@pytest.mark.django_db
def test_the_idle_limits_come_from_the_settings(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SESSION_IDLE_MINUTES = 5
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = client_for(world.professional.user)
        traveller.shift(dt.timedelta(minutes=6))
        assert logged_out(client)


def test_idle_limits_are_read_from_the_environment() -> None:
    show = (
        "from django.conf import settings as s; "
        "print(s.SESSION_IDLE_MINUTES_PRIVILEGED, s.SESSION_IDLE_MINUTES)"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        DEBUG="1",
        SESSION_IDLE_MINUTES_PRIVILEGED="15",
        SESSION_IDLE_MINUTES="45",
    )
    assert result.stdout.split() == ["15", "45"], result.stderr


@pytest.mark.django_db
def test_log_out_on_all_devices_ends_every_session_of_the_account(world: World) -> None:
    """ASVS 3.3.4 (a user can end all other sessions) and 3.3.1 (logout ends the session)."""
    user = world.administrator.user
    phone, laptop = client_for(user), client_for(user)
    colleague = client_for(world.deputy.user)
    response = laptop.post("/account/uitloggen-alle-apparaten/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert logged_out(laptop)
    assert logged_out(phone)
    assert colleague.get("/").status_code == 200
    [event] = AuditEvent.objects.filter(action="account.sessions_ended")
    assert event.actor == user
    # Logging in again works as before.
    user.refresh_from_db()
    assert client_for(user).get("/").status_code == 200


@pytest.mark.django_db
def test_a_password_change_ends_the_other_sessions_but_not_this_one(world: World) -> None:
    """ASVS 3.3.3: after a password change the other sessions end. The *Wachtwoord wijzigen*
    page calls ``update_session_auth_hash``; this is the mechanism it relies on."""
    user = world.professional.user
    assert user is not None
    here, elsewhere = client_for(user), client_for(user)
    user.set_password("een-nieuw-lang-wachtwoord-2026")
    user.save()
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(here.session.session_key)
    request.user = user
    update_session_auth_hash(request, user)
    request.session.save()
    here.cookies[settings.SESSION_COOKIE_NAME] = str(request.session.session_key)
    assert here.get("/").status_code == 200
    assert logged_out(elsewhere)


def test_production_cookies_carry_the_host_prefix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """ASVS 3.4.4: ``__Host-`` cookies, Secure and path / (the deploy check stays clean:
    tests/test_settings.py)."""
    show = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH, "
        "s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN)"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        STATEMENT_SIGNING_KEY_FILE=str(signing_key_file(tmp_path)),
        **PRODUCTION,
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "/",
        "/",
        "None",
        "None",
    ], result.stderr
