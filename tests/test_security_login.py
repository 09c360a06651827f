"""Account security around the login (OWASP ASVS 4.0.3 V2: authentication)."""

from __future__ import annotations

from collections.abc import Iterator

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


# --- finding 4: throttling that resists lockout (ASVS 2.2.1) --------------------------------


@pytest.fixture(autouse=True)
def _inside_one_limiter_window() -> Iterator[None]:
    """The limiter counts per quarter hour: a test that crossed a window boundary would see its
    counts reset halfway. Each test starts at the beginning of a window (the clock runs on)."""
    import datetime as dt

    import time_machine

    from peregister.core import clock

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 1, tzinfo=clock.AMSTERDAM)):
        yield


def _login(client: Client, username: str, password: str, address: str) -> int:
    response = client.post(
        "/account/inloggen/", {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def test_guessing_from_one_address_does_not_lock_the_owner_out(
    world: World, django_capture_on_commit_callbacks
) -> None:
    """ASVS 2.2.1: ten wrong passwords from one address stop that address for that username,
    but the owner, from a browser that logged in before, still gets in; the account holder
    is e-mailed once; the misses are security events."""
    from django.core import mail

    from peregister.accounts import throttle
    from peregister.audit.models import AuditEvent
    from tests.factories import PASSWORD

    user = world.contact_live.user
    owner = Client()
    assert _login(owner, user.username, PASSWORD, "10.0.0.1") == 302  # a known browser now
    owner.post("/account/uitloggen/")
    attacker = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(throttle.PAIR_FAILURES):
            assert _login(attacker, user.username, "wrong-guess-123", "203.0.113.7") == 400
    assert _login(attacker, user.username, PASSWORD, "203.0.113.7") == 429
    # Another address, the owner's own browser: the right password works.
    assert _login(owner, user.username, PASSWORD, "10.0.0.1") == 302
    (warning,) = [m for m in mail.outbox if user.email in m.to]
    assert "verkeerd wachtwoord" in warning.body
    assert "wrong-guess-123" not in warning.body
    failed = AuditEvent.objects.filter(action="login.failed")
    assert failed.count() == throttle.PAIR_FAILURES
    assert all(event.data["account"] == user.pk for event in failed)
    assert AuditEvent.objects.filter(action="login.guessed_at").count() == 1
    assert AuditEvent.objects.filter(action="login.throttled").count() == 1
    for event in AuditEvent.objects.all():
        assert "wrong-guess-123" not in str(event.data)
        assert PASSWORD not in str(event.data)


@pytest.mark.parametrize("disguise", [" " * 150 + "{}", "{}   ", "UPPER"])
def test_padding_or_case_does_not_open_a_fresh_count(world: World, disguise: str) -> None:
    """ASVS 2.2.1: the limiter counts the name the form authenticates, so spaces around it or
    another case do not buy another ten guesses."""
    from peregister.accounts import throttle
    from tests.factories import PASSWORD

    user = world.contact_live.user
    attacker = Client()
    for _ in range(throttle.PAIR_FAILURES):
        assert _login(attacker, user.username, "wrong-guess-123", "203.0.113.8") == 400
    name = user.username.upper() if disguise == "UPPER" else disguise.format(user.username)
    assert _login(attacker, name, PASSWORD, "203.0.113.8") == 429


def test_a_new_browser_gets_a_cool_off_not_a_lockout(world: World) -> None:
    """The softer per-username brake: after the misses from many addresses, a browser that
    never logged in to the account gets one try a minute, and the right one logs in."""
    import datetime as dt

    import time_machine

    from peregister.accounts import throttle
    from peregister.core import clock
    from tests.factories import PASSWORD

    user = world.contact_live.user
    start = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=clock.AMSTERDAM)
    with time_machine.travel(start, tick=False):
        for n in range(throttle.USERNAME_FAILURES):
            assert _login(Client(), user.username, "wrong-guess-123", f"198.51.100.{n}") == 400
        newcomer = Client()
        assert _login(newcomer, user.username, "wrong-again-456", "192.0.2.1") == 400
        assert _login(newcomer, user.username, PASSWORD, "192.0.2.1") == 429
    with time_machine.travel(start + dt.timedelta(seconds=throttle.BRAKE_SECONDS), tick=False):
        assert _login(newcomer, user.username, PASSWORD, "192.0.2.1") == 302


def test_a_successful_login_resets_the_misses(world: World) -> None:
    from peregister.accounts import throttle
    from tests.factories import PASSWORD

    user = world.contact_live.user
    client = Client()
    for _ in range(throttle.PAIR_FAILURES - 1):
        assert _login(client, user.username, "wrong-guess-123", "10.0.0.9") == 400
    assert _login(client, user.username, PASSWORD, "10.0.0.9") == 302
    client.post("/account/uitloggen/")
    for _ in range(throttle.PAIR_FAILURES - 1):
        assert _login(client, user.username, "wrong-guess-123", "10.0.0.9") == 400
    assert _login(client, user.username, PASSWORD, "10.0.0.9") == 302


def test_one_address_guessing_many_accounts_is_stopped(world: World) -> None:
    from peregister.accounts import throttle

    client = Client()
    for n in range(throttle.ADDRESS_ATTEMPTS):
        assert _login(client, f"user{n}", "wrong-guess-123", "203.0.113.99") == 400
    assert _login(client, world.contact_live.user.username, "x", "203.0.113.99") == 429


# --- finding 8: security events (ASVS 7.1, 7.2) ---------------------------------------------


def test_denied_dossier_report_and_back_office_pages_are_security_events(world: World) -> None:
    """ASVS 7.2.2: the 404 the policy gives for a forbidden dossier is still a 404 to the
    user, and an access.denied event for staff."""
    from peregister.audit.models import AuditEvent
    from tests.conftest import client_for

    other = client_for(world.other_org_admin.user)
    assert other.get(f"/werkgever/professionals/{world.professional.code}/").status_code == 404
    assert client_for(world.professional.user).get("/register/e-mail/").status_code == 404
    assert client_for(world.contact_live.user).get("/werkgever/rapportage/").status_code == 404
    events = AuditEvent.objects.filter(action="access.denied").order_by("id")
    assert [event.data["page"] for event in events] == [
        "insight:open_dossier",
        "backoffice:mail",
        "reports:report",
    ]
    assert events[0].actor == world.other_org_admin.user
    # An allowed page is no event.
    client_for(world.contact_live.user).get(f"/werkgever/professionals/{world.professional.code}/")
    assert AuditEvent.objects.filter(action="access.denied").count() == 3


def test_staff_see_security_events_filtered_by_kind(world: World) -> None:
    from tests.conftest import client_for
    from tests.factories import PASSWORD

    _login(Client(), world.contact_live.user.username, "wrong-guess-123", "203.0.113.5")
    client_for(world.professional.user).get("/register/e-mail/")
    assert _login(Client(), world.contact_live.user.username, PASSWORD, "10.0.0.2") == 302
    staff = client_for(world.staff)
    everything = staff.get("/register/beveiliging/").content.decode()
    assert "inloggen mislukt" in everything
    assert "toegang geweigerd" in everything
    assert "203.0.113.5" in everything
    assert "wrong-guess-123" not in everything
    only_failed = staff.get("/register/beveiliging/", {"soort": "login.failed"}).content.decode()
    assert "inloggen mislukt" in only_failed
    assert "toegang geweigerd" not in only_failed.split("</caption>", 1)[1]
    garbage = staff.get("/register/beveiliging/", {"soort": "x" * 5000, "pagina": "٣"})
    assert garbage.status_code == 200


def test_security_event_names_are_defined_in_one_place() -> None:
    from peregister.audit.models import AuditEvent

    actions = {value for value, _ in AuditEvent.Action.choices}
    assert set(AuditEvent.SECURITY_ACTIONS) <= actions
    assert {"login.failed", "login.throttled", "access.denied", "account.password_set"} <= set(
        AuditEvent.SECURITY_ACTIONS
    )
