"""Two presses of *Rapportage downloaden* at the same moment (a double click, the beheerder
and the deputy at once) make one snapshot, one task and one set of link rows (review of issue
12 point 2, F4). On PostgreSQL real concurrent transactions, each in its own thread and
connection; on SQLite the same two presses in turn, each having looked before the other
inserted."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from peregister.access import policies
from peregister.accounts.roles import acting_as_contact
from peregister.core import clock
from peregister.reports import snapshots
from peregister.reports.models import ReportSnapshot
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_requests_at_once_make_one_snapshot(
    settings,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    organisation = factories.OrganisationFactory()
    administrator = factories.ContactFactory(organisation=organisation, role="administrator")
    deputy = factories.ContactFactory(organisation=organisation, role="deputy")
    for _ in range(5):
        factories.AccessGrantFactory(
            contact=administrator, professional=factories.RegistrationFactory().professional
        )
    # Both have looked for a reusable snapshot and found none before either inserts.
    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(2)
    real = snapshots._reusable
    looked: list[int] = []

    def look_together(*args, **kwargs):  # type: ignore[no-untyped-def]
        looked.append(1)
        if len(looked) > 2:
            return real(*args, **kwargs)
        if not concurrent:
            # SQLite runs one writer at a time (its in-memory test database cannot hold two
            # open transactions): both presses run in turn, and both first looks see nothing.
            return None
        found = real(*args, **kwargs)
        barrier.wait(timeout=60)
        return found

    monkeypatch.setattr(snapshots, "_reusable", look_together)
    made: list[ReportSnapshot] = []
    errors: list[BaseException] = []

    def press(contact) -> None:  # type: ignore[no-untyped-def]
        try:
            scope = policies.report_scope(acting_as_contact(contact.user, contact), clock.now())
            assert scope is not None
            made.append(snapshots.request_snapshot(actor=contact.user, scope=scope))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(c,)) for c in (administrator, deputy)]
    for thread in threads:
        thread.start()
        if not concurrent:
            thread.join()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(made) == 2
    assert made[0].pk == made[1].pk
    assert ReportSnapshot.objects.count() == 1
