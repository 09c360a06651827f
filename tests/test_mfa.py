"""Multi-factor authentication (issue 13, finding 5; OWASP ASVS 4.0.3 V2.7, V2.8, V2.5.6,
V3.2.1, V7.1.3 / V7.2.1).

Logins go through the real login page (no ``force_login`` shortcut), so these tests see the
second step exactly as a person does.
"""

from __future__ import annotations

import json
import re
from binascii import unhexlify

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peregister.accounts import mfa
from peregister.accounts.mfa_views import PENDING_TOTP_KEY
from peregister.accounts.models import PasskeyCredential, User
from peregister.audit.models import AuditEvent
from tests import factories
from tests.conftest import World, client_for, force_login_without_second_step

LOGIN = "/account/inloggen/"
SECOND_STEP = "/account/tweede-stap/"
SETUP = "/account/tweede-stap/instellen/"


@pytest.fixture(autouse=True)
def _no_throttle_delay(settings) -> None:  # type: ignore[no-untyped-def]
    # django-otp waits 1 s, 2 s, 4 s ... after each wrong code; the tests retry at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(key_hex: str, *, later: int = 0) -> str:
    """What an authenticator app shows for this key (django-otp's TOTP, not our code)."""
    totp = TOTP(unhexlify(key_hex))
    totp.time = totp.time + later * 30
    return f"{totp.token():06d}"


