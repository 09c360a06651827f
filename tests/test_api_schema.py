"""Schemathesis over the API's own OpenAPI 3.1 schema: generated requests, valid and not,
never get a 5xx, and every answer matches the schema (ASVS V13.1.1, V13.2.1).

Kept fast: a bounded number of examples per operation, against the WSGI app in-process, with
a real key and a session and participant, so accepted rows are written too."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import checks

from peregister.core import clock
from peregister.providers import keys
from peregister.registry.models import LearningActivity, Registration, Session
from tests import factories

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.status_code_conformance,
    checks.content_type_conformance,
]


@pytest.fixture
def bearer(transactional_db: None) -> str:
    provider_admin = factories.ContactFactory.create(
        organisation=factories.ProviderFactory.create(), role="administrator"
    )
    activity = LearningActivity.objects.create(
        title="Arbeidsrecht",
        provider=provider_admin.organisation.name,
        kind="course",
        points=2,
        recognised_from=dt.date(2020, 1, 1),
        offered_by=provider_admin.organisation,
    )
    Session.objects.create(
        activity=activity,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
        online=True,
        created_at=clock.now(),
    )
    factories.RegistrationFactory.create(
        professional=factories.ProfessionalFactory.create(registration_number="0000001"),
        status=Registration.Status.ACTIVE,
    )
    return keys.create_api_key(actor=provider_admin.user, name="schemathesis")[1]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_5xx_and_every_answer_matches_the_schema(case: schemathesis.Case, bearer: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {bearer}"}, checks=CHECKS)
