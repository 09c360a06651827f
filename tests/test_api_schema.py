"""Schemathesis over the API's own OpenAPI 3.1 schema: generated requests, valid and not,
never get a 5xx, and every answer matches the schema (ASVS V13.1.1, V13.2.1).

Kept fast: a bounded number of examples per operation, against the WSGI app in-process, with
a real key and a session and participant, so accepted rows are written too; the HR API's
operations (``/organisation/…``) with a real organisation token over an organisation with
consenting professionals, so its answers carry rows."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from peregister.core import clock
from peregister.core.models import RateLimitWindow
from peregister.organisations.models import Contact
from peregister.providers import keys
from peregister.providers.models import CompletionBatch
from peregister.registry.models import Completion, LearningActivity, Registration, Session
from peregister.reports import tokens
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


@pytest.fixture
def organisation_bearer(transactional_db: None) -> str:
    administrator = factories.ContactFactory.create(role=Contact.Role.ADMINISTRATOR)
    for n in range(3):
        registration = factories.RegistrationFactory.create(
            professional=factories.ProfessionalFactory.create(
                last_name=f"Schema{n}", registration_number=f"900000{n}"
            )
        )
        if n:
            factories.PePeriodFactory.create(registration=registration)
        factories.AccessGrantFactory.create(
            professional=registration.professional, contact=administrator
        )
    return tokens.create_token(actor=administrator.user, name="schemathesis")[1]


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_5xx_and_every_answer_matches_the_schema(
    case: schemathesis.Case, bearer: str, organisation_bearer: str
) -> None:
    token = organisation_bearer if "/organisation/" in case.path else bearer
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def test_stateful_runs_follow_the_links_without_5xx(bearer: str) -> None:
    """Stateful (OpenAPI links): a batch's answer leads to its receipt, the activity list to
    an activity's sessions, with real codes; every step answers without a 5xx and as its
    schema says."""
    steps: list[tuple[str, int]] = []

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: schemathesis.Case) -> None:
            # Random bodies are the stateless test's work; here a batch is one the register
            # accepts, so its receipt exists to be followed.
            if case.operation.label == "POST /api/v1/completions":
                case.body = {
                    "rows": [
                        {
                            "registration_number": "0000001",
                            "session": str(Session.objects.get().code),
                            "date": "2024-06-01",
                        }
                    ]
                }

        def teardown(self) -> None:
            # Every scenario starts from the same register: what a step answers decides which
            # links can be followed, and Hypothesis needs that to replay the same way.
            CompletionBatch.objects.all().delete()
            Completion.objects.all().delete()
            RateLimitWindow.objects.all().delete()

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"headers": {"Authorization": f"Bearer {bearer}"}}

        def after_call(self, response: object, case: schemathesis.Case) -> None:
            steps.append((case.operation.label, response.status_code))  # type: ignore[attr-defined]

        def validate_response(
            self, response: object, case: schemathesis.Case, **kwargs: object
        ) -> None:
            case.validate_response(response, checks=CHECKS)  # type: ignore[arg-type]

    Workflow.run(
        settings=settings(
            max_examples=12,
            stateful_step_count=4,
            phases=[Phase.generate],
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
    followed = {label for label, status in steps if status == 200}
    assert "GET /api/v1/completions/{code}" in followed
    assert "GET /api/v1/activities/{code}/sessions" in followed


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/organisation/professionals", {}),
        ("/api/v1/organisation/professionals", {"limit": 1}),
        ("/api/v1/organisation/changes", {}),
        ("/api/v1/organisation/changes", {"limit": 1}),
    ],
)
def test_hr_api_answers_with_rows_match_the_schema(
    path: str, query: dict[str, int], organisation_bearer: str
) -> None:
    """Generated queries rarely hit a valid cursor or limit: the answers with rows (and the
    next page from their cursor) are checked against the schema explicitly."""
    operation = schema[path]["GET"]
    headers = {"Authorization": f"Bearer {organisation_bearer}"}
    first = operation.Case(query=query).call_and_validate(headers=headers, checks=CHECKS)
    assert first.status_code == 200
    body = first.json()
    assert body["items"]
    cursor = body["next_cursor"]
    if cursor:
        page = operation.Case(query={**query, "cursor": cursor})
        assert page.call_and_validate(headers=headers, checks=CHECKS).status_code == 200
    if path.endswith("professionals"):
        code = body["items"][0]["professional"]
        one = schema[f"{path}/{{code}}"]["GET"].Case(path_parameters={"code": code})
        assert one.call_and_validate(headers=headers, checks=CHECKS).status_code == 200
