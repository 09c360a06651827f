"""Every staff and self-service write checks its actor itself, not only the page's guard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from peregister.audit.models import AuditEvent
from peregister.backoffice import (
    activities,
    closing,
    invitations,
    organisations,
    professional_import,
    professionals,
    renewals,
)
from peregister.backoffice import self_reports as decisions
from peregister.backoffice.models import ProfessionalImport
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry import completions, self_reports
from peregister.registry import renewals as submissions
from peregister.registry.attendance import Entry
from peregister.registry.intake import PersonData
from peregister.registry.models import Completion, Registration
from peregister.registry.professional_import import check_rows, fingerprint, read_rows
from tests import factories
from tests.conftest import World


def _activity_data() -> activities.ActivityData:
    return activities.ActivityData(
        title="Arbeidsrecht",
        provider="SEU",
        kind="workshop",
        points=2,
        recognised_from=clock.today() - dt.timedelta(days=10),
        recognised_until=None,
        organisation=None,
    )


def _lapsed(world: World) -> Registration:
    registration = world.professional.registrations.get()
    registration.status = Registration.Status.LAPSED
    registration.save()
    return registration


def _newcomer_person() -> PersonData:
    return PersonData("A.", "", "Jansen", "a.jansen@example.nl", None)


def _import_rows() -> Any:
    data = (
        "registratienummer;register;voorletters;achternaam;begindatum\r\n"
        f"0099001;up;A.;Jansen;{clock.today():%d-%m-%Y}\r\n"
    ).encode()
    rows = read_rows(data, name="lijst.csv")
    return rows, fingerprint(check_rows(rows, today=clock.today()))


def _import_professionals(world: World, actor: Any) -> object:
    factories.RegisterFactory()
    rows, seen = _import_rows()
    return professional_import.import_professionals(
        actor=actor, rows=rows, seen=seen, file_name="lijst.csv"
    )


STAFF_SERVICES: dict[str, Callable[[World, Any], object]] = {
    "add_professional": lambda w, a: professionals.add_professional(
        actor=a,
        data=professionals.NewProfessional(
            person=_newcomer_person(),
            registration_number="0099002",
            register=factories.RegisterFactory(),
            registered_on=clock.today(),
        ),
    ),
    "update_professional": lambda w, a: professionals.update_professional(
        actor=a, professional=w.other_professional, person=_newcomer_person()
    ),
    "end_registration": lambda w, a: professionals.end_registration(
        actor=a, registration=w.professional.registrations.get(), reason="Op verzoek."
    ),
    "invite_professional": lambda w, a: invitations.invite_professional(
        actor=a,
        professional=factories.RegistrationFactory(
            professional__user=None, professional__email="n@example.nl"
        ).professional,
    ),
    "invite_import": lambda w, a: invitations.invite_import(
        actor=a,
        professional_import=ProfessionalImport.objects.create(
            created_at=clock.now(), created_by=w.staff
        ),
    ),
    "import_professionals": _import_professionals,
    "approve_renewal": lambda w, a: renewals.approve_renewal(
        actor=a, renewal=factories.RenewalSubmissionFactory()
    ),
    "reject_renewal": lambda w, a: renewals.reject_renewal(
        actor=a, renewal=factories.RenewalSubmissionFactory(), reason="Onvolledig."
    ),
    "reinstate_registration": lambda w, a: closing.reinstate_registration(
        actor=a, registration=_lapsed(w), reason="Te laat geregistreerd."
    ),
    "approve_self_report": lambda w, a: decisions.approve_self_report(
        actor=a, report=factories.SelfReportFactory(), points=2
    ),
    "reject_self_report": lambda w, a: decisions.reject_self_report(
        actor=a, report=factories.SelfReportFactory(), reason="Geen bewijs."
    ),
    "recognise_activity": lambda w, a: activities.recognise_activity(
        actor=a, data=_activity_data()
    ),
    "update_activity": lambda w, a: activities.update_activity(
        actor=a, activity=factories.LearningActivityFactory(), data=_activity_data()
    ),
    "end_recognition": lambda w, a: activities.end_recognition(
        actor=a, activity=factories.LearningActivityFactory(), last_day=clock.today()
    ),
    "register_completions": lambda w, a: completions.register_completions(
        actor=a,
        activity=factories.LearningActivityFactory(),
        entries=[Entry(1, w.professional.registration_number, clock.today())],
    ),
    "authorise_organisation": lambda w, a: (
        lambda o: organisations.authorise_organisation(
            actor=a, organisation=o, seen=o.review_fingerprint()
        )
    )(factories.OrganisationFactory(status="requested")),
}


@pytest.mark.parametrize("service", STAFF_SERVICES)
@pytest.mark.parametrize("persona", ["administrator", "professional", "anonymous"])
def test_staff_services_refuse_anyone_but_staff(world: World, service: str, persona: str) -> None:
    actor: Any = world.personas()[persona] or AnonymousUser()
    events, done = AuditEvent.objects.count(), Completion.objects.count()
    with pytest.raises(Refused, match="Alleen het register"):
        STAFF_SERVICES[service](world, actor)
    assert (AuditEvent.objects.count(), Completion.objects.count()) == (events, done)


def test_staff_services_run_for_staff(world: World) -> None:
    for service, call in STAFF_SERVICES.items():
        assert call(world, world.staff) is not None or service == "reject_renewal", service


def test_only_the_professional_submits_their_own_self_report_and_renewal(world: World) -> None:
    data = self_reports.SelfReportData(
        title="Congres",
        provider="Extern",
        kind="presentation",
        completed_on=clock.today(),
        description="",
        points_claimed=2,
    )
    for actor in (world.staff, world.other_professional.user, world.administrator.user):
        with pytest.raises(Refused, match="Alleen de professional zelf"):
            self_reports.submit_self_report(actor=actor, professional=world.professional, data=data)
        with pytest.raises(Refused, match="Alleen de professional zelf"):
            submissions.submit_renewal(
                actor=actor, registration=world.professional.registrations.get()
            )
    assert not world.professional.self_reports.exists()
