"""*Inloggegevens vergeten* and *Wachtwoord wijzigen* (issue 14), for every kind of user.

OWASP ASVS 4.0.3: V2.5.2 (no hint whether an account exists), V2.5.3/V2.5.4 (recovery by a
single-use, expiring link; nothing sent in clear but the username), V3.3.3/V3.3.4 (other
sessions end when the password changes), V2.1.x (the configured password validators apply).
"""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.core import mail
from django.test import Client

from peregister.accounts import services
from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.core.refusals import Refused
from tests import factories
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db

FORGOT = "/account/inloggegevens-vergeten/"
CHANGE = "/account/wachtwoord-wijzigen/"
OLD_PASSWORD = "Oud-wachtwoord-2026!"
NEW_PASSWORD = "Zomer-avond-2026!"


def forgot(value: str) -> Any:
    return Client().post(FORGOT, {"email": value}, follow=True)


def links_in(message: Any) -> list[str]:
    return re.findall(r"/account/wachtwoord-instellen/([A-Za-z0-9_-]{43})/", str(message.body))


def without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def test_every_kind_of_user_gets_username_and_a_single_use_link(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    for user in (world.professional.user, world.administrator.user, world.staff):
        user.email = f"{user.username}@example.nl"
        user.set_password(OLD_PASSWORD)
        user.save()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = forgot(user.email.upper())
        assert response.status_code == 200
        [message] = mail.outbox
        assert message.to == [user.email]
        assert user.username in str(message.body)
        [raw] = links_in(message)
        path = f"/account/wachtwoord-instellen/{raw}/"
        data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        assert Client().post(path, data).status_code == 302
        # Single use: the same link a second time is gone.
        assert Client().post(path, data).status_code == 410
        assert Client().login(username=user.username, password=NEW_PASSWORD)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_DETAILS_SENT).count() == 3


def test_every_account_of_the_address_gets_its_username(
    django_capture_on_commit_callbacks: Any,
) -> None:
    factories.UserFactory(username="hr-noord", email="hr@brug.example")
    factories.UserFactory(username="hr-zuid", email="HR@brug.example")
    with django_capture_on_commit_callbacks(execute=True):
        forgot("hr@brug.example")
    assert sorted(m.to[0].lower() for m in mail.outbox) == ["hr@brug.example"] * 2
    bodies = " ".join(str(m.body) for m in mail.outbox)
    assert "hr-noord" in bodies
    assert "hr-zuid" in bodies


