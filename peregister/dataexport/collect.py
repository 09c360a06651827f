"""*Mijn gegevens downloaden*: everything the register holds about a professional, collected once.

The JSON file and the PDF in the download are both written from one ``Export`` (GDPR art. 15
and 20): what one shows, the other shows too. A constant number of queries, however much data;
rows are read with ``iterator()``, and certificates (up to 5 MB each) are not part of the
``Export``: ``certificates()`` hands them to the ZIP writer one at a time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q

from peregister.access.log import access_log
from peregister.access.models import AccessGrant
from peregister.accounts.models import User
from peregister.audit.models import AuditEvent
from peregister.registry.models import (
    Completion,
    LearningActivity,
    PePeriod,
    Professional,
    Registration,
    RenewalSubmission,
    SelfReport,
)
from peregister.registry.periods import PeriodStatus
from peregister.registry.self_report_files import safe_file_name
from peregister.statements.models import Statement

FORMAT = "pe-register/mijn-gegevens"
VERSION = 1
SCHEMA_FILE = "mijn-gegevens-v1.schema.json"
CERTIFICATE_FOLDER = "certificaten"


@dataclass(frozen=True)
class Account:
    username: str
    email: str
    language: str
    date_joined: dt.datetime
    last_login: dt.datetime | None

    @property
    def language_label(self) -> str:
        return _label(User.Language, self.language)


@dataclass(frozen=True)
class Person:
    registration_number: str
    first_name: str
    name_prefix: str
    last_name: str
    email: str
    date_of_birth: dt.date | None
    account: Account | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.name_prefix, self.last_name) if p)


@dataclass(frozen=True)
class Renewal:
    submitted_at: dt.datetime
    status: str
    decided_at: dt.datetime | None
    reason: str

    @property
    def status_label(self) -> str:
        return str(RenewalSubmission.Status(self.status).label)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    points_required: int
    points_earned: int
    status: str
    renewals: list[Renewal] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(PeriodStatus(self.status).label)


@dataclass(frozen=True)
class RegistrationRecord:
    register_code: str
    register_name: str
    points_required_per_period: int
    period_months: int
    status: str
    registered_on: dt.date
    status_changed_at: dt.datetime | None
    end_reason: str
    periods: list[Period] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(Registration.Status(self.status).label)


@dataclass(frozen=True)
class CompletionRecord:
    title: str
    provider: str
    kind: str
    points: int
    completed_on: dt.date
    source: str
    registered_at: dt.datetime

    @property
    def kind_label(self) -> str:
        return _label(LearningActivity.Kind, self.kind)

    @property
    def source_label(self) -> str:
        return _label(Completion.Source, self.source)


@dataclass(frozen=True)
class SelfReportRecord:
    title: str
    provider: str
    kind: str
    completed_on: dt.date
    description: str
    points_claimed: int
    submitted_at: dt.datetime
    status: str
    points_awarded: int | None
    decided_at: dt.datetime | None
    reason: str
    certificate_file: str | None  # path inside the download

    @property
    def kind_label(self) -> str:
        return _label(LearningActivity.Kind, self.kind)

    @property
    def status_label(self) -> str:
        return _label(SelfReport.Status, self.status)


@dataclass(frozen=True)
class GrantEvent:
    at: dt.datetime
    action: str  # created, changed, revoked
    valid_until: dt.date | None
    valid_until_before: dt.date | None


@dataclass(frozen=True)
class GrantRecord:
    organisation: str
    contact: str
    granted_at: dt.datetime
    valid_until: dt.date | None
    revoked_at: dt.datetime | None
    state: str
    history: list[GrantEvent] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return _label(AccessGrant.State, self.state)


@dataclass(frozen=True)
class StatementRecord:
    code: str
    issued_at: dt.datetime
    valid_until: dt.datetime
    withdrawn_at: dt.datetime | None
    register_code: str
    includes_registration_number: bool
    includes_period: bool
    includes_points: bool
    verification_count: int
    last_verified_at: dt.datetime | None
    jwt: str


@dataclass(frozen=True)
class AccessEvent:
    at: dt.datetime
    # dossier_viewed, report_downloaded, report_viewed, alert_sent, statement_verified,
    # hr_api_read
    action: str
    organisation: str | None
    contact: str | None
    statement: str | None = None  # statement_verified: the code of the statement opened

    @property
    def statement_reference(self) -> str:
        """The short form the pages show (the statement list's *kenmerk*)."""
        return statement_reference(self.statement or "")


@dataclass(frozen=True)
class Export:
    generated_at: dt.datetime
    register_name: str
    register_url: str
    person: Person
    registrations: list[RegistrationRecord]
    completions: list[CompletionRecord]
    self_reports: list[SelfReportRecord]
    grants: list[GrantRecord]
    statements: list[StatementRecord]
    access_log: list[AccessEvent]

    @property
    def certificate_count(self) -> int:
        return sum(1 for report in self.self_reports if report.certificate_file)


def statement_reference(code: str) -> str:
    """A statement's *kenmerk*: the first eight characters of its code, as in its file names."""
    return code[:8]


def _label(choices: type, value: str) -> str:
    try:
        return str(choices(value).label)  # type: ignore[call-arg]
    except ValueError:
        return value


ACCESS_ACTIONS = {
    AuditEvent.Action.DOSSIER_VIEWED: "dossier_viewed",
    AuditEvent.Action.REPORT_DOWNLOADED: "report_downloaded",
    AuditEvent.Action.REPORT_VIEWED: "report_viewed",
    AuditEvent.Action.ALERT_SENT: "alert_sent",
    AuditEvent.Action.STATEMENT_VERIFIED: "statement_verified",
    AuditEvent.Action.HR_API_READ: "hr_api_read",
}
GRANT_ACTIONS = {
    AuditEvent.Action.GRANT_CREATED: "created",
    AuditEvent.Action.GRANT_CHANGED: "changed",
    AuditEvent.Action.GRANT_REVOKED: "revoked",
}


def _iso_date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _person(professional: Professional) -> Person:
    user = professional.user
    account = (
        Account(
            username=user.username,
            email=user.email,
            language=user.language,
            date_joined=user.date_joined,
            last_login=user.last_login,
        )
        if user is not None
        else None
    )
    return Person(
        registration_number=professional.registration_number,
        first_name=professional.initials,
        name_prefix=professional.name_prefix,
        last_name=professional.last_name,
        email=professional.email,
        date_of_birth=professional.date_of_birth,
        account=account,
    )


def _registrations(professional: Professional, today: dt.date) -> list[RegistrationRecord]:
    renewals: dict[int, list[Renewal]] = defaultdict(list)
    for renewal in RenewalSubmission.objects.filter(
        period__registration__professional=professional
    ).order_by("submitted_at", "id"):
        renewals[renewal.period_id].append(
            Renewal(
                submitted_at=renewal.submitted_at,
                status=renewal.status,
                decided_at=renewal.decided_at,
                reason=renewal.reason,
            )
        )
    periods: dict[int, list[Period]] = defaultdict(list)
    for period in (
        PePeriod.objects.with_progress()
        .filter(registration__professional=professional)
        .order_by("registration_id", "start")
    ):
        progress = period.progress(today)
        periods[period.registration_id].append(
            Period(
                start=period.start,
                end=period.end,
                points_required=period.points_required,
                points_earned=progress.points_earned,
                status=str(progress.status.value),
                renewals=renewals[period.pk],
            )
        )
    return [
        RegistrationRecord(
            register_code=registration.register.code,
            register_name=registration.register.name,
            points_required_per_period=registration.register.points_required,
            period_months=registration.register.period_months,
            status=registration.status,
            registered_on=registration.registered_on,
            status_changed_at=registration.status_changed_at,
            end_reason=registration.end_reason,
            periods=periods[registration.pk],
        )
        for registration in professional.registrations.select_related("register").order_by(
            "register__name", "id"
        )
    ]


def _completions(professional: Professional) -> list[CompletionRecord]:
    fields = [f.name for f in dataclasses.fields(CompletionRecord)]
    rows = (
        Completion.objects.filter(professional=professional)
        .order_by("completed_on", "id")
        .values_list(*fields)
        .iterator()
    )
    return [CompletionRecord(*row) for row in rows]


def certificate_path(code: uuid.UUID | str, name: str) -> str:
    """Where a self-report's certificate sits in the download (never outside its folder)."""
    return f"{CERTIFICATE_FOLDER}/{str(code)[:8]}-{safe_file_name(name)}"


def _self_reports(professional: Professional) -> list[SelfReportRecord]:
    records = []
    for report in (
        SelfReport.objects.filter(professional=professional)
        .defer("certificate")
        .annotate(
            has_certificate=ExpressionWrapper(
                Q(certificate__isnull=False), output_field=BooleanField()
            )
        )
        .order_by("submitted_at", "id")
        .iterator()
    ):
        path = (
            certificate_path(report.code, report.certificate_name)
            if report.has_certificate
            else None
        )
        records.append(
            SelfReportRecord(
                title=report.title,
                provider=report.provider,
                kind=report.kind,
                completed_on=report.completed_on,
                description=report.description,
                points_claimed=report.points_claimed,
                submitted_at=report.submitted_at,
                status=report.status,
                points_awarded=report.points_awarded,
                decided_at=report.decided_at,
                reason=report.reason,
                certificate_file=path,
            )
        )
    return records


def certificates(professional: Professional) -> Iterator[tuple[str, bytes]]:
    """Each uploaded certificate as (path in the download, bytes), fetched one at a time."""
    rows = (
        SelfReport.objects.filter(professional=professional, certificate__isnull=False)
        .order_by("submitted_at", "id")
        .values_list("code", "certificate_name", "certificate")
        .iterator(chunk_size=1)
    )
    for code, name, data in rows:
        if data is not None:
            yield certificate_path(code, name), bytes(data)


def _grants(professional: Professional, at: dt.datetime) -> list[GrantRecord]:
    history: dict[str, list[GrantEvent]] = defaultdict(list)
    for event in AuditEvent.objects.filter(
        professionals=professional, action__in=list(GRANT_ACTIONS)
    ).order_by("at", "id"):
        history[str(event.data.get("grant", ""))].append(
            GrantEvent(
                at=event.at,
                action=GRANT_ACTIONS[AuditEvent.Action(event.action)],
                valid_until=_iso_date(event.data.get("valid_until")),
                valid_until_before=_iso_date(event.data.get("valid_until_before")),
            )
        )
    return [
        GrantRecord(
            organisation=grant.contact.organisation.name,
            contact=grant.contact.name,
            granted_at=grant.granted_at,
            valid_until=grant.valid_until,
            revoked_at=grant.revoked_at,
            state=str(grant.state(at).value),
            history=history[str(grant.code)],
        )
        for grant in AccessGrant.objects.filter(professional=professional)
        .select_related("contact__organisation")
        .order_by("granted_at", "id")
    ]


def _statements(professional: Professional) -> list[StatementRecord]:
    return [
        StatementRecord(
            code=str(s.code),
            issued_at=s.issued_at,
            valid_until=s.valid_until,
            withdrawn_at=s.withdrawn_at,
            register_code=s.registration.register.code,
            includes_registration_number=s.include_registration_number,
            includes_period=s.include_period,
            includes_points=s.include_points,
            verification_count=s.verification_count,
            last_verified_at=s.last_verified_at,
            jwt=s.jwt,
        )
        for s in Statement.objects.filter(professional=professional)
        .select_related("registration__register")
        .order_by("issued_at", "id")
    ]


def _access_log(professional: Professional) -> list[AccessEvent]:
    # The events are the access log's (one definition); only the columns shown are read.
    rows = (
        access_log(professional)
        .values_list(
            "at",
            "action",
            "data",
            "contact__name",
            "contact__organisation__name",
            "organisation__name",
        )
        .iterator()
    )
    events = []
    for at, action, data, contact, contact_organisation, organisation in rows:
        opened = data.get("statement") if action == AuditEvent.Action.STATEMENT_VERIFIED else None
        events.append(
            AccessEvent(
                at=at,
                action=ACCESS_ACTIONS[AuditEvent.Action(action)],
                organisation=contact_organisation if contact else organisation,
                contact=contact,
                statement=str(opened) if opened else None,
            )
        )
    return events


def collect(professional: Professional, *, at: dt.datetime, today: dt.date) -> Export:
    return Export(
        generated_at=at,
        register_name=settings.SITE_NAME,
        register_url=settings.SITE_URL,
        person=_person(professional),
        registrations=_registrations(professional, today),
        completions=_completions(professional),
        self_reports=_self_reports(professional),
        grants=_grants(professional, at),
        statements=_statements(professional),
        access_log=_access_log(professional),
    )
