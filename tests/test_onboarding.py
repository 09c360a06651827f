"""Flow 1–3 through the test client: request, mail, set password, log in, authorisation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import client_for, mark_second_step_done

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zomer-avond-2026!"
LINK = re.compile(r"https?://\S+/account/wachtwoord-instellen/[A-Za-z0-9_-]+/")


def valid_request(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Uitzendbureau Vooruit",
        "kvk_number": "87654321",
        "street": "Oudegracht 12",
        "postcode": "3511ab",
        "city": "Utrecht",
        "phone": "030-7654321",
        "email": "info@vooruit.example",
        "requester_name": "HR Vooruit",
        "requester_email": "hr@vooruit.example",
        "username": "SEU-werkgever-test",
    }
    data.update(overrides)
    return data


def mail_parts(message: Any) -> tuple[str, str]:
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    return message.body, html


def link_in(text: str) -> str:
    match = LINK.search(text)
    assert match, text
    return match.group(0)


def test_login_page_links_to_the_account_request(db: None) -> None:
    body = Client().get("/account/inloggen/").content.decode()
    assert 'href="/account/aanvragen/"' in body
    assert "Aanvragen account collectieve werkgever" in body
    assert 'href="/account/nieuwe-link/"' in body


def test_whole_flow_request_mail_password_login_authorisation(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://pe.example.nl"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    client = Client()
    form = client.get("/account/aanvragen/")
    assert form.status_code == 200
    assert "Aanvragen account collectieve werkgever" in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/aanvragen/", valid_request(), HTTP_HOST="evil.example")
    assert response.status_code == 302
    assert response["Location"] == "/account/aanvragen/ontvangen/"
    assert "gebruikersnaam" in client.get(response["Location"]).content.decode()

    organisation = Organisation.objects.get()
    assert organisation.status == Organisation.Status.REQUESTED
    assert organisation.postcode == "3511 AB"
    administrator = Contact.objects.get(organisation=organisation)
    assert administrator.role == Contact.Role.ADMINISTRATOR
    assert not administrator.user.has_usable_password()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCOUNT_REQUESTED, organisation=organisation
    ).exists()

    # The seed's example mail: username, single-use link, login page; text and HTML.
    [message] = mail.outbox
    assert message.to == ["hr@vooruit.example"]
    assert "werkgeversaccount" in message.subject
    text, html = mail_parts(message)
    for part in (text, html):
        assert "SEU-werkgever-test" in part
        assert "https://pe.example.nl/account/inloggen/" in part
        assert "72 uur" in part
        assert "evil.example" not in part
    link = link_in(text)
    assert link.startswith("https://pe.example.nl/")
    assert f'href="{link}"' in html

    path = link.removeprefix("https://pe.example.nl")
    page = client.get(path)
    assert page.status_code == 200
    assert "SEU-werkgever-test" in page.content.decode()
    # The link alone never logs anyone in.
    assert client.get("/").status_code == 302

    mismatch = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": "anders"})
    assert mismatch.status_code == 400
    assert "De twee wachtwoorden zijn niet gelijk." in mismatch.content.decode()

    done = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/account/inloggen/"
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_SET).count() == 1

    used = client.get(path)
    assert used.status_code == 410
    assert "al gebruikt" in used.content.decode()

    login = client.post(
        "/account/inloggen/", {"username": "seu-werkgever-TEST", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    # A beheerder sets up the second factor first (issue 13), then sees the start page.
    assert login["Location"].startswith("/account/tweede-stap/")
    mark_second_step_done(client)
    home = client.get("/").content.decode()
    assert "wacht op autorisatie" in home

    staff = client_for(factories.UserFactory(is_staff=True))
    queue = staff.get("/register/organisaties/").content.decode()
    assert "Uitzendbureau Vooruit" in queue
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decided = staff.post(
            f"/register/organisaties/{organisation.code}/autoriseren/",
            {"seen": organisation.review_fingerprint()},
        )
    assert decided.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.AUTHORISED
    [confirmation] = mail.outbox
    assert confirmation.to == ["hr@vooruit.example"]
    assert "Autorisatiebevestiging" in confirmation.subject
    text, html = mail_parts(confirmation)
    assert "Uitzendbureau Vooruit" in text
    assert "geautoriseerd" in html

    home = client.get("/").content.decode()
    assert "wacht op autorisatie" not in home
    assert "Actieve contactpersonen" in home


def test_english_interface_gives_an_english_account(db: None) -> None:
    client = Client()
    client.post("/taal/", {"language": "en", "next": "/account/aanvragen/"})
    assert client.post("/account/aanvragen/", valid_request()).status_code == 302
    assert User.objects.get(username="SEU-werkgever-test").language == "en"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kvk_number", "1234567", "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ("kvk_number", "1234567a", "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ("kvk_number", "123456789", "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ("postcode", "0123 AB", "Vul een Nederlandse postcode in"),
        ("postcode", "3511 SS", "Vul een Nederlandse postcode in"),
        ("postcode", "3511", "Vul een Nederlandse postcode in"),
        ("email", "geen-adres", "Voer een geldig e-mailadres in."),
        ("requester_email", "hr@", "Voer een geldig e-mailadres in."),
        ("phone", "12345", "Vul een telefoonnummer in van 10 tot 15 cijfers"),
        ("phone", "030-1234567 ext", "Vul een telefoonnummer in van 10 tot 15 cijfers"),
        ("username", "ab", "Gebruik minstens 3 tekens."),
        ("username", "héllo", "Gebruik alleen letters (zonder accenten)"),
        ("username", "hallo daar", "Gebruik alleen letters (zonder accenten)"),
        ("username", "-hallo", "Gebruik alleen letters (zonder accenten)"),
        ("username", "x" * 151, "Gebruik hoogstens 150 tekens."),
        ("username", "", "Kies een gebruikersnaam."),
        ("name", "", "Dit veld is verplicht."),
        ("street", "", "Dit veld is verplicht."),
        ("city", "", "Dit veld is verplicht."),
        ("requester_name", "", "Dit veld is verplicht."),
        ("name", "x" * 201, "niet meer dan 200 tekens"),
        ("city", "x" * 101, "niet meer dan 100 tekens"),
        ("requester_email", "a" * 250 + "@x.nl", "niet meer dan 254 tekens"),
    ],
)
def test_each_validation_error_is_shown_next_to_its_field_and_writes_nothing(
    field: str, value: str, message: str
) -> None:
    response = Client().post("/account/aanvragen/", valid_request(**{field: value}))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    error = re.search(rf'<p class="field-error" id="id_{field}_error">([^<]*)</p>', body)
    assert error
    assert message in error.group(1).replace("&#x27;", "'")
    assert not Organisation.objects.exists()
    assert not User.objects.exists()
    assert mail.outbox == []


def test_missing_fields_all_explain_themselves() -> None:
    response = Client().post("/account/aanvragen/", {})
    assert response.status_code == 400
    body = response.content.decode()
    for field in valid_request():
        assert f'id="id_{field}_error"' in body
    assert not Organisation.objects.exists()


def test_a_taken_username_is_not_revealed_the_mail_names_the_one_given(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """ASVS 2.2 / enumeration (issue 13, finding 10): the page does not say a name is taken;
    the account gets a free variant, which only the requester's mail names."""
    factories.UserFactory(username="seu-werkgever-test")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/account/aanvragen/", valid_request())
    assert response.status_code == 302
    assert response["Location"] == "/account/aanvragen/ontvangen/"
    contact = Contact.objects.get(organisation__kvk_number="87654321")
    assert contact.user.username == "SEU-werkgever-test-2"
    [message] = mail.outbox
    assert "SEU-werkgever-test-2" in message.body


