"""Factories for the domain; defaults make a valid, authorised, active world."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from peregister.access.models import AccessGrant
from peregister.accounts.models import User
from peregister.core import clock
from peregister.organisations.models import Contact, Organisation
from peregister.registry import figures
from peregister.registry.models import (
    AccreditationRequest,
    Completion,
    LearningActivity,
    PePeriod,
    Professional,
    Register,
    Registration,
    RenewalSubmission,
)
from peregister.registry.periods import period_end

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nl")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):  # type: ignore[no-untyped-def]
        if create:
            instance.save()


class RegisterFactory(DjangoModelFactory[Register]):
    class Meta:
        model = Register
        django_get_or_create = ("code",)

    code = "up"
    name = "Uitzendprofessional"
    points_required = 12
    period_months = 24


class ProfessionalFactory(DjangoModelFactory[Professional]):
    class Meta:
        model = Professional

    user = factory.SubFactory(UserFactory)
    registration_number = factory.Sequence(lambda n: f"{n:07d}")
    register = factory.SubFactory(RegisterFactory)
    initials = "P."
    last_name = factory.Sequence(lambda n: f"Professional{n}")


class RegistrationFactory(DjangoModelFactory[Registration]):
    class Meta:
        model = Registration

    professional = factory.SubFactory(
        ProfessionalFactory, register=factory.SelfAttribute("..register")
    )
    register = factory.SubFactory(RegisterFactory)
    registered_on = factory.LazyFunction(lambda: clock.today() - dt.timedelta(days=100))


class PePeriodFactory(DjangoModelFactory[PePeriod]):
    class Meta:
        model = PePeriod

    registration = factory.SubFactory(RegistrationFactory)
    start = factory.LazyAttribute(lambda p: p.registration.registered_on)
    end = factory.LazyAttribute(lambda p: period_end(p.start, 24))
    points_required = 12

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        # A period opened after completions counts them, as figures.open_period does.
        period = super()._create(model_class, *args, **kwargs)
        figures.rebuild_figures(PePeriod.objects.filter(pk=period.pk))
        period.refresh_from_db()
        return period


class LearningActivityFactory(DjangoModelFactory[LearningActivity]):
    class Meta:
        model = LearningActivity

    title = factory.Sequence(lambda n: f"Workshop {n}")
    provider = "SEU Academie"
    kind = LearningActivity.Kind.WORKSHOP
    points = 2
    recognised_from = dt.date(2015, 1, 1)


class CompletionFactory(DjangoModelFactory[Completion]):
    class Meta:
        model = Completion

    professional = factory.SubFactory(ProfessionalFactory)
    activity = factory.SubFactory(LearningActivityFactory)
    title = factory.LazyAttribute(lambda c: c.activity.title)
    provider = factory.LazyAttribute(lambda c: c.activity.provider)
    kind = factory.LazyAttribute(lambda c: c.activity.kind)
    points = factory.LazyAttribute(lambda c: c.activity.points)
    completed_on = factory.LazyFunction(clock.today)
    source = Completion.Source.ATTENDANCE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        # History written as the register's one writer would: the periods' points follow.
        completion = super()._create(model_class, *args, **kwargs)
        figures.count_completions(
            [(completion.professional_id, completion.completed_on, completion.points)]
        )
        return completion


class RenewalSubmissionFactory(DjangoModelFactory[RenewalSubmission]):
    class Meta:
        model = RenewalSubmission

    period = factory.SubFactory(PePeriodFactory)
    submitted_at = factory.LazyFunction(clock.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        renewal = super()._create(model_class, *args, **kwargs)
        figures.renewal_changed(renewal.period_id)
        return renewal


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Uitzendbureau {n}")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    street = "Stationsplein 1"
    postcode = "3511 AB"
    city = "Utrecht"
    phone = "030-1234567"
    email = factory.Sequence(lambda n: f"info{n}@werkgever.example")
    status = Organisation.Status.AUTHORISED


class ProviderFactory(OrganisationFactory):
    """A training provider (aanbieder): an account holder of kind provider."""

    name = factory.Sequence(lambda n: f"Opleider {n}")
    kind = Organisation.Kind.PROVIDER
    email = factory.Sequence(lambda n: f"info{n}@aanbieder.example")


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Contact.Role.CONTACT
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.LazyAttribute(lambda c: c.user.email)


class AccessGrantFactory(DjangoModelFactory[AccessGrant]):
    class Meta:
        model = AccessGrant

    professional = factory.SubFactory(ProfessionalFactory)
    contact = factory.SubFactory(ContactFactory)
    granted_at = factory.LazyFunction(lambda: clock.now() - dt.timedelta(days=1))


class SelfReportFactory(DjangoModelFactory):  # type: ignore[type-arg]
    """An *eigen activiteit* awaiting review, with a (tiny) PDF certificate."""

    class Meta:
        model = "registry.SelfReport"

    professional = factory.SubFactory(ProfessionalFactory)
    title = "Congres flexibele arbeid"
    provider = "Flexcongres"
    kind = LearningActivity.Kind.PRESENTATION
    completed_on = factory.LazyFunction(lambda: clock.today() - dt.timedelta(days=7))
    description = "Lezingen over wet- en regelgeving."
    points_claimed = 3
    certificate = b"%PDF-1.4\n%test certificate\n"
    certificate_name = "certificaat.pdf"
    certificate_type = "application/pdf"
    submitted_at = factory.LazyFunction(clock.now)


class AccreditationRequestFactory(DjangoModelFactory[AccreditationRequest]):
    class Meta:
        model = AccreditationRequest

    provider = factory.SubFactory(ProviderFactory)
    title = factory.Sequence(lambda n: f"Leergang {n}")
    kind = LearningActivity.Kind.COURSE
    description = "Arbeidsrecht voor intercedenten."
    duration_hours = 8
    points_requested = 6
    planned_from = dt.date(2026, 1, 1)
    submitted_at = factory.LazyFunction(clock.now)
    submitted_by = factory.SubFactory(UserFactory)
