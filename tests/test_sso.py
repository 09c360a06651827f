"""Single sign-on through OpenID Connect (issue 18) against a real provider on loopback.

The provider (tests/oidc_provider.py) is an HTTP server in a thread with its own RSA key; the
register's side is Authlib doing discovery, the JWKS fetch and the code exchange over HTTP.
ASVS 4.0.3 items proven here: V2.2.1 / V7.1.3 (refused logins are security events), V3.2.1
(a new session key at login), V3.3.1 (logout ends the session, also at the provider),
V3.5.3 (ID tokens: signature, audience, issuer, expiry and nonce checked), V2.7 / V2.8 (the
second factor still owed after SSO), V2.5.2 / V2.5.6 (linking only through a verified claim or
a single-use mailed link).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peregister.accounts import mfa, sso
from peregister.accounts.models import SsoIdentity, SsoLinkToken, User
from peregister.audit.models import AuditEvent
from tests.conftest import World, client_for
from tests.matrix import PERSONAS
from tests.oidc_fixtures import configure
from tests.oidc_provider import Provider

LOGIN = "/account/inloggen/"
START = "/account/inloggen/sso/mijnseu/"


def claims_for(user: User, **extra: Any) -> dict[str, Any]:
    return {
        "sub": f"seu-{user.pk}",
        "email": user.email,
        "email_verified": True,
        "pe_registratienummer": user.professional.registration_number,
        **extra,
    }


def go_to_provider(client: Client, next_url: str = "") -> str:
    response = client.post(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def provider_login(provider: Provider, authorize_url: str, username: str) -> str:
    """The person logs in at the provider (a real HTTP request); returns the callback URL."""
    query = urlsplit(authorize_url).query
    answer = requests.post(
        f"{provider.issuer}/authorize?{query}",
        data={"username": username},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def back_at_register(client: Client, callback_url: str) -> Any:
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def sso_login(client: Client, provider: Provider, username: str, next_url: str = "") -> Any:
    return back_at_register(
        client, provider_login(provider, go_to_provider(client, next_url), username)
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def logged_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# --- the happy path -------------------------------------------------------------------------


def test_login_page_shows_the_provider_button_and_keeps_the_local_login(oidc, db) -> None:
    page = Client().get(LOGIN).content.decode()
    assert "Inloggen via Mijn-SEU" in page
    assert f'action="{START}"' in page
    assert 'name="password"' in page


def test_authorization_request_uses_pkce_s256_state_and_nonce(oidc, db) -> None:
    authorize = go_to_provider(Client())
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{oidc.issuer}/authorize?")
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 20
    assert len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/account/inloggen/sso/mijnseu/terug/"]


def test_first_login_links_through_number_and_email_then_logs_in(oidc, world: World) -> None:
    user = world.professional.user
    oidc.users["anna"] = claims_for(user)
    client = Client()
    response = sso_login(client, oidc, "anna", next_url="/mijn-dossier/")
    assert response.status_code == 302
    assert response["Location"] == "/mijn-dossier/"
    assert logged_in_user(client) == user
    identity = SsoIdentity.objects.get()
    assert (identity.user, identity.subject) == (user, f"seu-{user.pk}")
    assert identity.linked_by == SsoIdentity.LinkedBy.CLAIMS
    assert [e.data["linked_by"] for e in events("sso.linked")] == ["claims"]
    [login] = events("sso.login")
    assert (login.actor, login.data["provider"]) == (user, "mijnseu")
    # The code was exchanged with the PKCE verifier the register kept (the provider checked it).
    assert oidc.token_requests[0]["grant_type"] == "authorization_code"
    # The next login finds the link; nothing is linked twice.
    second = Client()
    assert sso_login(second, oidc, "anna").status_code == 302
    assert logged_in_user(second) == user
    assert SsoIdentity.objects.count() == 1
    assert len(events("sso.linked")) == 1


def test_an_sso_login_starts_the_idle_clock_and_a_new_session(oidc, world: World) -> None:
    user = world.professional.user
    oidc.users["anna"] = claims_for(user)
    client = Client()
    go_to_provider(client)
    before = client.session.session_key
    authorize = go_to_provider(client)
    back_at_register(client, provider_login(oidc, authorize, "anna"))
    assert client.session.session_key != before
    assert isinstance(client.session.get("pe_last_seen"), int)


# --- linking --------------------------------------------------------------------------------


def test_unlinked_identity_gets_a_dutch_page_and_no_account(oidc, world: World) -> None:
    oidc.users["vreemde"] = {
        "sub": "seu-vreemd",
        "email": "onbekend@example.nl",
        "email_verified": True,
        "name": world.professional.user.get_full_name(),  # the same name links nothing
        "given_name": world.professional.user.first_name,
        "family_name": world.professional.user.last_name,
    }
    users_before = User.objects.count()
    client = Client()
    response = sso_login(client, oidc, "vreemde")
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "nog niet gekoppeld" in text
    assert "Er is geen nieuw account gemaakt" in text
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before
    assert not SsoIdentity.objects.exists()
    # Review F3, ASVS 4.0.3 V7.1.3: recorded as a security event, without the claims.
    [event] = events("sso.unknown_identity")
    assert "sso.unknown_identity" in AuditEvent.SECURITY_ACTIONS
    assert event.data["provider"] == "mijnseu"
    assert "onbekend@example.nl" not in str(event.data)


def test_the_security_page_lists_the_linked_identity_by_its_label(oidc, world: World) -> None:
    """Review F2: *Inloggen via Mijn-SEU*, linked since, last used; removable there."""
    user = world.professional.user
    oidc.users["anna"] = claims_for(user)
    client = Client()
    sso_login(client, oidc, "anna")
    page = client.get("/account/beveiliging/").content.decode()
    assert "Inloggen via Mijn-SEU" in page
    identity = SsoIdentity.objects.get(user=user)
    assert f'name="identity" value="{identity.pk}"' in page
    response = client.post(
        "/account/beveiliging/inlogdienst-verwijderen/", {"identity": identity.pk}
    )
    assert response.status_code == 302
    assert not SsoIdentity.objects.filter(user=user).exists()


def test_number_without_a_matching_email_does_not_link(oidc, world: World) -> None:
    user = world.professional.user
    oidc.users["anna"] = claims_for(user, email="iemand-anders@example.nl")
    client = Client()
    response = sso_login(client, oidc, "anna")
    assert response["Location"].endswith("/niet-gekoppeld/")
    assert logged_in_user(client) is None
    assert not SsoIdentity.objects.exists()


def test_an_unverified_email_does_not_link(oidc, world: World) -> None:
    user = world.professional.user
    oidc.users["anna"] = claims_for(user, email_verified=False)
    client = Client()
    response = sso_login(client, oidc, "anna")
    assert response["Location"].endswith("/niet-gekoppeld/")
    assert not SsoIdentity.objects.exists()


def test_a_mailed_single_use_link_links_a_contact_without_a_number(
    oidc, world: World, django_capture_on_commit_callbacks
) -> None:
    user = world.contact_live.user
    oidc.users["regio"] = {"sub": "seu-regio", "email": user.email.upper(), "email_verified": True}
    client = Client()
    unlinked = sso_login(client, oidc, "regio")["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(unlinked)
    assert "koppellink onderweg" in response.content.decode()
    [message] = mail.outbox
    assert message.to == [user.email.lower()]
    link = re.search(r"http://\S+/koppelen/(\S+)/", message.body)
    assert link is not None
    path = urlsplit(link.group(0)).path
    # Opening the link changes nothing (a mail scanner may open it); the button links.
    assert Client().get(path).status_code == 200
    assert not SsoIdentity.objects.exists()
    assert Client().post(path).status_code == 302
    identity = SsoIdentity.objects.get()
    assert (identity.user, identity.linked_by) == (user, SsoIdentity.LinkedBy.EMAIL_LINK)
    # The link is used up; it never logged anyone in.
    again = Client()
    assert again.post(path).status_code == 410
    assert logged_in_user(again) is None
    assert SsoLinkToken.objects.get().used_at is not None
    # Now the provider login goes straight in.
    after = Client()
    assert sso_login(after, oidc, "regio").status_code == 302
    assert logged_in_user(after) == user
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="sso.")] == [
        "sso.login",
        "sso.linked",
        "sso.link_sent",
        "sso.unknown_identity",  # the first login, before the link (review F3)
    ]


def test_link_request_for_an_unknown_address_says_the_same_and_sends_nothing(
    oidc, world: World, django_capture_on_commit_callbacks
) -> None:
    oidc.users["x"] = {"sub": "seu-x", "email": "niemand@example.nl", "email_verified": True}
    client = Client()
    unlinked = sso_login(client, oidc, "x")["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(unlinked)
    assert "koppellink onderweg" in response.content.decode()
    assert mail.outbox == []


def test_garbage_link_is_404_and_links_nothing(oidc, db) -> None:
    assert Client().get("/account/inloggen/sso/koppelen/niets/").status_code == 404
    assert Client().post("/account/inloggen/sso/koppelen/" + "a" * 43 + "/").status_code == 404
    assert not SsoIdentity.objects.exists()


# --- refusals -------------------------------------------------------------------------------


REFUSALS = [
    ("forged_signature", "bad_signature", "de handtekening klopt niet"),
    ("wrong_audience", "wrong_audience", "niet voor PE-register bestemd"),
    ("expired", "expired", "is verlopen"),
    ("wrong_issuer", "unknown_issuer", "onbekende uitgever"),
    ("wrong_nonce", "nonce_mismatch", "hoort niet bij deze inlogpoging"),
]


@pytest.mark.parametrize(("defect", "reason", "message"), REFUSALS)
def test_a_bad_id_token_is_refused_with_a_reason_and_an_event(
    oidc, world: World, defect: str, reason: str, message: str
) -> None:
    user = world.professional.user
    oidc.users["anna"] = claims_for(user)
    oidc.defect = defect
    users_before = User.objects.count()
    client = Client()
    response = sso_login(client, oidc, "anna")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert logged_in_user(client) is None
    assert not SsoIdentity.objects.exists()
    assert User.objects.count() == users_before
    [event] = events("sso.refused")
    assert (event.data["provider"], event.data["reason"]) == ("mijnseu", reason)
    assert "id_token" not in str(event.data)


def test_expiry_within_the_leeway_is_accepted(oidc, world: World, settings) -> None:
    # The provider's clock runs 30 minutes behind ours: an hour's leeway covers it.
    settings.OIDC_LEEWAY_SECONDS = 3600
    oidc.users["anna"] = claims_for(world.professional.user)
    oidc.defect = "expired"
    client = Client()
    assert sso_login(client, oidc, "anna").status_code == 302
    assert logged_in_user(client) == world.professional.user


def test_a_replayed_state_is_refused(oidc, world: World) -> None:
    oidc.users["anna"] = claims_for(world.professional.user)
    client = Client()
    callback = provider_login(oidc, go_to_provider(client), "anna")
    assert back_at_register(client, callback).status_code == 302
    client.post("/account/uitloggen/")
    # The same callback (state and code) again, in the same browser.
    replay = back_at_register(client, callback)
    assert replay.status_code == 400
    assert "verlopen of al gebruikt" in replay.content.decode()
    assert logged_in_user(client) is None
    assert [e.data["reason"] for e in events("sso.refused")] == ["state"]


def test_a_callback_for_another_browsers_login_is_refused(oidc, world: World) -> None:
    """Login CSRF: an attacker's callback URL opened in the victim's browser finds no state."""
    oidc.users["anna"] = claims_for(world.professional.user)
    attacker_callback = provider_login(oidc, go_to_provider(Client()), "anna")
    victim = Client()
    response = back_at_register(victim, attacker_callback)
    assert response.status_code == 400
    assert logged_in_user(victim) is None


def test_an_unknown_provider_is_404(oidc, db) -> None:
    assert Client().post("/account/inloggen/sso/nepdienst/").status_code == 404
    assert Client().get("/account/inloggen/sso/nepdienst/terug/?code=x&state=y").status_code == 404


def test_a_discovery_document_of_another_issuer_is_refused(oidc, db, settings) -> None:
    # Configured for an issuer URL whose discovery document names another issuer.
    configure(settings, oidc, issuer=f"{oidc.issuer}/nep")
    response = Client().post(START)
    assert response.status_code == 400
    assert "onbekende uitgever" in response.content.decode()
    assert [e.data["reason"] for e in events("sso.refused")] == ["unknown_issuer"]


def test_provider_cancel_is_refused_clearly(oidc, db) -> None:
    client = Client()
    authorize = go_to_provider(client)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    response = client.get(f"/account/inloggen/sso/mijnseu/terug/?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "afgebroken" in response.content.decode()


def test_unreachable_provider_is_a_clear_502(oidc, db, settings) -> None:
    configure(settings, oidc, issuer="http://127.0.0.1:9")
    response = Client().post(START)
    assert response.status_code == 502
    assert "niet bereikbaar" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["", "?code=x", "?state=y", "?code=%00&state=%ff", "?code=" + "x" * 5000 + "&state=z"],
)
def test_garbage_callbacks_are_4xx(oidc, db, query: str) -> None:
    client = Client()
    go_to_provider(client)
    assert client.get(f"/account/inloggen/sso/mijnseu/terug/{query}").status_code == 400


def test_start_answers_get_with_405(oidc, db) -> None:
    assert Client().get(START).status_code == 405


# --- second factor and logout ---------------------------------------------------------------


def test_a_beheerder_logging_in_through_sso_still_owes_the_second_step(oidc, world: World) -> None:
    user = world.administrator.user
    oidc.users["hr"] = {"sub": "seu-hr", "email": user.email, "email_verified": True}
    SsoIdentity.objects.create(
        user=user,
        provider="mijnseu",
        subject="seu-hr",
        linked_by="claims",
        linked_at="2026-01-01T00:00Z",
    )
    client = Client()
    response = sso_login(client, oidc, "hr", next_url="/organisatie/")
    assert response["Location"].startswith("/account/tweede-stap/")
    assert client.session[mfa.SESSION_VERIFIED] is False
    # Any other page sends the session back to the second step.
    assert client.get("/").status_code == 302
    assert client.get("/")["Location"].startswith("/account/tweede-stap/")


def test_amr_is_trusted_only_when_the_provider_config_says_so(oidc, world: World, settings) -> None:
    user = world.administrator.user
    oidc.users["hr"] = {"sub": "seu-hr", "email": user.email, "amr": ["pwd", "otp"]}
    SsoIdentity.objects.create(
        user=user,
        provider="mijnseu",
        subject="seu-hr",
        linked_by="claims",
        linked_at="2026-01-01T00:00Z",
    )
    untrusted = Client()
    assert sso_login(untrusted, oidc, "hr")["Location"].startswith("/account/tweede-stap/")
    configure(settings, oidc, trust_mfa="1")
    trusted = Client()
    response = sso_login(trusted, oidc, "hr")
    assert response["Location"] == "/"
    assert trusted.session[mfa.SESSION_VERIFIED] is True
    assert [e.data["second_factor_by_provider"] for e in events("sso.login")] == [False, True]
    # A password-only assertion is no second factor, trusted provider or not.
    oidc.users["hr"]["amr"] = ["pwd"]
    third = Client()
    assert sso_login(third, oidc, "hr")["Location"].startswith("/account/tweede-stap/")


def test_logout_ends_the_session_here_and_at_the_provider(oidc, world: World) -> None:
    oidc.users["anna"] = claims_for(world.professional.user)
    client = Client()
    sso_login(client, oidc, "anna")
    id_token = client.session[sso.SESSION_LOGIN]["id_token"]
    response = client.post("/account/uitloggen/")
    assert response.status_code == 302
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{oidc.issuer}/logout"
    query = parse_qs(end.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/account/inloggen/"]
    assert logged_in_user(client) is None


def test_a_password_login_logs_out_locally_only(oidc, world: World) -> None:
    client = Client()
    client.force_login(world.professional.user)
    response = client.post("/account/uitloggen/")
    assert response["Location"] == "/account/inloggen/"


def test_sso_is_rate_limited_per_client(oidc, db, monkeypatch) -> None:
    from peregister.accounts import sso_views

    monkeypatch.setattr(sso_views, "SSO_REQUESTS_PER_QUARTER", 2)
    client = Client()
    go_to_provider(client)
    go_to_provider(client)
    response = client.post(START)
    assert response.status_code == 429
    assert "Retry-After" in response


# --- every persona, and the query budgets ---------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_sso_pages_per_persona(oidc, world: World, persona: str) -> None:
    client = world.client(persona)
    start = client.post(START)
    assert start.status_code == 302
    if persona == "anonymous":
        assert start["Location"].startswith(oidc.issuer)
    else:
        assert start["Location"] == "/"
    assert client.get("/account/inloggen/sso/mijnseu/terug/").status_code == 400
    unlinked = client.get("/account/inloggen/sso/mijnseu/niet-gekoppeld/")
    assert (unlinked.status_code, unlinked["Location"]) == (302, LOGIN)
    assert client.get("/account/inloggen/sso/koppelen/" + "b" * 43 + "/").status_code == 404


def queries_of(client: Client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


# Constant per page, whatever the number of accounts or identities.
BUDGETS = {"login": 0, "unlinked": 1, "link": 1}  # session; the link with its user


def test_sso_pages_stay_within_their_query_budgets(
    oidc, world: World, settings, django_capture_on_commit_callbacks
) -> None:
    # The login page's buttons come from settings: no query more than without them.
    assert queries_of(Client(), LOGIN) <= BUDGETS["login"]
    user = world.contact_live.user
    oidc.users["regio"] = {"sub": "seu-regio", "email": user.email, "email_verified": True}
    client = Client()
    unlinked = sso_login(client, oidc, "regio")["Location"]
    assert queries_of(client, unlinked) <= BUDGETS["unlinked"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(unlinked)
    link = re.search(r"http://\S+/koppelen/\S+/", mail.outbox[0].body)
    assert link is not None
    assert queries_of(Client(), urlsplit(link.group(0)).path) <= BUDGETS["link"]


def test_staff_see_sso_refusals_under_beveiliging(oidc, world: World) -> None:
    oidc.users["anna"] = claims_for(world.professional.user)
    oidc.defect = "forged_signature"
    sso_login(Client(), oidc, "anna")
    page = client_for(world.staff).get("/register/beveiliging/", {"soort": "sso.refused"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "inloggen via inlogdienst geweigerd" in text


def test_a_linked_but_inactive_account_is_refused(oidc, world: World) -> None:
    user = world.professional.user
    oidc.users["anna"] = claims_for(user)
    assert sso_login(Client(), oidc, "anna").status_code == 302
    User.objects.filter(pk=user.pk).update(is_active=False)
    client = Client()
    response = sso_login(client, oidc, "anna")
    assert response.status_code == 400
    assert "niet actief" in response.content.decode()
    assert logged_in_user(client) is None
    assert [e.data["reason"] for e in events("sso.refused")] == ["inactive_account"]


def test_without_an_end_session_endpoint_logout_stays_local(
    oidc, world: World, monkeypatch
) -> None:
    discovery = oidc.discovery

    def without_end_session() -> dict[str, Any]:
        document = discovery()
        del document["end_session_endpoint"]
        return document

    monkeypatch.setattr(oidc, "discovery", without_end_session)
    oidc.users["anna"] = claims_for(world.professional.user)
    client = Client()
    sso_login(client, oidc, "anna")
    response = client.post("/account/uitloggen/")
    assert response["Location"] == "/account/inloggen/"
    assert logged_in_user(client) is None
    assert oidc.ended == []


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_next_never_leads_off_site(oidc, world: World, next_url: str) -> None:
    """ASVS 5.1.5: the page to return to after an SSO login is one of the register's own."""
    oidc.users["anna"] = claims_for(world.professional.user)
    response = sso_login(Client(), oidc, "anna", next_url=next_url)
    assert response["Location"] == "/"


def test_callbacks_count_against_the_address_login_limit(oidc, world: World, monkeypatch) -> None:
    """ASVS 2.2.1: the password login's per-address wall holds for SSO callbacks too."""
    from peregister.accounts import throttle

    monkeypatch.setattr(throttle, "ADDRESS_ATTEMPTS", 1)
    oidc.users["anna"] = claims_for(world.professional.user)
    client = Client()
    assert sso_login(client, oidc, "anna").status_code == 302
    client.post("/account/uitloggen/")
    response = sso_login(client, oidc, "anna")
    assert response.status_code == 429
    assert logged_in_user(client) is None
    assert [e.data["counter"] for e in events("login.throttled")] == ["address"]