@pytest.mark.parametrize("status", ["requested", "authorised", "suspended"])
def test_a_known_kvk_number_is_not_revealed_and_cannot_be_blocked(
    status: str, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 13, finding 10: a request for a known KvK number is accepted like any other (a
    requested one cannot block the real company); staff see the duplicate; the beheerder of
    a registered organisation is told by e-mail."""
    existing = factories.OrganisationFactory(kvk_number="87654321", status=status)
    beheerder = factories.ContactFactory(
        organisation=existing, role=Contact.Role.ADMINISTRATOR, email="beheer@bestaand.example"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/account/aanvragen/", valid_request(kvk_number="8765 4321"))
    assert response.status_code == 302
    assert Organisation.objects.filter(kvk_number="87654321").count() == 2
    told = [m for m in mail.outbox if beheerder.email in m.to]
    assert len(told) == (0 if status == "requested" else 1)
    if told:
        assert "87654321" in told[0].body
        assert "hr@vooruit.example" not in told[0].body
    new = Organisation.objects.exclude(pk=existing.pk).get()
    staff = client_for(factories.UserFactory(is_staff=True))
    page = staff.get(f"/register/organisaties/{new.code}/").content.decode()
    assert "Mogelijk dubbel" in page


def test_a_rejected_kvk_number_can_be_requested_again() -> None:
    factories.OrganisationFactory(kvk_number="87654321", status="rejected")
    assert Client().post("/account/aanvragen/", valid_request()).status_code == 302
    assert Organisation.objects.filter(kvk_number="87654321").count() == 2


def test_double_submission_creates_one_organisation(
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/account/aanvragen/", valid_request())
        second = client.post("/account/aanvragen/", valid_request())
    assert first.status_code == 302
    assert second.status_code == 302
    assert Organisation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_second_live_organisation_with_one_kvk_number_is_refused_not_a_500(
    world: Any,
) -> None:
    """Requests may share a KvK number; authorising one while another is live is refused by
    the partial unique constraint, as a message."""
    factories.OrganisationFactory(kvk_number="87654321", status="authorised")
    duplicate = factories.OrganisationFactory(kvk_number="87654321", status="requested")
    staff = client_for(world.staff)
    response = staff.post(
        f"/register/organisaties/{duplicate.code}/autoriseren/",
        {"seen": duplicate.review_fingerprint()},
    )
    assert response.status_code == 400
    assert "al een geautoriseerde of geschorste organisatie" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == "requested"


def test_a_concurrent_username_is_refused_as_a_form_error(monkeypatch: pytest.MonkeyPatch) -> None:
    factories.UserFactory(username="SEU-werkgever-test")
    # Let the free-name lookup miss it, as it would in a race, so the constraint must catch it.
    monkeypatch.setattr("peregister.organisations.services._free_username", lambda wanted: wanted)
    response = Client().post("/account/aanvragen/", valid_request())
    assert response.status_code == 400
    assert "Deze gebruikersnaam is al in gebruik" in response.content.decode()
    assert not Organisation.objects.exists()


def test_csrf_is_enforced(db: None) -> None:
    response = Client(enforce_csrf_checks=True).post("/account/aanvragen/", valid_request())
    assert response.status_code == 403
    assert not Organisation.objects.exists()


def test_the_public_form_is_rate_limited_per_client() -> None:
    client = Client()
    for _ in range(10):
        assert client.post("/account/aanvragen/", {}).status_code == 400
    refused = client.post("/account/aanvragen/", valid_request())
    assert refused.status_code == 429
    assert "te veel aanvragen" in refused.content.decode().lower()
    assert not Organisation.objects.exists()
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post("/account/aanvragen/", valid_request()).status_code == 302
