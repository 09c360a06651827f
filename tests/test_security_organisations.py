"""Organisation data that may not change (OWASP ASVS 4.0.3 V4.1.3, V4.2: business logic
access; V1.11.2: the decision is on the data that was reviewed)."""

from __future__ import annotations

import pytest

from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World, client_for
from tests.test_organisation_admin import NEW_PASSWORD  # noqa: F401 - same suite passwords

pytestmark = pytest.mark.django_db
SUSPENDED = "Uw organisatie is geschorst door het register"


def _organisation_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Uitzendbureau De Brug (nieuw)",
        "street": "Brugstraat 1",
        "postcode": "3511 AB",
        "city": "Utrecht",
        "phone": "030-1234567",
        "email": "info@debrug.example",
    }
    data.update(overrides)
    return data


@pytest.fixture
def suspended(world: World) -> World:
    Organisation.objects.filter(pk=world.organisation.pk).update(
        status=Organisation.Status.SUSPENDED
    )
    return world


def test_a_suspended_organisation_cannot_be_renamed(suspended: World) -> None:
    client = client_for(suspended.administrator.user)
    response = client.post("/werkgever/organisatie/wijzigen/", _organisation_data())
    assert response.status_code == 400
    assert SUSPENDED in response.content.decode()
    suspended.organisation.refresh_from_db()
    assert suspended.organisation.name == "Uitzendbureau De Brug"


def test_a_suspended_organisation_cannot_add_or_change_contacts(suspended: World) -> None:
    client = client_for(suspended.administrator.user)
    before = Contact.objects.count()
    added = client.post(
        "/werkgever/beheerders/toevoegen/",
        {
            "kind": "person",
            "name": "Nieuwe collega",
            "email": "nieuw@debrug.example",
            "role": "contact",
            "username": "nieuwe-collega",
            "language": "nl",
        },
    )
    assert added.status_code == 400
    assert SUSPENDED in added.content.decode()
    assert Contact.objects.count() == before
    contact = suspended.contact_live
    base = f"/werkgever/beheerders/{contact.code}/"
    for path, data in (
        (f"{base}rol/", {"role": "deputy"}),
        (f"{base}actief/", {"active": "0"}),
        (f"{base}overdragen/", {"confirm": "1"}),
    ):
        response = client.post(path, data)
        assert response.status_code in (400, 409), path
        assert SUSPENDED in response.content.decode(), path
    contact.refresh_from_db()
    assert (contact.role, contact.active) == (Contact.Role.CONTACT, True)
    suspended.administrator.refresh_from_db()
    assert suspended.administrator.role == Contact.Role.ADMINISTRATOR


def test_staff_authorise_the_data_they_saw(world: World) -> None:
    """A change by the employer after staff opened the request refuses the decision; staff
    look again and then decide on the new data."""
    organisation = factories.OrganisationFactory(status=Organisation.Status.REQUESTED)
    administrator = factories.ContactFactory(
        organisation=organisation, role=Contact.Role.ADMINISTRATOR
    )
    staff = client_for(world.staff)
    page = staff.get(f"/register/organisaties/{organisation.code}/").content.decode()
    seen = organisation.review_fingerprint()
    assert f'name="seen" value="{seen}"' in page
    changed = client_for(administrator.user).post(
        "/werkgever/organisatie/wijzigen/", _organisation_data(name="Een heel ander bedrijf")
    )
    assert changed.status_code == 302
    refused = staff.post(f"/register/organisaties/{organisation.code}/autoriseren/", {"seen": seen})
    assert refused.status_code == 400
    assert "gewijzigd sinds u de pagina opende" in refused.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.REQUESTED
    again = organisation.review_fingerprint()
    assert again != seen
    decided = staff.post(
        f"/register/organisaties/{organisation.code}/autoriseren/", {"seen": again}
    )
    assert decided.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.AUTHORISED
