"""*Inloggegevens vergeten* and *Nieuwe link* do the same work in the request whatever was
typed (review 14 F7): the request queues one task with the typed value; the worker looks the
accounts up and mails. A known address no longer takes longer to answer than an unknown one.

OWASP ASVS 4.0.3 V2.5.2 (no hint, not even by timing, whether an account exists), V11.1.4
(the work is done by the worker, not in the request).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from peregister.ops.worker import OutboxWorker
from tests import factories

pytestmark = pytest.mark.django_db

FORGOT = "/account/inloggegevens-vergeten/"
NEW_LINK = "/account/nieuwe-link/"


def _shape(sql: str) -> str:
    """A query without its values: which tables and which kind of statement."""
    without_values = re.sub(r"'(?:[^']|'')*'", "?", sql)
    without_savepoints = re.sub(r'"s\d+_x\d+"', '"savepoint"', without_values)
    return re.sub(r"\b\d+(\.\d+)?\b", "?", without_savepoints)


def _queries(path: str, field: str, value: str, client_address: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = Client(REMOTE_ADDR=client_address).post(path, {field: value})
    assert response.status_code == 302
    return [_shape(query["sql"]) for query in queries.captured_queries]


@pytest.mark.parametrize(
    ("path", "field", "known"),
    [(FORGOT, "email", "bekend@example.nl"), (NEW_LINK, "username_or_email", "bekend")],
)
def test_the_request_does_the_same_work_for_a_known_and_an_unknown_value(
    settings: Any, path: str, field: str, known: str
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    factories.UserFactory(username="bekend", email="bekend@example.nl")
    for_known = _queries(path, field, known, "10.0.0.1")
    for_unknown = _queries(path, field, "onbekend@example.nl", "10.0.0.2")
    assert for_known == for_unknown
    assert not any("accounts_user" in query for query in for_known)
    assert mail.outbox == []
    # One task queued per request, whatever was typed.
    assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "field", "value"),
    [(FORGOT, "email", "Bekend@Example.nl"), (NEW_LINK, "username_or_email", "bekend")],
)
def test_the_worker_looks_the_account_up_and_mails(
    settings: Any, path: str, field: str, value: str
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    factories.UserFactory(username="bekend", email="bekend@example.nl")
    assert Client().post(path, {field: value}).status_code == 302
    assert (
        Client(REMOTE_ADDR="10.0.0.3").post(path, {field: "niemand@example.nl"}).status_code == 302
    )
    for _round in range(3):  # the lookup task, then the mail it queued
        OutboxWorker(worker_id="test-worker", interval=0).run(once=True)
    [message] = mail.outbox
    assert message.to == ["bekend@example.nl"]
    assert "/account/wachtwoord-instellen/" in str(message.body)
