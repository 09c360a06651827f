"""Flow 3: the register's authorisation queue, decisions, suspension and reinstatement."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.core import mail

from peregister.access import policies
from peregister.audit.models import AuditEvent
from peregister.backoffice import organisations as services
from peregister.core.refusals import Refused
from peregister.organisations.models import Contact, Organisation
from tests import factories
from tests.conftest import World, client_for

Status = Organisation.Status


def requested(**kwargs: Any) -> Organisation:
    organisation = cast(
        Organisation, factories.OrganisationFactory(status=Status.REQUESTED, **kwargs)
    )
    factories.ContactFactory(
        organisation=organisation,
        role=Contact.Role.ADMINISTRATOR,
        name="Aanvrager",
        email="aanvrager@example.nl",
    )
    return organisation


def url(organisation: Organisation, action: str = "") -> str:
    return f"/register/organisaties/{organisation.code}/{action + '/' if action else ''}"


def test_queue_shows_requests_with_duplicate_hints(world: World) -> None:
    fresh = requested(name="Nieuw Bureau", kvk_number="11112222")
    twin = requested(name="uitzendbureau de brug", kvk_number="33334444")
    same_kvk = requested(name="Ander Bureau", kvk_number="55556666")
    factories.OrganisationFactory(kvk_number="55556666", status=Status.REJECTED, name="Oud")
    staff = client_for(world.staff)
    body = staff.get("/register/organisaties/").content.decode()
    for organisation in (fresh, twin, same_kvk):
        assert organisation.name in body
    assert world.organisation.name not in body  # authorised: not in the queue
    assert body.count("Zelfde naam als een andere organisatie") == 1
    assert body.count("Zelfde KvK-nummer als een andere organisatie") == 1
    assert "Aanvrager" in body

    detail = staff.get(url(twin)).content.decode()
    assert "Mogelijk dubbel" in detail
    assert world.organisation.name in detail
    assert "Mogelijk dubbel" not in staff.get(url(fresh)).content.decode()

    authorised = staff.get("/register/organisaties/?status=authorised").content.decode()
    assert world.organisation.name in authorised
    assert staff.get("/register/organisaties/?status=<script>").status_code == 200


def test_authorise_sends_the_confirmation_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    organisation = requested()
    staff = client_for(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        seen = {"seen": organisation.review_fingerprint()}
        assert staff.post(url(organisation, "autoriseren"), seen).status_code == 302
        again = staff.post(url(organisation, "autoriseren"), seen)
    assert again.status_code == 400
    assert "past niet bij de huidige status" in again.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == Status.AUTHORISED
    assert organisation.status_changed_at is not None
    [message] = mail.outbox
    assert message.to == ["aanvrager@example.nl"]
    assert "Autorisatiebevestiging" in message.subject
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.ORGANISATION_AUTHORISED, organisation=organisation
        ).count()
        == 1
    )


def test_reject_needs_a_reason_and_mails_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    organisation = requested()
    staff = client_for(world.staff)
    with django_capture_on_commit_callbacks(execute=True):
        empty = staff.post(url(organisation, "afwijzen"), {"reason": "   "})
    assert empty.status_code == 400
    assert "Vul een reden in" in empty.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == Status.REQUESTED
    assert mail.outbox == []

    too_long = staff.post(url(organisation, "afwijzen"), {"reason": "x" * 2001})
    assert too_long.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(url(organisation, "afwijzen"), {"reason": "Geen uitzendorganisatie <b>"})
    assert done.status_code == 302
    organisation.refresh_from_db()
    assert organisation.status == Status.REJECTED
    assert organisation.status_reason == "Geen uitzendorganisatie <b>"
    [message] = mail.outbox
    html = str(next(content for content, kind in message.alternatives if kind == "text/html"))
    assert "Geen uitzendorganisatie <b>" in message.body
    assert "Geen uitzendorganisatie &lt;b&gt;" in html


def test_suspension_hides_dossiers_and_reinstatement_restores_them(world: World) -> None:
    staff = client_for(world.staff)
    assert policies.can_view_dossier(world.contact_live.user, world.professional)
    assert staff.post(url(world.organisation, "schorsen"), {"reason": ""}).status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.status == Status.SUSPENDED
    assert not policies.can_view_dossier(world.contact_live.user, world.professional)
    assert not policies.report_professionals(world.administrator.user).exists()
    assert staff.post(url(world.organisation, "heropenen")).status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.status == Status.AUTHORISED
    assert policies.can_view_dossier(world.contact_live.user, world.professional)
    actions = set(
        AuditEvent.objects.filter(organisation=world.organisation).values_list("action", flat=True)
    )
    assert {
        AuditEvent.Action.ORGANISATION_SUSPENDED,
        AuditEvent.Action.ORGANISATION_REINSTATED,
    } <= actions


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("authorised", "autoriseren"),
        ("rejected", "autoriseren"),
        ("authorised", "heropenen"),
        ("requested", "schorsen"),
        ("suspended", "schorsen"),
    ],
)
def test_decisions_that_do_not_fit_the_status_are_refused(
    world: World, status: str, action: str
) -> None:
    organisation = factories.OrganisationFactory(status=status)
    response = client_for(world.staff).post(url(organisation, action), {"reason": "x"})
    assert response.status_code == 400
    organisation.refresh_from_db()
    assert organisation.status == status


def test_staff_pages_refuse_get_on_actions_and_unknown_codes(world: World) -> None:
    staff = client_for(world.staff)
    assert staff.get(url(requested(), "autoriseren")).status_code == 405
    assert (
        staff.get("/register/organisaties/00000000-0000-0000-0000-000000000000/").status_code == 404
    )
    assert staff.get("/register/organisaties/123/").status_code == 404


def test_services_refuse_non_staff(world: World) -> None:
    organisation = requested()
    with pytest.raises(Refused):
        services.authorise_organisation(
            actor=world.administrator.user,
            organisation=organisation,
            seen=organisation.review_fingerprint(),
        )
    organisation.refresh_from_db()
    assert organisation.status == Status.REQUESTED


def _section(body: str, heading_id: str) -> str:
    start = body.index(f'aria-labelledby="{heading_id}"')
    return body[start : body.index("</section>", start)]


def test_each_decision_sits_with_its_own_reason(world: World) -> None:
    organisation = requested()
    body = client_for(world.staff).get(url(organisation)).content.decode()
    authorise = _section(body, "besluit-autoriseren")
    reject = _section(body, "besluit-afwijzen")
    assert f'action="{url(organisation, "autoriseren")}"' in authorise
    assert "<textarea" not in authorise
    assert f'action="{url(organisation, "afwijzen")}"' in reject
    assert "Reden van afwijzing" in reject
    assert "De aanvrager krijgt deze reden per e-mail." in reject
    assert "<textarea" in reject


def test_suspending_is_kept_apart_and_asks_for_confirmation(world: World) -> None:
    staff = client_for(world.staff)
    organisation = requested()
    assert (
        staff.post(url(organisation, "autoriseren"), {"seen": organisation.review_fingerprint()})
    ).status_code == 302
    after_authorising = staff.get(url(organisation)).content.decode()
    # Right after authorising, no red button: a plain link to a page of its own.
    assert "button-danger" not in after_authorising
    assert f'action="{url(organisation, "schorsen")}"' not in after_authorising
    assert f'href="{url(organisation, "schorsen")}"' in after_authorising

    confirmation = staff.get(url(organisation, "schorsen"))
    assert confirmation.status_code == 200
    body = confirmation.content.decode()
    assert f"{organisation.name} schorsen?" in body
    assert "Ja, organisatie schorsen" in body
    assert "Annuleren" in body
    organisation.refresh_from_db()
    assert organisation.status == Status.AUTHORISED  # looking is not deciding

    assert staff.post(url(organisation, "schorsen"), {"reason": "Misbruik"}).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.status, organisation.status_reason) == (Status.SUSPENDED, "Misbruik")


def test_the_suspend_page_of_an_organisation_that_cannot_be_suspended_leads_back(
    world: World,
) -> None:
    organisation = requested()
    response = client_for(world.staff).get(url(organisation, "schorsen"))
    assert response.status_code == 302
    assert response["Location"] == url(organisation)