def test_a_professional_is_found_by_the_address_the_register_keeps(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    professional = world.professional
    account = cast(User, professional.user)
    User.objects.filter(pk=account.pk).update(email="")  # an account without its own address
    professional.email = "pim@prive.example"
    professional.save()
    with django_capture_on_commit_callbacks(execute=True):
        forgot("pim@prive.example")
    [message] = mail.outbox
    assert message.to == ["pim@prive.example"]
    assert account.username in str(message.body)


def test_a_changed_register_address_does_not_redirect_an_accounts_recovery(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """ASVS 2.5.x: an import row or a typo that gives a professional someone else's address
    must not hand that person a set-password link for the existing account."""
    professional = world.professional
    own = cast(User, professional.user).email
    assert own
    professional.email = "mallory@attacker.example"
    professional.save()
    with django_capture_on_commit_callbacks(execute=True):
        forgot("mallory@attacker.example")
        forgot(own)
    assert [message.to for message in mail.outbox] == [[own]]


def test_same_answer_whether_or_not_the_address_is_known(
    django_capture_on_commit_callbacks: Any,
) -> None:
    factories.UserFactory(username="bekend", email="bekend@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        known = forgot("bekend@example.nl")
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        unknown = forgot("onbekend@example.nl")
    assert len(mail.outbox) == 1
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf(known.content) == without_csrf(unknown.content)


def test_inactive_accounts_get_nothing(django_capture_on_commit_callbacks: Any) -> None:
    factories.UserFactory(username="weg", email="weg@example.nl", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        forgot("weg@example.nl")
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Vul uw e-mailadres in."),
        ("geen-adres", "Vul een geldig e-mailadres in."),
        ("a\x00b@example.nl", "Vul een geldig e-mailadres in."),
        ("x" * 10_000 + "@example.nl", "hoogstens 254"),
    ],
)
def test_garbage_answers_400(value: str, message: str) -> None:
    response = Client().post(FORGOT, {"email": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert mail.outbox == []


def test_the_login_page_offers_it() -> None:
    assert f'href="{FORGOT}"' in Client().get("/account/inloggen/").content.decode()


def logged_in(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=OLD_PASSWORD)
    return client


def with_password(user: Any) -> User:
    user.set_password(OLD_PASSWORD)
    user.save()
    return cast(User, user)


def change(client: Client, old: str = OLD_PASSWORD, new: str = NEW_PASSWORD) -> Any:
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_change_password_keeps_this_session_and_ends_the_others(world: World) -> None:
    for user in (world.professional.user, world.deputy.user, world.staff):
        user = with_password(user)
        here, elsewhere = logged_in(user), logged_in(user)
        response = change(here)
        assert response.status_code == 302
        assert here.get(CHANGE).status_code == 200
        # The other session is logged out: the login page instead of the form.
        assert elsewhere.get(CHANGE).status_code == 302
        assert Client().login(username=user.username, password=NEW_PASSWORD)
        assert not Client().login(username=user.username, password=OLD_PASSWORD)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_CHANGED)
    assert events.count() == 3


def test_the_account_holder_hears_of_a_password_change_and_of_a_reset(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """ASVS 2.2.3: a changed or reset password is mailed to the account holder (never the
    password itself), so a change they did not make does not go unnoticed."""
    from peregister.accounts import tokens

    user = with_password(world.professional.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert change(logged_in(user)).status_code == 302
    [changed] = mail.outbox
    assert changed.to == [user.email]
    assert "Uw wachtwoord is gewijzigd" in changed.subject
    assert user.username in str(changed.body)
    assert NEW_PASSWORD not in str(changed.body)
    assert "Was u dit niet?" in str(changed.body)
    mail.outbox.clear()
    # A reset by link of an account that had a password: the holder hears of it too.
    with django_capture_on_commit_callbacks(execute=True):
        services.set_password_with_link(
            actor=None, raw_token=tokens.issue_token(user), password="Herfst-wandeling-2026!"
        )
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "Uw wachtwoord is gewijzigd" in mail.outbox[0].subject


def test_a_first_password_by_link_sends_no_change_notice(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from peregister.accounts import tokens

    user = world.professional.user
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_password_with_link(
            actor=None, raw_token=tokens.issue_token(user), password="Herfst-wandeling-2026!"
        )
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("fout-wachtwoord", NEW_PASSWORD, "huidige wachtwoord is niet juist"),
        # The configured AUTH_PASSWORD_VALIDATORS decide (their wording is theirs): the
        # refusal is said at the new password.
        (OLD_PASSWORD, "kort", 'id="id_new_password1_error"'),
        (OLD_PASSWORD, "1234567890123", 'id="id_new_password1_error"'),
        (OLD_PASSWORD, "password123", 'id="id_new_password1_error"'),
    ],
)
def test_change_password_refusals_change_nothing(
    world: World, old: str, new: str, message: str
) -> None:
    user = with_password(world.professional.user)
    client = logged_in(user)
    response = change(client, old, new)
    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD_PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_CHANGED).exists()


def test_change_password_mismatch_and_garbage(world: World) -> None:
    user = with_password(world.professional.user)
    client = logged_in(user)
    mismatch = client.post(
        CHANGE,
        {"old_password": OLD_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "x"},
    )
    assert mismatch.status_code == 400
    assert "niet gelijk" in mismatch.content.decode()
    garbage = client.post(
        CHANGE,
        {"old_password": "\x00" * 10_000, "new_password1": "\x00", "new_password2": "\x00"},
    )
    assert garbage.status_code == 400


def test_only_the_user_may_change_their_own_password(world: World) -> None:
    with pytest.raises(Refused):
        services.change_password(
            actor=world.staff, user=world.professional.user, password=NEW_PASSWORD
        )


def test_every_logged_in_user_sees_the_menu_item(world: World) -> None:
    for user in (world.professional.user, world.contact_live.user, world.staff):
        page = client_for(user).get("/").content.decode()
        assert f'href="{CHANGE}"' in page
