"""*Inzage werkgever*: granting, changing the end date and revoking, as service and as pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import cast
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from peregister.access import policies, services
from peregister.access.models import AccessGrant
from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World, client_for
from tests.dutch_dates import prose

AMS = clock.AMSTERDAM


def add_url(organisation: Organisation) -> str:
    return f"/mijn/inzage-werkgever/toevoegen/{organisation.code}/"


def grants_of(world: World) -> int:
    return AccessGrant.objects.filter(professional=world.professional).count()


# --- grant_access (service) -------------------------------------------------------------------


def test_grant_creates_grant_audit_event_and_mails_the_contact(
    world: World, django_capture_on_commit_callbacks
) -> None:
    department = factories.ContactFactory(
        organisation=world.organisation,
        kind=Contact.Kind.DEPARTMENT,
        name="Afdeling HR & L&D",
        email="hr@debrug.example",
    )
    end = clock.today() + dt.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        grant = services.grant_access(
            actor=world.professional.user,
            professional=world.professional,
            contact=department,
            valid_until=end,
        )
    assert grant.state() == AccessGrant.State.ACTIVE
    assert policies.can_view_dossier(department.user, world.professional)
    event = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_CREATED)
    assert event.actor == world.professional.user
    assert event.contact == department
    assert list(event.professionals.all()) == [world.professional]
    assert event.data["grant"] == str(grant.code)
    [message] = mail.outbox
    assert message.to == ["hr@debrug.example"]
    assert world.professional.full_name in message.subject
    assert "Afdeling HR & L&D" in message.body  # plain text is not HTML-escaped
    html = message.alternatives[0][0]
    # Prose dates, in the text and the HTML part alike.
    assert f"tot en met {prose(end)}." in message.body
    assert f"tot en met {prose(end)}." in html


def test_no_mail_when_the_grant_is_refused(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Refused, match="heeft al inzage"),
    ):
        services.grant_access(
            actor=world.professional.user,
            professional=world.professional,
            contact=world.contact_live,
            valid_until=None,
        )
    assert mail.outbox == []


def test_end_date_in_the_past_is_refused(world: World) -> None:
    with pytest.raises(Refused, match="verleden"):
        services.grant_access(
            actor=world.professional.user,
            professional=world.professional,
            contact=world.deputy,
            valid_until=clock.today() - dt.timedelta(days=1),
        )
    assert not AccessGrant.objects.filter(contact=world.deputy).exists()


def test_end_date_today_is_allowed(world: World) -> None:
    grant = services.grant_access(
        actor=world.professional.user,
        professional=world.professional,
        contact=world.deputy,
        valid_until=clock.today(),
    )
    assert grant.state() == AccessGrant.State.ACTIVE


def test_only_the_professional_can_grant(world: World) -> None:
    with pytest.raises(Refused):
        services.grant_access(
            actor=world.contact_live.user,
            professional=world.professional,
            contact=world.contact_live,
            valid_until=None,
        )


@pytest.mark.parametrize("status", [Organisation.Status.SUSPENDED, Organisation.Status.REQUESTED])
def test_service_refuses_unauthorised_organisation(world: World, status: str) -> None:
    contact = cast(Contact, factories.ContactFactory(organisation__status=status))
    with pytest.raises(Refused):
        services.grant_access(
            actor=world.professional.user,
            professional=world.professional,
            contact=contact,
            valid_until=None,
        )
    assert not AccessGrant.objects.filter(contact=contact).exists()


def test_service_refuses_inactive_contact(world: World) -> None:
    contact = factories.ContactFactory(organisation=world.organisation, active=False)
    with pytest.raises(Refused):
        services.grant_access(
            actor=world.professional.user,
            professional=world.professional,
            contact=contact,
            valid_until=None,
        )


def test_several_contacts_get_one_grant_each_with_one_end_date(
    world: World, django_capture_on_commit_callbacks
) -> None:
    end = clock.today() + dt.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        grants = services.grant_access_to_contacts(
            actor=world.professional.user,
            professional=world.professional,
            contacts=[world.deputy, world.administrator],
            valid_until=end,
        )
    assert [grant.contact for grant in grants] == [world.deputy, world.administrator]
    assert {grant.valid_until for grant in grants} == {end}
    events = AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_CREATED)
    assert {event.contact_id for event in events} == {world.deputy.pk, world.administrator.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.deputy.email, world.administrator.email]
    )
    assert policies.can_view_dossier(world.deputy.user, world.professional)
    assert policies.can_view_dossier(world.administrator.user, world.professional)


@pytest.mark.parametrize(
    "refused_contact",
    ["live_grant", "inactive", "other_organisation_suspended"],
)
def test_several_contacts_are_all_or_nothing(
    world: World, django_capture_on_commit_callbacks, refused_contact: str
) -> None:
    """One refused contact among several: nobody gets access, nothing is mailed or audited."""
    if refused_contact == "live_grant":
        refused = world.contact_live
    elif refused_contact == "inactive":
        refused = cast(
            Contact, factories.ContactFactory(organisation=world.organisation, active=False)
        )
    else:
        refused = cast(
            Contact,
            factories.ContactFactory(organisation__status=Organisation.Status.SUSPENDED),
        )
    before = grants_of(world)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Refused):
        services.grant_access_to_contacts(
            actor=world.professional.user,
            professional=world.professional,
            contacts=[world.deputy, refused, world.administrator],
            valid_until=None,
        )
    assert grants_of(world) == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_CREATED).exists()
    assert mail.outbox == []


def test_several_contacts_with_a_past_end_date_are_refused_together(world: World) -> None:
    before = grants_of(world)
    with pytest.raises(Refused, match="ligt in het verleden"):
        services.grant_access_to_contacts(
            actor=world.professional.user,
            professional=world.professional,
            contacts=[world.deputy, world.administrator],
            valid_until=clock.today() - dt.timedelta(days=1),
        )
    assert grants_of(world) == before


def test_no_contacts_is_refused(world: World) -> None:
    with pytest.raises(Refused, match="minstens één"):
        services.grant_access_to_contacts(
            actor=world.professional.user,
            professional=world.professional,
            contacts=[],
            valid_until=None,
        )


def test_second_live_grant_to_same_contact_is_not_duplicated(world: World) -> None:
    existing = AccessGrant.objects.get(contact=world.contact_live)
    with pytest.raises(Refused, match="heeft al inzage") as refused:
        services.grant_access(
            actor=world.professional.user,
            professional=world.professional,
            contact=world.contact_live,
            valid_until=None,
        )
    assert refused.value.existing == [existing]
    assert AccessGrant.objects.filter(contact=world.contact_live).count() == 1


def test_simultaneous_submission_hits_the_constraint_and_reports_a_duplicate(world: World) -> None:
    # The other request created its grant after our check: the database constraint decides.
    winner = factories.AccessGrantFactory(professional=world.professional, contact=world.deputy)
    real_open_grants = services._open_grants
    calls = {"n": 0}

    def stale_then_real(professional, contacts):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return {} if calls["n"] == 1 else real_open_grants(professional, contacts)

    with (
        mock.patch.object(services, "_open_grants", side_effect=stale_then_real),
        pytest.raises(Refused, match="heeft al inzage") as refused,
    ):
        services.grant_access(
            actor=world.professional.user,
            professional=world.professional,
            contact=world.deputy,
            valid_until=None,
        )
    assert refused.value.existing == [winner]
    assert AccessGrant.objects.filter(contact=world.deputy).count() == 1
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_CREATED).exists()


def test_granting_again_after_expiry_closes_the_old_grant_and_keeps_it(world: World) -> None:
    old = AccessGrant.objects.get(contact=world.contact_expired)
    assert old.revoked_at is None
    new = services.grant_access(
        actor=world.professional.user,
        professional=world.professional,
        contact=world.contact_expired,
        valid_until=None,
    )
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.state() == AccessGrant.State.EXPIRED  # not "ingetrokken": it had run out
    assert new.state() == AccessGrant.State.ACTIVE
    assert AccessGrant.objects.filter(contact=world.contact_expired).count() == 2
    assert policies.can_view_dossier(world.contact_expired.user, world.professional)


def test_regrant_after_revocation_creates_a_new_grant(world: World) -> None:
    new = services.grant_access(
        actor=world.professional.user,
        professional=world.professional,
        contact=world.contact_revoked,
        valid_until=None,
    )
    states = {g.pk: g.state() for g in AccessGrant.objects.filter(contact=world.contact_revoked)}
    assert len(states) == 2
    assert states[new.pk] == AccessGrant.State.ACTIVE
    assert sorted(states.values()) == sorted([AccessGrant.State.ACTIVE, AccessGrant.State.REVOKED])


# --- revoke_access / change_grant_end (services) ----------------------------------------------


def test_revocation_takes_effect_on_the_very_next_request(world: World) -> None:
    grant = AccessGrant.objects.get(contact=world.contact_live)
    assert policies.can_view_dossier(world.contact_live.user, world.professional)
    services.revoke_access(actor=world.professional.user, grant=grant)
    assert not policies.can_view_dossier(world.contact_live.user, world.professional)
    grant.refresh_from_db()
    assert grant.state() == AccessGrant.State.REVOKED
    assert grant.revoked_by == world.professional.user
    event = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_REVOKED)
    assert list(event.professionals.all()) == [world.professional]
    with pytest.raises(Http404):
        policies.get_visible_professional_or_404(world.contact_live.user, world.professional.code)


def test_revoking_twice_is_refused(world: World) -> None:
    grant = AccessGrant.objects.get(contact=world.contact_revoked)
    with pytest.raises(Refused):
        services.revoke_access(actor=world.professional.user, grant=grant)


def test_change_end_date_is_audited_and_rearms_the_reminder(world: World) -> None:
    grant = AccessGrant.objects.get(contact=world.contact_live)
    AccessGrant.objects.filter(pk=grant.pk).update(reminder_sent_at=clock.now())
    grant.refresh_from_db()
    end = clock.today() + dt.timedelta(days=60)
    services.change_grant_end(actor=world.professional.user, grant=grant, valid_until=end)
    grant.refresh_from_db()
    assert grant.valid_until == end
    assert grant.reminder_sent_at is None
    event = AuditEvent.objects.get(action=AuditEvent.Action.GRANT_CHANGED)
    assert event.data == {
        "grant": str(grant.code),
        "valid_until_before": None,
        "valid_until": end.isoformat(),
    }


def test_change_end_date_refused_for_revoked_and_expired_grants(world: World) -> None:
    for contact in (world.contact_revoked, world.contact_expired):
        grant = AccessGrant.objects.get(contact=contact)
        with pytest.raises(Refused):
            services.change_grant_end(actor=world.professional.user, grant=grant, valid_until=None)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_CHANGED).exists()


# --- time travel around the end date ----------------------------------------------------------


def test_end_date_is_inclusive_in_amsterdam_time(db: None) -> None:
    professional = factories.ProfessionalFactory()
    contact = factories.ContactFactory()
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=AMS), tick=False):
        grant = services.grant_access(
            actor=professional.user,
            professional=professional,
            contact=contact,
            valid_until=dt.date(2026, 3, 31),
        )
    # 31 March 23:59 in Amsterdam is 21:59 UTC: still the last day.
    with time_machine.travel(dt.datetime(2026, 3, 31, 23, 59, tzinfo=AMS), tick=False):
        assert policies.can_view_dossier(contact.user, professional)
        assert grant.state() == AccessGrant.State.ACTIVE
    # 1 April 00:00 in Amsterdam is still 31 March in UTC, but the grant has ended.
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 0, tzinfo=AMS), tick=False):
        assert not policies.can_view_dossier(contact.user, professional)
        assert grant.state() == AccessGrant.State.EXPIRED
        body = client_for(professional.user).get("/mijn/inzage-werkgever/").content.decode()
        assert "verlopen" in body


# --- the pages --------------------------------------------------------------------------------


def test_grant_list_shows_every_state_and_unlimited(world: World) -> None:
    response = client_for(world.professional.user).get("/mijn/inzage-werkgever/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Uitzendbureau De Brug" in body
    assert "Regiomanager" in body
    assert "onbeperkt" in body
    for word in ("actief", "verlopen", "ingetrokken"):
        assert word in body
    live = AccessGrant.objects.get(contact=world.contact_live)
    revoked = AccessGrant.objects.get(contact=world.contact_revoked)
    assert f'href="/mijn/inzage-werkgever/{live.code}/intrekken/" aria-label="intrekken"' in body
    # Only live grants have the trash icon.
    assert f"/mijn/inzage-werkgever/{revoked.code}/intrekken/" not in body


def test_grant_list_shows_only_own_grants(world: World) -> None:
    other = factories.AccessGrantFactory(professional=world.other_professional)
    body = client_for(world.professional.user).get("/mijn/inzage-werkgever/").content.decode()
    assert other.contact.name not in body


def test_organisation_search_by_name_and_place_only_authorised(world: World) -> None:
    factories.OrganisationFactory(name="Flex Noord", city="Groningen")
    factories.OrganisationFactory(name="Flex Zuid", city="Maastricht")
    factories.OrganisationFactory(
        name="Flex Geschorst", city="Groningen", status=Organisation.Status.SUSPENDED
    )
    factories.OrganisationFactory(
        name="Flex Aangevraagd", city="Groningen", status=Organisation.Status.REQUESTED
    )
    client = client_for(world.professional.user)
    body = client.get("/mijn/inzage-werkgever/toevoegen/", {"q": "groningen"}).content.decode()
    assert "Flex Noord" in body
    assert "Flex Zuid" not in body
    assert "Flex Geschorst" not in body
    assert "Flex Aangevraagd" not in body
    body = client.get("/mijn/inzage-werkgever/toevoegen/", {"q": "flex zuid"}).content.decode()
    assert "Flex Zuid" in body
    assert "Flex Noord" not in body


def test_organisation_search_is_paginated(world: World) -> None:
    for n in range(30):
        factories.OrganisationFactory(name=f"Paginabureau {n:02d}")
    client = client_for(world.professional.user)
    first = client.get("/mijn/inzage-werkgever/toevoegen/", {"q": "paginabureau"}).content.decode()
    assert "Paginabureau 00" in first
    assert "Paginabureau 29" not in first
    assert "pagina=2" in first
    second = client.get(
        "/mijn/inzage-werkgever/toevoegen/", {"q": "paginabureau", "pagina": "2"}
    ).content.decode()
    assert "Paginabureau 29" in second
    # Garbage page numbers fall back to a real page, never an error.
    response = client.get("/mijn/inzage-werkgever/toevoegen/", {"pagina": "x' OR 1=1"})
    assert response.status_code == 200


def test_too_long_search_is_a_400_with_a_message(world: World) -> None:
    response = client_for(world.professional.user).get(
        "/mijn/inzage-werkgever/toevoegen/", {"q": "x" * 500}
    )
    assert response.status_code == 400


def test_grant_form_lists_active_contacts_and_explains_what_the_organisation_sees(
    world: World,
) -> None:
    inactive = cast(
        Contact, factories.ContactFactory(organisation=world.organisation, active=False)
    )
    response = client_for(world.professional.user).get(add_url(world.organisation))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Regiomanager — heeft al inzage" in body
    assert f"{world.contact_expired.name} — heeft al inzage" not in body
    assert inactive.name not in body
    assert world.other_org_admin.name not in body
    assert "volledige PE-dossier" in body
    assert "rapportage" in body
    assert "beheerder: HR De Brug" in body


def test_grant_via_the_page(world: World, django_capture_on_commit_callbacks) -> None:
    end = clock.today() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.professional.user).post(
            add_url(world.organisation),
            {"contact": str(world.deputy.code), "valid_until": end.isoformat()},
        )
    assert response.status_code == 302
    assert response["Location"] == "/mijn/inzage-werkgever/"
    grant = AccessGrant.objects.get(contact=world.deputy)
    assert grant.valid_until == end
    assert [m.to for m in mail.outbox] == [[world.deputy.email]]


def test_several_contacts_via_the_page_and_the_confirmation_names_them(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = client_for(world.professional.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            add_url(world.organisation),
            {"contact": [str(world.deputy.code), str(world.administrator.code)], "valid_until": ""},
            follow=True,
        )
    assert response.redirect_chain == [("/mijn/inzage-werkgever/", 302)]
    body = response.content.decode()
    names = sorted([world.deputy.name, world.administrator.name])
    assert f"{names[0]} en {names[1]} van Uitzendbureau De Brug hebben nu inzage" in body
    assert AccessGrant.objects.filter(contact__in=[world.deputy, world.administrator]).count() == 2
    assert len(mail.outbox) == 2


def test_several_contacts_with_one_already_granted_save_nothing_and_offer_the_change(
    world: World,
) -> None:
    existing = AccessGrant.objects.get(contact=world.contact_live)
    before = grants_of(world)
    response = client_for(world.professional.user).post(
        add_url(world.organisation),
        {"contact": [str(world.deputy.code), str(world.contact_live.code)], "valid_until": ""},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Regiomanager heeft al inzage in uw dossier" in body
    assert f"/mijn/inzage-werkgever/{existing.code}/wijzigen/" in body
    assert grants_of(world) == before
    # The choice is kept: only the contact that already has access needs unticking.
    assert re.search(rf'value="{world.deputy.code}" id="[^"]+" checked', body)


@pytest.mark.parametrize("contact", ["garbage", "", "12345"])
def test_a_crafted_contact_is_refused_in_the_products_words(world: World, contact: str) -> None:
    before = grants_of(world)
    response = client_for(world.professional.user).post(
        add_url(world.organisation), {"contact": contact, "valid_until": ""}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "geen geldige UUID" not in body
    assert (
        "Kies contactpersonen of afdelingen uit de lijst van deze organisatie." in body
        or "Kies minstens één contactpersoon of afdeling die inzage krijgt." in body
    )
    assert grants_of(world) == before


def test_grant_form_accepts_dutch_date_notation(world: World) -> None:
    end = clock.today() + dt.timedelta(days=10)
    response = client_for(world.professional.user).post(
        add_url(world.organisation),
        {"contact": str(world.deputy.code), "valid_until": end.strftime("%d-%m-%Y")},
    )
    assert response.status_code == 302
    assert AccessGrant.objects.get(contact=world.deputy).valid_until == end


@pytest.mark.parametrize(
    ("valid_until", "message"),
    [
        ("2001-01-01", "ligt in het verleden"),
        ("31-02-2030", "Vul een geldige datum in"),
        ("morgen", "Vul een geldige datum in"),
    ],
)
def test_bad_end_date_is_explained_and_nothing_saved(
    world: World, valid_until: str, message: str
) -> None:
    before = grants_of(world)
    response = client_for(world.professional.user).post(
        add_url(world.organisation), {"contact": str(world.deputy.code), "valid_until": valid_until}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert grants_of(world) == before


def test_missing_contact_is_explained(world: World) -> None:
    response = client_for(world.professional.user).post(add_url(world.organisation), {})
    assert response.status_code == 400
    assert "Kies minstens één contactpersoon of afdeling" in response.content.decode()


def test_duplicate_via_the_page_offers_to_change_the_date(world: World) -> None:
    existing = AccessGrant.objects.get(contact=world.contact_live)
    response = client_for(world.professional.user).post(
        add_url(world.organisation), {"contact": str(world.contact_live.code), "valid_until": ""}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "heeft al inzage" in body
    assert f"/mijn/inzage-werkgever/{existing.code}/wijzigen/" in body
    assert AccessGrant.objects.filter(contact=world.contact_live).count() == 1


@pytest.mark.parametrize("status", [Organisation.Status.SUSPENDED, Organisation.Status.REQUESTED])
def test_crafted_post_for_unauthorised_organisation_is_404(world: World, status: str) -> None:
    contact = cast(Contact, factories.ContactFactory(organisation__status=status))
    response = client_for(world.professional.user).post(
        add_url(contact.organisation), {"contact": str(contact.code)}
    )
    assert response.status_code == 404
    assert not AccessGrant.objects.filter(contact=contact).exists()


def test_crafted_post_with_contact_of_another_organisation_is_refused(world: World) -> None:
    before = grants_of(world)
    response = client_for(world.professional.user).post(
        add_url(world.organisation), {"contact": str(world.other_org_admin.code)}
    )
    assert response.status_code == 400
    assert grants_of(world) == before


@pytest.mark.parametrize("value", ["not-a-uuid", "1", "", "' OR 1=1 --"])
def test_crafted_post_with_garbage_contact_is_refused(world: World, value: str) -> None:
    before = grants_of(world)
    response = client_for(world.professional.user).post(
        add_url(world.organisation), {"contact": value, "valid_until": "garbage"}
    )
    assert response.status_code == 400
    assert grants_of(world) == before


def test_crafted_post_with_inactive_contact_is_refused(world: World) -> None:
    inactive = cast(
        Contact, factories.ContactFactory(organisation=world.organisation, active=False)
    )
    response = client_for(world.professional.user).post(
        add_url(world.organisation), {"contact": str(inactive.code)}
    )
    assert response.status_code == 400
    assert not AccessGrant.objects.filter(contact=inactive).exists()


def test_revoke_asks_for_confirmation_then_revokes(world: World) -> None:
    grant = AccessGrant.objects.get(contact=world.contact_live)
    client = client_for(world.professional.user)
    url = f"/mijn/inzage-werkgever/{grant.code}/intrekken/"
    response = client.get(url)
    assert response.status_code == 200
    assert "Weet u zeker" in response.content.decode()
    grant.refresh_from_db()
    assert grant.revoked_at is None  # looking at the question changes nothing
    response = client.post(url)
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert not policies.can_view_dossier(world.contact_live.user, world.professional)
    # A second confirmation (e.g. double click) changes nothing and does not fail.
    assert client.post(url).status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.GRANT_REVOKED).count() == 1


def test_someone_elses_grant_cannot_be_seen_changed_or_revoked(world: World) -> None:
    other = factories.AccessGrantFactory(professional=world.other_professional)
    client = client_for(world.professional.user)
    base = f"/mijn/inzage-werkgever/{other.code}"
    assert client.get(f"{base}/wijzigen/").status_code == 404
    assert client.post(f"{base}/wijzigen/", {"valid_until": ""}).status_code == 404
    assert client.get(f"{base}/intrekken/").status_code == 404
    assert client.post(f"{base}/intrekken/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert other.valid_until is None
    assert client.get("/mijn/inzage-werkgever/not-a-code/intrekken/").status_code == 404


def test_change_end_date_via_the_page(world: World) -> None:
    grant = AccessGrant.objects.get(contact=world.contact_live)
    url = f"/mijn/inzage-werkgever/{grant.code}/wijzigen/"
    client = client_for(world.professional.user)
    assert client.get(url).status_code == 200
    end = clock.today() + dt.timedelta(days=5)
    response = client.post(url, {"valid_until": end.isoformat()})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.valid_until == end
    # Back to no end date.
    assert client.post(url, {"valid_until": ""}).status_code == 302
    grant.refresh_from_db()
    assert grant.valid_until is None


def test_change_end_date_to_the_past_is_explained(world: World) -> None:
    grant = AccessGrant.objects.get(contact=world.contact_live)
    response = client_for(world.professional.user).post(
        f"/mijn/inzage-werkgever/{grant.code}/wijzigen/", {"valid_until": "2000-01-01"}
    )
    assert response.status_code == 400
    assert "ligt in het verleden" in response.content.decode()
    grant.refresh_from_db()
    assert grant.valid_until is None


def test_revoked_or_expired_grant_has_no_change_page(world: World) -> None:
    client = client_for(world.professional.user)
    for contact in (world.contact_revoked, world.contact_expired):
        grant = AccessGrant.objects.get(contact=contact)
        assert client.get(f"/mijn/inzage-werkgever/{grant.code}/wijzigen/").status_code == 404


def test_grant_list_query_count_does_not_grow_with_grants(world: World) -> None:
    client = client_for(world.professional.user)
    with CaptureQueriesContext(connection) as few:
        client.get("/mijn/inzage-werkgever/")
    for _ in range(10):
        factories.AccessGrantFactory(professional=world.professional)
    with CaptureQueriesContext(connection) as many:
        client.get("/mijn/inzage-werkgever/")
    assert len(many) == len(few)


def test_grant_list_says_when_an_open_grant_gives_no_access(world: World) -> None:
    client = client_for(world.professional.user)
    assert "geeft nu geen inzage" not in client.get("/mijn/inzage-werkgever/").content.decode()
    Organisation.objects.filter(pk=world.organisation.pk).update(
        status=Organisation.Status.SUSPENDED
    )
    body = client.get("/mijn/inzage-werkgever/").content.decode()
    assert "geeft nu geen inzage: de organisatie is geschorst" in body
