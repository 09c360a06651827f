"""Deterministic demo data: a small but realistic register around today's date.

Same seed, same data (relative to today). Loading twice changes nothing: the second run
only reports the logins.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction

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
    SelfReport,
    Session,
)
from peregister.registry.periods import add_months, period_end

DEMO_PASSWORD = "PE-demo-2026!"  # noqa: S105 - printed for local demo logins only
SEED = 20261129

FIRST_NAMES = [
    "Anouk",
    "Bram",
    "Daan",
    "Eva",
    "Fleur",
    "Gijs",
    "Hanna",
    "Iris",
    "Jasper",
    "Joris",
    "Julia",
    "Kees",
    "Lotte",
    "Lucas",
    "Maartje",
    "Milan",
    "Noor",
    "Olivier",
    "Pien",
    "Quinten",
    "Roos",
    "Sanne",
    "Sem",
    "Tess",
    "Thijs",
    "Vera",
    "Wouter",
    "Yara",
    "Zoë",
    "Bas",
    "Femke",
    "Lars",
    "Marloes",
    "Niels",
    "Ruben",
    "Sophie",
    "Tim",
    "Willemijn",
    "Ayoub",
    "Fatima",
    "Mehmet",
    "Priya",
    "Kofi",
    "Mei",
]
LAST_NAMES = [
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("", "Schouten"),
    ("", "Yılmaz"),
    ("el", "Amrani"),
    ("", "Pranoto"),
    ("", "Mensah"),
]
ACTIVITIES = [
    ("Arbeidsrecht actueel", "SEU Academie", "workshop", 2),
    ("Wet allocatie arbeidskrachten door intermediairs", "SEU Academie", "course", 4),
    ("Gesprekstechnieken voor intercedenten", "Flexleren", "training", 3),
    ("Privacy en AVG in de uitzendbranche", "Flexleren", "e_learning", 1),
    ("CAO voor uitzendkrachten", "ABU Kennis", "course", 3),
    ("Inlenersbeloning in de praktijk", "NBBU Opleidingen", "workshop", 2),
    ("Matching en arbeidsmarktcommunicatie", "SEU Academie", "training", 3),
    ("Dagelijkse kennisquiz", "PE-app", "learning_app", 1),
    ("Payroll en loonadministratie", "Backoffice Academie", "course", 4),
    ("Arbo en veiligheid op de werkvloer", "VCU Leren", "e_learning", 2),
    ("Ketenbepaling en fasesysteem", "ABU Kennis", "workshop", 2),
    ("Diversiteit en inclusie bij werving", "Inclusief Werven", "presentation", 1),
    ("Sociale zekerheid voor flexwerkers", "SEU Academie", "course", 3),
    ("Onboarding van buitenlandse werknemers", "Flexleren", "training", 2),
]
ORGANISATIONS = [
    ("Uitzendbureau De Brug", "Utrecht", "authorised"),
    ("Flexwerk Noord", "Groningen", "authorised"),
    ("Tempo Personeelsdiensten", "Rotterdam", "authorised"),
    ("Horizon Uitzendgroep", "Eindhoven", "authorised"),
    ("Van Dijk Detachering", "Zwolle", "authorised"),
    ("Maasstad Personeel", "Rotterdam", "authorised"),
    ("De Vakkracht", "Amersfoort", "requested"),
    ("Polder Payroll", "Almere", "requested"),
    ("Kempen Uitzend", "Tilburg", "rejected"),
    ("Zuidwest Flex", "Middelburg", "suspended"),
]


@dataclass(frozen=True)
class DemoLogin:
    persona: str
    username: str


DEMO_LOGINS = [
    DemoLogin("Registermedewerker (SEU)", "register"),
    DemoLogin("Professional (PE-medewerker)", "professional"),
    DemoLogin("Beheerder, Uitzendbureau De Brug (HR-mailbox)", "beheerder"),
    DemoLogin("2e contactpersoon, Uitzendbureau De Brug", "tweede-contact"),
    DemoLogin(
        "Contactpersoon regiomanager, Uitzendbureau De Brug en Flexwerk Noord (twee rollen)",
        "regiomanager",
    ),
    DemoLogin("Beheerder van een organisatie die wacht op autorisatie", "aanvrager"),
    DemoLogin(
        "Beheerder, aanbieder Opleider Vakwijs (erkende activiteit, API-sleutels)", "aanbieder"
    ),
]


def _user(username: str, first: str, last: str, email: str, *, staff: bool = False) -> User:
    user = User(username=username, first_name=first, last_name=last, email=email, is_staff=staff)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _contact(
    organisation: Organisation,
    username: str,
    name: str,
    role: str,
    *,
    kind: str = Contact.Kind.PERSON,
    active: bool = True,
) -> Contact:
    email = f"{username}@{organisation.name.lower().replace(' ', '')[:20]}.example"
    first, _, last = name.partition(" ")
    user = _user(username, first if kind == Contact.Kind.PERSON else "", last or name, email)
    return Contact.objects.create(
        organisation=organisation,
        user=user,
        role=role,
        kind=kind,
        name=name,
        email=email,
        active=active,
    )


def _provider(staff: User, today: dt.date, now: dt.datetime) -> None:
    """An authorised training provider with a beheerder (``aanbieder``), one recognised
    activity and two sessions: one just held (to register attendance for, on the page or by
    the API) and one upcoming (in the *Scholingsagenda*)."""
    provider = Organisation.objects.create(
        kind=Organisation.Kind.PROVIDER,
        name="Opleider Vakwijs",
        kvk_number="71234560",
        street="Catharijnesingel 10",
        postcode="3511 GB",
        city="Utrecht",
        phone="030-7654321",
        email="info@vakwijs.example",
        status=Organisation.Status.AUTHORISED,
        status_changed_at=now,
    )
    beheerder = _contact(
        provider,
        "aanbieder",
        "Planning Vakwijs",
        Contact.Role.ADMINISTRATOR,
        kind=Contact.Kind.DEPARTMENT,
    )
    recognised_from = today - dt.timedelta(days=90)
    activity = LearningActivity.objects.create(
        title="Arbeidsrecht voor intercedenten",
        provider=provider.name,
        kind=LearningActivity.Kind.COURSE,
        points=4,
        recognised_from=recognised_from,
        recognised_until=today + dt.timedelta(days=365),
        offered_by=provider,
    )
    AccreditationRequest.objects.create(
        provider=provider,
        title=activity.title,
        kind=activity.kind,
        description="Eendaagse cursus: contracten, ketenregeling en ontslag in de uitzendpraktijk.",
        duration_hours=6,
        points_requested=4,
        planned_from=recognised_from,
        status=AccreditationRequest.Status.RECOGNISED,
        submitted_at=now - dt.timedelta(days=100),
        submitted_by=beheerder.user,
        decided_at=now - dt.timedelta(days=90),
        decided_by=staff,
        activity=activity,
    )
    for day, location in (
        (today - dt.timedelta(days=7), "Utrecht"),
        (today + dt.timedelta(days=14), ""),
    ):
        Session.objects.create(
            activity=activity,
            starts_on=day,
            ends_on=day,
            location=location,
            online=not location,
            created_at=now,
        )


def demo_data_present() -> bool:
    return User.objects.filter(username__iexact="register").exists()


@transaction.atomic
def load(today: dt.date | None = None) -> bool:
    """Create the demo register; returns False when it was already there."""
    if demo_data_present():
        return False
    today = today or clock.today()
    rng = random.Random(SEED)
    now = clock.now()

    staff = _user("register", "Sam", "Registerbeheer", "register@seu.example", staff=True)
    up = Register.objects.create(
        code="up", name="Uitzendprofessional", points_required=12, period_months=24
    )
    bop = Register.objects.create(
        code="bop", name="Backofficeprofessional", points_required=12, period_months=24
    )

    activities = [
        LearningActivity.objects.create(
            title=title,
            provider=provider,
            kind=kind,
            points=points,
            recognised_from=today - dt.timedelta(days=365 * 8),
        )
        for title, provider, kind, points in ACTIVITIES
    ]

    organisations: list[Organisation] = []
    for index, (name, city, status) in enumerate(ORGANISATIONS):
        organisations.append(
            Organisation.objects.create(
                name=name,
                kvk_number=f"{60000000 + index * 1234567:08d}"[:8],
                street=f"Stationsplein {index + 1}",
                postcode=f"{3500 + index * 37} AB",
                city=city,
                phone=f"030-{2000000 + index * 1111:07d}",
                email=f"info@{name.lower().replace(' ', '')[:20]}.example",
                status=status,
                status_changed_at=None if status == "requested" else now,
                status_reason="KvK-gegevens komen niet overeen." if status == "rejected" else "",
            )
        )
    brug = organisations[0]
    admin = _contact(
        brug, "beheerder", "HR De Brug", Contact.Role.ADMINISTRATOR, kind=Contact.Kind.DEPARTMENT
    )
    deputy = _contact(brug, "tweede-contact", "Lisa de Graaf", Contact.Role.DEPUTY)
    regional = _contact(brug, "regiomanager", "Mark Visser", Contact.Role.CONTACT)
    regional_south = _contact(brug, "regio-zuid", "Esra Kaya", Contact.Role.CONTACT)
    # One person, two roles (issue 18): the regional manager is also a contact of a second
    # label of the group, with the same login; the header lets him switch.
    Contact.objects.create(
        organisation=organisations[1],
        user=regional.user,
        role=Contact.Role.CONTACT,
        name=regional.name,
        email=regional.email,
    )
    _contact(brug, "oud-contact", "Peter Smit", Contact.Role.CONTACT, active=False)
    other_contacts: list[Contact] = []
    for index, organisation in enumerate(organisations[1:], start=1):
        username = "aanvrager" if organisation.name == "De Vakkracht" else f"beheer-{index}"
        other_contacts.append(
            _contact(
                organisation,
                username,
                f"HR {organisation.name}",
                Contact.Role.ADMINISTRATOR,
                kind=Contact.Kind.DEPARTMENT,
            )
        )
        if organisation.status == Organisation.Status.AUTHORISED:
            other_contacts.append(
                _contact(
                    organisation,
                    f"manager-{index}",
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)[1]}",
                    Contact.Role.CONTACT,
                )
            )
    _provider(staff, today, now)
    brug_contacts = [admin, deputy, regional, regional_south]
    grantable_elsewhere = [
        c for c in other_contacts if c.organisation.status != Organisation.Status.REJECTED
    ]

    professionals: list[Professional] = []
    for number in range(200):
        prefix, last = rng.choice(LAST_NAMES)
        first = rng.choice(FIRST_NAMES)
        user = None
        if number == 0:
            user = _user("professional", "Anouk", "Jansen", "anouk.jansen@example.nl")
            first, prefix, last = "Anouk", "", "Jansen"
        professionals.append(
            Professional.objects.create(
                user=user,
                # The register the professional is taken on in below (and whose number it is).
                register=bop if number % 5 == 4 else up,
                registration_number=f"{(number * 7919 + 1031) % 10_000_000:07d}",
                initials=f"{first[0]}.",
                name_prefix=prefix,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}{number}@example.nl",
            )
        )

    completions: list[Completion] = []

    def complete(professional: Professional, start: dt.date, end: dt.date, target: int) -> None:
        earned = 0
        span = max((min(end, today) - start).days, 1)
        while earned < target:
            activity = rng.choice(activities)
            day = start + dt.timedelta(days=rng.randrange(span))
            if any(
                c.professional is professional and c.activity is activity and c.completed_on == day
                for c in completions
            ):
                continue
            completions.append(
                Completion(
                    professional=professional,
                    activity=activity,
                    title=activity.title,
                    provider=activity.provider,
                    kind=activity.kind,
                    points=activity.points,
                    completed_on=day,
                    source=Completion.Source.ATTENDANCE,
                )
            )
            earned += activity.points

    for index, professional in enumerate(professionals):
        register = professional.register
        lapsed = index == 13
        # Registered between 3 months and 6 years ago; periods follow from that date.
        registered_on = today - dt.timedelta(days=rng.randrange(90, 6 * 365))
        if index == 0:
            registered_on = today - dt.timedelta(days=400)
        registration = Registration.objects.create(
            professional=professional,
            register=register,
            registered_on=registered_on,
            status=Registration.Status.LAPSED if lapsed else Registration.Status.ACTIVE,
        )
        start = registered_on
        while True:
            end = period_end(start, register.period_months)
            period = PePeriod.objects.create(
                registration=registration,
                start=start,
                end=end,
                points_required=register.points_required,
            )
            if end >= today or (lapsed and add_months(end, register.period_months) > today):
                break
            complete(professional, start, end, register.points_required)
            RenewalSubmission.objects.create(
                period=period,
                status=RenewalSubmission.Status.APPROVED,
                submitted_at=clock.start_of_day(end - dt.timedelta(days=20)),
                decided_at=clock.start_of_day(end - dt.timedelta(days=10)),
            )
            start = end + dt.timedelta(days=1)
        if lapsed:
            complete(professional, start, end, 5)
            continue
        # Current period: a mix of on schema, behind and met.
        share = [0.0, 0.3, 0.6, 1.0, 1.2][index % 5]
        target = 0 if share == 0 else int(register.points_required * share) or 1
        if index == 0:
            target = 6
        complete(professional, start, end, target)
        if share >= 1.0 and index % 3 == 0:
            RenewalSubmission.objects.create(
                period=period,
                status=RenewalSubmission.Status.SUBMITTED,
                submitted_at=now - dt.timedelta(days=index % 20 + 1),
            )
    Completion.objects.bulk_create(completions, batch_size=1000)
    # The rows above are written directly (a bulk load, not the register's writers).
    figures.rebuild_figures()

    def grant(
        professional: Professional,
        contact: Contact,
        granted_at: dt.datetime | None = None,
        **fields: Any,
    ) -> None:
        AccessGrant.objects.create(
            professional=professional,
            contact=contact,
            granted_at=granted_at or now - dt.timedelta(days=rng.randrange(30, 500)),
            **fields,
        )

    for index, professional in enumerate(professionals[:70]):
        contact = brug_contacts[index % len(brug_contacts)]
        kind = index % 7
        if kind == 5:  # ended: the end date passed
            grant(
                professional, contact, valid_until=today - dt.timedelta(days=rng.randrange(1, 90))
            )
        elif kind == 6:  # revoked by the professional
            grant(
                professional,
                contact,
                revoked_at=now - dt.timedelta(days=rng.randrange(1, 20)),
                granted_at=now - dt.timedelta(days=200),
                revoked_by=professional.user,
            )
        elif kind == 4:  # ends soon
            grant(
                professional, contact, valid_until=today + dt.timedelta(days=rng.randrange(0, 14))
            )
        else:
            grant(
                professional,
                contact,
                valid_until=None if kind < 2 else today + dt.timedelta(days=365),
            )
    professional_one = professionals[0]
    for contact in (regional, deputy):
        if not AccessGrant.objects.filter(
            professional=professional_one, contact=contact, revoked_at__isnull=True
        ).exists():
            grant(professional_one, contact, valid_until=None)
    for index, professional in enumerate(professionals[70:140]):
        grant(professional, grantable_elsewhere[index % len(grantable_elsewhere)])

    # A few *eigen activiteiten* waiting in the register's review queue.
    for professional, title in (
        (professionals[0], "Congres Flexibele Arbeid 2026"),
        (professionals[3], "Webinar Wet arbeidsmarkt in balans"),
        (professionals[8], "Intervisie intercedenten regio Utrecht"),
    ):
        SelfReport.objects.create(
            professional=professional,
            title=title,
            provider="Extern",
            kind="presentation",
            completed_on=today - dt.timedelta(days=rng.randrange(7, 60)),
            description="Deelname met certificaat.",
            points_claimed=2,
            submitted_at=now - dt.timedelta(days=rng.randrange(1, 6)),
        )
    return True
