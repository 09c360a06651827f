"""Rules the database itself enforces, whatever the forms do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from peregister.access.models import AccessGrant
from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core import clock
from peregister.organisations.models import Contact
from tests import factories

pytestmark = pytest.mark.django_db


def refused(create) -> bool:  # type: ignore[no-untyped-def]
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_one_administrator_and_one_deputy_per_organisation() -> None:
    organisation = factories.OrganisationFactory()
    factories.ContactFactory(organisation=organisation, role=Contact.Role.ADMINISTRATOR)
    factories.ContactFactory(organisation=organisation, role=Contact.Role.DEPUTY)
    assert refused(
        lambda: factories.ContactFactory(organisation=organisation, role="administrator")
    )
    assert refused(lambda: factories.ContactFactory(organisation=organisation, role="deputy"))
    factories.ContactFactory(organisation=organisation, role=Contact.Role.CONTACT)


def test_administrator_cannot_be_inactive() -> None:
    assert refused(lambda: factories.ContactFactory(role="administrator", active=False))


def test_one_open_grant_per_professional_and_contact() -> None:
    grant = factories.AccessGrantFactory()
    assert refused(
        lambda: factories.AccessGrantFactory(professional=grant.professional, contact=grant.contact)
    )
    AccessGrant.objects.filter(pk=grant.pk).update(revoked_at=clock.now())
    factories.AccessGrantFactory(professional=grant.professional, contact=grant.contact)


def test_period_end_after_start_and_points_not_negative() -> None:
    registration = factories.RegistrationFactory()
    day = dt.date(2025, 1, 1)
    assert refused(lambda: factories.PePeriodFactory(registration=registration, start=day, end=day))
    assert refused(lambda: factories.CompletionFactory(points=-1))


def test_kvk_number_unique_while_live() -> None:
    factories.OrganisationFactory(kvk_number="12345678", status="rejected")
    factories.OrganisationFactory(kvk_number="12345678", status="requested")
    factories.OrganisationFactory(kvk_number="12345678", status="requested")
    factories.OrganisationFactory(kvk_number="12345678", status="authorised")
    assert refused(lambda: factories.OrganisationFactory(kvk_number="12345678", status="suspended"))
    assert refused(lambda: factories.OrganisationFactory(kvk_number="1234567"))


def test_usernames_are_unique_regardless_of_case() -> None:
    factories.UserFactory(username="SEU-werkgever-test")
    assert refused(lambda: factories.UserFactory(username="seu-werkgever-TEST"))
    assert User.objects.get_by_natural_key("seu-WERKGEVER-test").username == "SEU-werkgever-test"


def test_registration_numbers_keep_leading_zeros() -> None:
    professional = factories.ProfessionalFactory(registration_number="0012345")
    professional.refresh_from_db()
    assert professional.registration_number == "0012345"


@pytest.mark.django_db(transaction=True)
def test_audit_events_are_append_only_and_need_a_transaction() -> None:
    professional = factories.ProfessionalFactory()
    with pytest.raises(RuntimeError):
        record(AuditEvent.Action.DOSSIER_VIEWED, actor=None, professionals=[professional])
    with transaction.atomic():
        event = record(AuditEvent.Action.DOSSIER_VIEWED, actor=None, professionals=[professional])
    assert list(professional.audit_events.all()) == [event]
    event.data = {"changed": True}
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
