"""Flow 1–3 through the test client: request, mail, set password, log in, authorisation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.core.refusals import Refused
from peregister.organisations import services
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import client_for

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
    home = client.get("/").content.decode()
    assert "wacht op autorisatie" in home

    staff = client_for(factories.UserFactory(is_staff=True))
    queue = staff.get("/register/organisaties/").content.decode()
    assert "Uitzendbureau Vooruit" in queue
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decided = staff.post(f"/register/organisaties/{organisation.code}/autoriseren/")
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


def test_username_taken_in_any_letter_case() -> None:
    factories.UserFactory(username="seu-werkgever-test")
    response = Client().post("/account/aanvragen/", valid_request())
    assert response.status_code == 400
    assert "Deze gebruikersnaam is al in gebruik" in response.content.decode()
    assert not Organisation.objects.exists()


@pytest.mark.parametrize("status", ["requested", "authorised", "suspended"])
def test_kvk_already_requested_or_registered(status: str) -> None:
    factories.OrganisationFactory(kvk_number="87654321", status=status)
    response = Client().post("/account/aanvragen/", valid_request(kvk_number="8765 4321"))
    assert response.status_code == 400
    assert "Voor dit KvK-nummer is al een werkgeversaccount" in response.content.decode()
    assert Organisation.objects.count() == 1
    assert not User.objects.exists()


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
    assert second.status_code == 400
    assert Organisation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_concurrent_duplicate_is_refused_by_the_database_not_a_500() -> None:
    """The form check passed in both requests; the partial unique constraint decides."""
    data = services.OrganisationData(
        name="X", street="Y 1", postcode="1234 AB", city="Z", phone="0301234567", email="a@b.nl"
    )
    factories.OrganisationFactory(kvk_number="87654321", status="requested")
    users_before = User.objects.count()
    with pytest.raises(Refused):
        services.request_employer_account(
            actor=None,
            data=data,
            kvk_number="87654321",
            requester_name="A",
            requester_email="a@b.nl",
            username="racer",
        )
    assert User.objects.count() == users_before
    assert Organisation.objects.count() == 1


def test_a_concurrent_username_is_refused_as_a_form_error(monkeypatch: pytest.MonkeyPatch) -> None:
    factories.UserFactory(username="SEU-werkgever-test")
    # Let the form's own check pass, as it would in a race, so the constraint must catch it.
    monkeypatch.setattr(
        "peregister.accounts.forms.NewUsernameField.validate",
        lambda self, value: None,
    )
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
