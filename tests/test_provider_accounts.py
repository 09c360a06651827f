"""Training providers (aanbieders): *Account aanvragen aanbieder* on the employer's one path,
the register's decisions in the same queue, provider users, and no dossier for a provider."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from peregister.access import policies
from peregister.access.services import grant_access
from peregister.audit.models import AuditEvent
from peregister.core.refusals import Refused
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World, client_for
from tests.test_onboarding import valid_request

pytestmark = pytest.mark.django_db

URL = "/account/aanvragen-aanbieder/"


def provider_request(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Opleidingen Noord",
        "kvk_number": "55554444",
        "requester_name": "Planning Noord",
        "requester_email": "planning@noord.example",
        "username": "noord-planning",
    }
    return valid_request(**{**data, **overrides})


def test_the_login_page_offers_the_provider_request(db: None) -> None:
    body = client_for(None).get("/account/inloggen/").content.decode()
    assert f'href="{URL}"' in body
    assert "Account aanvragen aanbieder" in body


def test_provider_requests_an_account_and_staff_authorise_it(
    django_capture_on_commit_callbacks: Any, world: World
) -> None:
    client = client_for(None)
    page = client.get(URL).content.decode()
    assert "<h1>Account aanvragen aanbieder</h1>" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, provider_request())
    assert response.status_code == 302
    assert "aanbiedersaccount" in client.get(response["Location"]).content.decode()

    provider = Organisation.objects.get(name="Opleidingen Noord")
    assert (provider.kind, provider.status) == (
        Organisation.Kind.PROVIDER,
        Organisation.Status.REQUESTED,
    )
    beheerder = Contact.objects.get(organisation=provider)
    assert beheerder.role == Contact.Role.ADMINISTRATOR
    assert not beheerder.user.has_usable_password()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCOUNT_REQUESTED)
    assert event.organisation == provider
    assert event.data["kind"] == "provider"
    [message] = mail.outbox
    assert message.to == ["planning@noord.example"]
    assert "aanbiedersaccount" in message.subject
    assert "noord-planning" in message.body

    # The register's queue shows providers apart, and decides with the same screens.
    staff = client_for(world.staff)
    queue = staff.get("/register/organisaties/?soort=provider").content.decode()
    assert "Opleidingen Noord" in queue
    assert world.organisation.name not in queue
    assert (
        "Opleidingen Noord"
        not in staff.get("/register/organisaties/?soort=employer").content.decode()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        # As the page posts it: the fingerprint of what staff reviewed (issue 13).
        done = staff.post(
            f"/register/organisaties/{provider.code}/autoriseren/",
            {"seen": provider.review_fingerprint()},
        )
    assert done.status_code == 302
    provider.refresh_from_db()
    assert provider.status == Organisation.Status.AUTHORISED
    [confirmation] = mail.outbox
    assert "geautoriseerd als aanbieder" in confirmation.body
    assert "inzage" not in confirmation.body


def test_rejection_mail_names_the_provider_account(
    django_capture_on_commit_callbacks: Any, world: World
) -> None:
    provider = factories.ProviderFactory(status=Organisation.Status.REQUESTED)
    factories.ContactFactory(organisation=provider, role=Contact.Role.ADMINISTRATOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.staff).post(
            f"/register/organisaties/{provider.code}/afwijzen/", {"reason": "Geen opleider."}
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert "aanbiedersaccount" in message.subject
    assert "Geen opleider." in message.body


def test_an_employer_may_also_be_a_provider_but_never_twice_a_provider(
    django_capture_on_commit_callbacks: Any, world: World
) -> None:
    """The request page answers alike for a known KvK number (issue 13, finding 10: no oracle
    of who is registered); staff see the second provider request as a possible duplicate and
    cannot authorise it while the first provider is live. An employer with the same KvK number
    is no obstacle: it is one of each kind."""
    employer = factories.OrganisationFactory(kvk_number="55554444")
    client = client_for(None)
    first = client.post(URL, provider_request())
    assert first.status_code == 302
    provider = Organisation.objects.get(kvk_number="55554444", kind=Organisation.Kind.PROVIDER)
    factories.ContactFactory(
        organisation=employer, role=Contact.Role.ADMINISTRATOR, email="beheer@werkgever.example"
    )
    staff = client_for(world.staff)
    assert (
        staff.post(
            f"/register/organisaties/{provider.code}/autoriseren/",
            {"seen": provider.review_fingerprint()},
        ).status_code
        == 302
    )

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            URL,
            provider_request(username="noord-tweede", requester_email="iemand@anders.example"),
        )
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    second = Organisation.objects.get(
        kvk_number="55554444", kind=Organisation.Kind.PROVIDER, status="requested"
    )
    # The live provider's beheerder is told; the employer of the same KvK number is not.
    told = [message for message in mail.outbox if "planning@noord.example" in message.to]
    assert len(told) == 1
    assert "55554444" in told[0].body
    assert "iemand@anders.example" not in told[0].body
    assert not [message for message in mail.outbox if "beheer@werkgever.example" in message.to]

    assert "Mogelijk dubbel" in staff.get(f"/register/organisaties/{second.code}/").content.decode()
    refused = staff.post(
        f"/register/organisaties/{second.code}/autoriseren/",
        {"seen": second.review_fingerprint()},
    )
    assert refused.status_code == 400
    assert "al een geautoriseerde of geschorste organisatie" in refused.content.decode()
    assert (
        Organisation.objects.filter(
            kvk_number="55554444",
            kind=Organisation.Kind.PROVIDER,
            status=Organisation.Status.AUTHORISED,
        ).count()
        == 1
    )
    employer.refresh_from_db()
    assert employer.status == Organisation.Status.AUTHORISED


@pytest.mark.parametrize(
    ("field", "value"),
    [("kvk_number", "12"), ("postcode", "AB 1234"), ("requester_email", "geen-adres")],
)
def test_garbage_is_a_400_and_writes_nothing(db: None, field: str, value: str) -> None:
    response = client_for(None).post(URL, provider_request(**{field: value}))
    assert response.status_code == 400
    assert not Organisation.objects.exists()
    assert not mail.outbox


def test_the_service_refuses_an_unknown_kind(db: None) -> None:
    from peregister.organisations import services

    with pytest.raises(Refused):
        services.request_account(
            actor=None,
            kind="bank",
            data=services.OrganisationData(
                "X", "Straat 1", "3511 AB", "Utrecht", "0301234567", "a@b.nl"
            ),
            kvk_number="12345678",
            requester_name="X",
            requester_email="x@b.nl",
            username="xx-bank",
        )
    assert not Organisation.objects.exists()


def test_provider_beheerder_adds_a_user_on_the_same_pages(
    django_capture_on_commit_callbacks: Any, world: World
) -> None:
    client = client_for(world.provider_admin.user)
    form = client.get("/werkgever/beheerders/toevoegen/").content.decode()
    assert "registreert presentie" in form
    assert "PE-dossiers" not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/werkgever/beheerders/toevoegen/",
            {
                "kind": "person",
                "name": "Docent Jansen",
                "email": "jansen@vakwijs.example",
                "role": "contact",
                "username": "vakwijs-jansen",
                "language": "nl",
            },
        )
    assert response.status_code == 302
    user = Contact.objects.get(name="Docent Jansen")
    assert user.organisation == world.provider_admin.organisation
    assert [m.to for m in mail.outbox] == [["jansen@vakwijs.example"]]


def test_a_provider_is_never_offered_nor_granted_access(world: World) -> None:
    """ASVS V4.1.3 (least privilege): a provider's user never sees a dossier."""
    professional_client = client_for(world.professional.user)
    search = professional_client.get("/mijn/inzage-werkgever/toevoegen/?q=Vakwijs").content.decode()
    assert "Opleider Vakwijs" not in search
    provider = world.provider_admin.organisation
    assert (
        professional_client.get(f"/mijn/inzage-werkgever/toevoegen/{provider.code}/").status_code
        == 404
    )
    with pytest.raises(Refused):
        grant_access(
            actor=world.professional.user,
            professional=world.professional,
            contact=world.provider_admin,
            valid_until=None,
        )
    # Even a grant row made behind the services' back opens nothing: the access rule asks
    # for an authorised employer.
    factories.AccessGrantFactory(professional=world.professional, contact=world.provider_admin)
    assert not policies.can_view_dossier(world.provider_admin.user, world.professional)
    assert policies.report_scope(world.provider_admin.user) is None
    client = client_for(world.provider_admin.user)
    assert client.get("/werkgever/professionals/").status_code == 404
    assert client.get(f"/werkgever/professionals/{world.professional.code}/").status_code == 404
    assert client.get("/werkgever/rapportage/").status_code == 404