def log_in(user: User) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": factories.PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def with_totp(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["staff", "administrator", "deputy", "provider_admin"])
def test_privileged_login_must_set_up_a_second_factor_before_any_page(
    world: World, persona: str
) -> None:
    """ASVS 2.7/2.8 at level 2 for those who see many dossiers or manage API keys (a
    provider's beheerder): no page without the factor."""
    user = world.personas()[persona]
    client = log_in(user)
    paths = ["/", "/register/e-mail/", "/werkgever/rapportage/", "/account/beveiliging/"]
    for path in [*paths, "/aanbieder/api-sleutels/", "/aanbieder/activiteiten/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SECOND_STEP), path
    # The second step has nothing to check yet: set one up.
    assert client.get(SECOND_STEP)["Location"].startswith(SETUP)
    assert client.get(SETUP).status_code == 200


@pytest.mark.django_db
def test_an_unverified_staff_session_is_sent_to_the_second_step(world: World) -> None:
    """A session that has the password but not the factor (however it came to be)."""
    client = Client()
    force_login_without_second_step(client, world.staff)
    response = client.get("/register/leeractiviteiten/")
    assert response.status_code == 302
    assert response["Location"] == f"{SECOND_STEP}?next=%2Fregister%2Fleeractiviteiten%2F"
    assert client.post("/register/e-mail/opnieuw/").status_code == 302


@pytest.mark.django_db
def test_professional_without_factor_logs_in_with_the_password_alone(world: World) -> None:
    client = log_in(world.professional.user)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_totp_set_up_shows_recovery_codes_once_and_opens_the_pages(world: World) -> None:
    client = log_in(world.staff)
    page = client.get(SETUP)
    key = client.session[PENDING_TOTP_KEY]
    # The QR code and the typed key carry the same secret the code is computed from.
    assert b"<svg" in page.content
    wrong = client.post(SETUP, {"code": "000000" if code_for(key) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.filter(user=world.staff).exists()
    done = client.post(SETUP, {"code": code_for(key), "next": "/register/e-mail/"})
    assert done.status_code == 302
    assert done["Location"].startswith("/account/tweede-stap/herstelcodes/")
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == mfa.RECOVERY_CODE_COUNT
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=world.staff).values_list("token", flat=True)
    )
    # Shown once.
    assert client.get("/account/tweede-stap/herstelcodes/").status_code == 302
    assert client.get("/register/e-mail/").status_code == 200
    [event] = events("mfa.set_up")
    assert event.actor == world.staff
    assert event.data == {"factor": "totp"}
    assert key not in json.dumps(event.data)


@pytest.mark.django_db
def test_login_with_totp_and_a_wrong_code_is_an_audit_event(world: World) -> None:
    device = with_totp(world.administrator.user)
    client = log_in(world.administrator.user)
    assert client.get("/")["Location"].startswith(SECOND_STEP)
    wrong = "123456" if code_for(device.key) != "123456" else "654321"
    refused = client.post(SECOND_STEP, {"code": wrong})
    assert refused.status_code == 400
    assert "klopt niet" in refused.content.decode()
    assert client.get("/").status_code == 302
    [failure] = events("mfa.failed")
    assert failure.actor == world.administrator.user
    assert wrong not in json.dumps(failure.data)
    key_before = client.session.session_key
    accepted = client.post(SECOND_STEP, {"code": code_for(device.key), "next": "/"})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/"
    assert client.session.session_key != key_before  # ASVS 3.2.1: a new session id
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_totp_code_works_once(world: World) -> None:
    """ASVS 2.8.4: a used time-based code cannot be replayed."""
    device = with_totp(world.staff)
    code = code_for(device.key)
    first = log_in(world.staff)
    assert first.post(SECOND_STEP, {"code": code}).status_code == 302
    second = log_in(world.staff)
    assert second.post(SECOND_STEP, {"code": code}).status_code == 400


@pytest.mark.django_db
def test_a_recovery_code_works_once(world: World) -> None:
    """ASVS 2.6.1 (look-up secrets used once)."""
    with_totp(world.staff)
    codes = mfa.new_recovery_codes(actor=world.staff)
    client = log_in(world.staff)
    assert client.post(SECOND_STEP, {"code": codes[0].upper()}).status_code == 302
    assert client.get("/").status_code == 200
    again = log_in(world.staff)
    assert again.post(SECOND_STEP, {"code": codes[0]}).status_code == 400
    assert len(events("mfa.recovery_code_used")) == 1


@pytest.mark.django_db
def test_a_professional_who_chose_a_factor_is_asked_for_it(world: World) -> None:
    device = with_totp(world.professional.user)
    client = log_in(world.professional.user)
    assert client.get("/")["Location"].startswith(SECOND_STEP)
    assert client.post(SECOND_STEP, {"code": code_for(device.key)}).status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_the_password_alone_cannot_add_a_factor_to_an_account_that_has_one(world: World) -> None:
    with_totp(world.staff)
    client = log_in(world.staff)
    assert client.get(SETUP)["Location"].startswith(SECOND_STEP)
    key = "ab" * 20
    session = client.session
    session[PENDING_TOTP_KEY] = key
    session.save()
    assert client.post(SETUP, {"code": code_for(key)}).status_code == 302
    assert TOTPDevice.objects.filter(user=world.staff).count() == 1
    options = client.post("/account/tweede-stap/passkey/registratie-opties/")
    assert options.status_code == 403
    assert client.post("/account/tweede-stap/herstelcodes/")["Location"] == SECOND_STEP


@pytest.mark.django_db
def test_second_step_tries_are_limited(world: World) -> None:
    """ASVS 2.2.1: a guesser of codes meets a wall, per account."""
    with_totp(world.staff)
    client = log_in(world.staff)
    answers = [client.post(SECOND_STEP, {"code": "000001"}).status_code for _ in range(11)]
    assert answers[:10] == [400] * 10
    assert answers[10] == 429


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code", ["", "x" * 60_000, "١٢٣٤٥٦", "１２３４５６", "12 34 56 78 90 12 34", "' OR 1=1 --"]
)
def test_garbage_codes_are_a_clear_400(world: World, code: str) -> None:
    with_totp(world.staff)
    client = log_in(world.staff)
    assert client.post(SECOND_STEP, {"code": code}).status_code == 400
    assert client.post(SETUP, {"code": code}).status_code in (302, 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'{"credential": 5}',
        b'{"credential": {"id": "AAAA"}}',
        b"{" * 70000,
    ],
)
def test_garbage_passkey_answers_are_refused_without_a_500(world: World, body: bytes) -> None:
    PasskeyCredential.objects.create(
        user=world.staff,
        name="sleutel",
        credential_id=b"\x01" * 16,
        public_key=b"\x02" * 77,
        created_at="2026-01-01T00:00:00Z",
    )
    client = log_in(world.staff)
    assert client.post("/account/tweede-stap/passkey/inlog-opties/").status_code == 200
    answer = client.post(
        "/account/tweede-stap/passkey/inloggen/", body, content_type="application/json"
    )
    assert answer.status_code == 400
    assert client.get("/").status_code == 302
    assert events("mfa.failed")
    # Registering needs the second step first on an account that has a factor.
    assert (
        client.post(
            "/account/tweede-stap/passkey/registreren/", body, content_type="application/json"
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_staff_reset_a_lost_factor_and_the_user_sets_up_again(world: World) -> None:
    user = world.administrator.user
    with_totp(user)
    mfa.new_recovery_codes(actor=user)
    old_session = log_in(user)
    staff = client_for(world.staff)
    refused = staff.post(
        "/register/tweestapsverificatie/", {"username": user.username.upper(), "reason": ""}
    )
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=user).exists()
    done = staff.post(
        "/register/tweestapsverificatie/",
        {"username": user.username.upper(), "reason": "Telefoon verloren, teruggebeld."},
    )
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    [event] = events("mfa.reset")
    assert event.actor == world.staff
    assert event.data["user"] == user.pk
    # Any session of the user ends; the next login asks for a new set-up.
    assert old_session.get("/")["Location"].startswith(LOGIN)
    fresh = log_in(user)
    assert fresh.get(SECOND_STEP)["Location"].startswith(SETUP)


@pytest.mark.django_db
def test_staff_cannot_reset_their_own_factor_and_others_cannot_reset_at_all(
    world: World,
) -> None:
    with_totp(world.staff)
    staff = client_for(world.staff)
    own = staff.post(
        "/register/tweestapsverificatie/", {"username": world.staff.username, "reason": "kwijt"}
    )
    assert own.status_code == 400
    assert TOTPDevice.objects.filter(user=world.staff).exists()
    unknown = staff.post(
        "/register/tweestapsverificatie/", {"username": "x" * 60_000, "reason": "kwijt"}
    )
    assert unknown.status_code == 400
    beheerder = client_for(world.administrator.user)
    assert (
        beheerder.post(
            "/register/tweestapsverificatie/",
            {"username": world.staff.username, "reason": "kwijt"},
        ).status_code
        == 404
    )
    assert TOTPDevice.objects.filter(user=world.staff).exists()


@pytest.mark.django_db
def test_the_security_page_lists_the_factors(world: World) -> None:
    user = world.professional.user
    client = log_in(user)
    page = client.get("/account/beveiliging/").content.decode()
    assert "nog geen tweede stap" in page
    with_totp(user)
    mfa.new_recovery_codes(actor=user)
    page = client_for(user).get("/account/beveiliging/").content.decode()
    assert "gekoppeld" in page
    assert f"<dd>{mfa.RECOVERY_CODE_COUNT}</dd>" in page


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(world: World) -> None:
    user = world.staff
    with_totp(user)
    old = mfa.new_recovery_codes(actor=user)
    client = client_for(user)
    response = client.post("/account/tweede-stap/herstelcodes/")
    assert response["Location"] == "/account/tweede-stap/herstelcodes/"
    page = client.get("/account/tweede-stap/herstelcodes/").content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == mfa.RECOVERY_CODE_COUNT
    assert not set(old) & set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )


