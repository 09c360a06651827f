"""Set-password links: single use, own expiry, consumed atomically; "send a new link"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

import pytest
import time_machine
from django.core import mail
from django.test import Client

from peregister.accounts import services, tokens
from peregister.accounts.models import SetPasswordToken, User
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.refusals import Refused
from tests import factories

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zomer-avond-2026!"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.AMSTERDAM)


def new_account(**kwargs: Any) -> User:
    user = cast(User, factories.UserFactory(**kwargs))
    user.set_unusable_password()
    user.save()
    return user


def path_for(raw: str) -> str:
    return f"/account/wachtwoord-instellen/{raw}/"


def set_password(client: Client, raw: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(path_for(raw), {"new_password1": password, "new_password2": password})


def test_link_works_until_just_before_expiry_and_not_after(settings: Any) -> None:
    settings.SET_PASSWORD_LINK_HOURS = 72
    user = new_account()
    with time_machine.travel(START, tick=False):
        raw = tokens.issue_token(user)
    with time_machine.travel(START + dt.timedelta(hours=71, minutes=59), tick=False):
        assert Client().get(path_for(raw)).status_code == 200
    with time_machine.travel(START + dt.timedelta(hours=72), tick=False):
        response = Client().get(path_for(raw))
        assert response.status_code == 410
        body = response.content.decode()
        assert "verlopen" in body
        assert 'action="/account/nieuwe-link/"' in body
        assert set_password(Client(), raw).status_code == 410
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_the_lifetime_is_a_setting(settings: Any) -> None:
    settings.SET_PASSWORD_LINK_HOURS = 1
    user = new_account()
    with time_machine.travel(START, tick=False):
        raw = tokens.issue_token(user)
    with time_machine.travel(START + dt.timedelta(minutes=61), tick=False):
        assert Client().get(path_for(raw)).status_code == 410


def test_a_link_works_once() -> None:
    user = new_account()
    raw = tokens.issue_token(user)
    assert set_password(Client(), raw).status_code == 302
    again = set_password(Client(), raw, "Ander-wachtwoord-99")
    assert again.status_code == 410
    assert "al gebruikt" in again.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_consuming_is_atomic_one_winner() -> None:
    user = new_account()
    raw = tokens.issue_token(user)
    token = tokens.inspect(raw).token
    assert token is not None
    assert tokens.consume(token) is True
    assert tokens.consume(token) is False
    with pytest.raises(Refused) as refused:
        services.set_password_with_link(actor=None, raw_token=raw, password=NEW_PASSWORD)
    assert refused.value.code == tokens.TokenState.USED.value


@pytest.mark.parametrize(
    ("state", "explanation"),
    [("used", "al gebruikt"), ("expired", "verlopen"), ("unknown", "niet geldig")],
)
def test_the_service_refuses_an_unusable_link_saying_why(state: str, explanation: str) -> None:
    user = new_account()
    with time_machine.travel(START, tick=False):
        raw = tokens.issue_token(user)
        token = tokens.inspect(raw).token
        assert token is not None
        if state == "used":
            assert tokens.consume(token)
    if state == "unknown":
        raw = "a" * 43
    later = START + dt.timedelta(hours=1 if state != "expired" else 1000)
    with time_machine.travel(later, tick=False), pytest.raises(Refused) as refused:
        services.set_password_with_link(actor=None, raw_token=raw, password=NEW_PASSWORD)
    assert refused.value.code == state
    assert explanation in refused.value.message
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_link_used_by_a_concurrent_request_explains_itself_and_offers_a_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = new_account()
    raw = tokens.issue_token(user)
    real_consume = tokens.consume

    def other_request_first(token: SetPasswordToken) -> bool:
        real_consume(token)  # the other request wins between the page's check and ours
        return real_consume(token)

    monkeypatch.setattr(tokens, "consume", other_request_first)
    response = set_password(Client(), raw)
    assert response.status_code == 410
    body = response.content.decode()
    assert "al gebruikt" in body
    assert 'action="/account/nieuwe-link/"' in body


def test_only_a_digest_of_the_link_is_stored() -> None:
    raw = tokens.issue_token(new_account())
    stored = SetPasswordToken.objects.get()
    assert raw not in stored.digest
    assert len(stored.digest) == 64


@pytest.mark.parametrize("raw", ["x", "a" * 43, "a" * 200, "%00"])
def test_unknown_or_garbage_links_are_404_with_an_explanation(raw: str) -> None:
    response = Client().get(path_for(raw))
    assert response.status_code == 404
    assert "niet geldig" in response.content.decode()
    assert set_password(Client(), raw).status_code == 404


def test_weak_password_is_refused_and_the_link_stays_usable() -> None:
    user = new_account(username="pietje")
    raw = tokens.issue_token(user)
    for weak in ("kort", "1234567890123", "wachtwoord", "pietje1234"):
        response = set_password(Client(), raw, weak)
        assert response.status_code == 400, weak
        assert 'class="field-error"' in response.content.decode()
    empty = Client().post(path_for(raw), {})
    assert empty.status_code == 400
    assert "Kies een wachtwoord." in empty.content.decode()
    assert tokens.inspect(raw).state is tokens.TokenState.VALID
    user.refresh_from_db()
    assert not user.has_usable_password()


def _field_errors(body: str, field: str) -> list[str]:
    return re.findall(rf'<p class="field-error" id="id_{field}_error">(.*?)</p>', body)


def test_a_password_too_like_the_username_is_said_at_the_password_itself() -> None:
    user = new_account(username="werkgever-zeewind")
    response = set_password(Client(), tokens.issue_token(user), "werkgever-zeewind1")
    body = response.content.decode()
    assert response.status_code == 400
    # The first reason is the likeness (zxcvbn, told the username, adds "easy to guess").
    assert _field_errors(body, "new_password1")[0] == (
        "Het wachtwoord lijkt te veel op de gebruikersnaam."
    )
    assert _field_errors(body, "new_password2") == []
    assert "werkgever-zeewind1" not in body  # nothing secret is sent back


def test_a_mismatch_is_said_at_the_repeat_only_when_the_password_is_acceptable() -> None:
    raw = tokens.issue_token(new_account())
    mismatch = Client().post(
        path_for(raw), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    body = mismatch.content.decode()
    assert _field_errors(body, "new_password1") == []
    assert _field_errors(body, "new_password2") == ["De twee wachtwoorden zijn niet gelijk."]
    assert NEW_PASSWORD not in body
    both_wrong = Client().post(path_for(raw), {"new_password1": "kort", "new_password2": "anders"})
    body = both_wrong.content.decode()
    assert _field_errors(body, "new_password1")
    assert _field_errors(body, "new_password2") == []


def test_setting_a_password_does_not_log_in_and_login_works_after() -> None:
    user = new_account(username="Werkgever-1")
    client = Client()
    assert set_password(client, tokens.issue_token(user)).status_code == 302
    assert client.get("/").status_code == 302
    login = client.post("/account/inloggen/", {"username": "werkgever-1", "password": NEW_PASSWORD})
    assert login.status_code == 302


def without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def new_link_page(value: str) -> Any:
    return Client().post("/account/nieuwe-link/", {"username_or_email": value}, follow=True)


def test_new_link_by_username_or_email_replaces_the_old_one(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = new_account(username="Werkgever-2", email="hr@werkgever.example")
    old = tokens.issue_token(user)
    for value in ("werkgever-2", "HR@werkgever.example"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = new_link_page(value)
        assert response.status_code == 200
        [message] = mail.outbox
        assert message.to == ["hr@werkgever.example"]
        html = str(next(content for content, kind in message.alternatives if kind == "text/html"))
        assert "Werkgever-2" in str(message.body)
        assert "Werkgever-2" in html
        raw = re.search(r"/account/wachtwoord-instellen/([A-Za-z0-9_-]+)/", str(message.body))
        assert raw
        assert raw.group(1) in html
        assert tokens.inspect(raw.group(1)).state is tokens.TokenState.VALID
    assert tokens.inspect(old).state is tokens.TokenState.EXPIRED
    assert set_password(Client(), raw.group(1)).status_code == 302
    sent = AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_LINK_SENT)
    assert [event.data for event in sent] == [{"user": user.pk}] * 2


def test_new_link_answers_identically_whether_or_not_the_account_exists(
    django_capture_on_commit_callbacks: Any,
) -> None:
    new_account(username="bestaat", email="bestaat@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        known = new_link_page("bestaat")
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = new_link_page("bestaat-niet")
    assert sent == 1
    assert len(mail.outbox) == 1
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf(known.content) == without_csrf(unknown.content)


def test_new_link_is_not_sent_to_staff_or_inactive_accounts(
    django_capture_on_commit_callbacks: Any,
) -> None:
    factories.UserFactory(username="staf", is_staff=True)
    factories.UserFactory(username="weg", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        new_link_page("staf")
        new_link_page("weg")
    assert mail.outbox == []


def test_new_link_form_validation() -> None:
    empty = Client().post("/account/nieuwe-link/", {})
    assert empty.status_code == 400
    assert "Vul uw gebruikersnaam of e-mailadres in." in empty.content.decode()
    long = Client().post("/account/nieuwe-link/", {"username_or_email": "x" * 255})
    assert long.status_code == 400


def test_one_mailbox_gets_at_most_three_links_an_hour(
    django_capture_on_commit_callbacks: Any,
) -> None:
    new_account(username="doelwit")
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            assert new_link_page("doelwit").status_code == 200
    assert len(mail.outbox) == 3


def test_new_link_and_set_password_are_rate_limited_per_client() -> None:
    client = Client()
    for _ in range(10):
        client.post("/account/nieuwe-link/", {"username_or_email": "iemand"})
    assert client.post("/account/nieuwe-link/", {"username_or_email": "x"}).status_code == 429
    raw = tokens.issue_token(new_account())
    for _ in range(20):
        client.post(path_for(raw), {"new_password1": "a", "new_password2": "b"})
    response = set_password(client, raw)
    assert response.status_code == 429
    assert tokens.inspect(raw).state is tokens.TokenState.VALID