@pytest.mark.django_db
def test_before_the_second_step_the_menu_offers_nothing_it_would_refuse(world: World) -> None:
    client = log_in(world.staff)
    page = client.get(SETUP).content.decode()
    assert "Leeractiviteiten" not in page
    assert "/account/beveiliging/" not in page
    assert "/account/uitloggen/" in page
    with_totp(world.staff)
    verified = client_for(world.staff).get("/").content.decode()
    assert "Leeractiviteiten" in verified
    assert "/account/beveiliging/" in verified


@pytest.mark.django_db
def test_the_account_holder_is_mailed_when_a_factor_is_set_up_or_reset(
    world: World, django_capture_on_commit_callbacks
) -> None:
    """ASVS 2.2.3: a change to the second factor the holder did not make does not go unseen."""
    user = world.administrator.user
    client = log_in(user)
    client.get(SETUP)
    key = client.session[PENDING_TOTP_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(SETUP, {"code": code_for(key)}).status_code == 302
    [set_up] = mail.outbox
    assert set_up.to == [user.email]
    assert "authenticator-app gekoppeld" in set_up.body
    assert key not in set_up.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.staff).post(
            "/register/tweestapsverificatie/",
            {"username": user.username, "reason": "Telefoon kwijt, teruggebeld."},
        )
    [reset] = mail.outbox
    assert reset.to == [user.email]
    assert "teruggezet" in reset.subject
    assert "Telefoon kwijt" not in reset.body  # the staff's reason stays in the register


def add_passkey(user: User, name: str = "sleutel") -> PasskeyCredential:
    return PasskeyCredential.objects.create(
        user=user,
        name=name,
        credential_id=name.encode() * 4,
        public_key=b"\x02" * 77,
        created_at="2026-01-01T00:00:00Z",
    )


@pytest.mark.django_db
def test_privileged_users_keep_one_factor_others_may_remove_all(
    world: World, django_capture_on_commit_callbacks
) -> None:
    remove = "/account/beveiliging/verwijderen/"
    staff = world.staff
    with_totp(staff)
    laptop = add_passkey(staff, "laptop")
    client = client_for(staff)
    assert client.post(remove, {"factor": "passkey", "passkey": laptop.pk}).status_code == 302
    refused = client.post(remove, {"factor": "totp"})
    assert refused.status_code == 400
    assert "verplicht" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=staff).exists()
    # Someone else's passkey, or garbage: refused, nothing removed.
    other = add_passkey(world.professional.user, "ander")
    for data in [
        {"factor": "passkey", "passkey": other.pk},
        {"factor": "passkey", "passkey": "１"},
        {"factor": "x" * 60_000},
        {},
    ]:
        assert client.post(remove, data).status_code == 400
    assert PasskeyCredential.objects.filter(pk=other.pk).exists()

    professional = world.professional.user
    with_totp(professional)
    mfa.new_recovery_codes(actor=professional)
    own = client_for(professional)
    with django_capture_on_commit_callbacks(execute=True):
        assert own.post(remove, {"factor": "totp"}).status_code == 302
        assert own.post(remove, {"factor": "passkey", "passkey": other.pk}).status_code == 302
    assert not mfa.has_factor(professional)
    assert not StaticToken.objects.filter(device__user=professional).exists()
    assert len(events("mfa.removed")) == 3
    assert any("ontkoppeld" in message.body for message in mail.outbox)
    # Without a factor, the next login asks for none.
    assert log_in(professional).get("/").status_code == 200
