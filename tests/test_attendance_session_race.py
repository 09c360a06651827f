"""Review 1516 F2: attendance racing *Uitvoering annuleren* or *wijzigen*.

A registration loads its session before it takes the activity's lock (the confirm page, an API
batch); the provider may cancel or move that session in between (``cancel_session`` and
``change_session`` take the same lock and commit). The registration then checks the lines
against the session as it is now: nothing for a cancelled one (the page says so; the API
answers ``unknown_session``), and the new dates for a moved one (ASVS V11.1.2: a business flow
step is checked at the moment it happens, not against the state the request began with)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from peregister.core.refusals import Refused
from peregister.providers import batches, views
from peregister.registry import accreditation, completions
from peregister.registry.attendance import Entry
from peregister.registry.completions import LineStatus, Target, register_completions
from peregister.registry.models import Completion, Session
from tests.conftest import World, client_for
from tests.test_completions_api import api, api_key, post, row
from tests.test_provider_sessions import (  # noqa: F401 - the autouse clock of those tests
    _mid_june,
    participant,
    recognised,
    session_of,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 10)


def _cancel(world: World, session: Session) -> None:
    accreditation.cancel_session(actor=world.provider_admin.user, session=session)


def _move(world: World, session: Session) -> None:
    accreditation.change_session(
        actor=world.provider_admin.user,
        session=Session.objects.get(pk=session.pk),
        starts_on=dt.date(2026, 6, 12),
        ends_on=dt.date(2026, 6, 12),
        location="Zwolle",
        online=False,
    )


def test_a_session_cancelled_meanwhile_registers_nothing_and_says_so(world: World) -> None:
    session = session_of(recognised(world))
    participant("7700001")
    stale = Session.objects.select_related("activity").get(pk=session.pk)
    _cancel(world, session)
    with pytest.raises(Refused) as refused:
        register_completions(
            actor=world.provider_admin.user,
            activity=stale.activity,
            entries=[Entry(1, "7700001", DAY)],
            session=stale,
        )
    assert refused.value.code == "session_gone"
    assert "geannuleerd" in refused.value.message
    assert not Completion.objects.exists()


def test_a_session_moved_meanwhile_is_checked_at_its_new_dates(world: World) -> None:
    session = session_of(recognised(world))
    participant("7700002")
    participant("7700003")
    stale = Session.objects.select_related("activity").get(pk=session.pk)
    _move(world, session)
    check = register_completions(
        actor=world.provider_admin.user,
        activity=stale.activity,
        entries=[Entry(1, "7700002", DAY), Entry(2, "7700003", dt.date(2026, 6, 12))],
        session=stale,
    )
    assert check.statuses == [LineStatus.OUTSIDE_SESSION, LineStatus.OK]
    assert list(Completion.objects.values_list("completed_on", flat=True)) == [dt.date(2026, 6, 12)]


def test_other_lists_of_a_call_still_register_when_one_session_was_cancelled(
    world: World,
) -> None:
    request = recognised(world)
    kept, cancelled = session_of(request), session_of(request, dt.date(2026, 6, 11))
    participant("7700004")
    stale = Session.objects.select_related("activity").get(pk=cancelled.pk)
    _cancel(world, cancelled)
    checks = completions.register_targets(
        actor=world.provider_admin.user,
        targets=[
            Target(stale.activity, [Entry(1, "7700004", dt.date(2026, 6, 11))], stale),
            Target(kept.activity, [Entry(2, "7700004", DAY)], kept),
        ],
    )
    assert [check.statuses for check in checks] == [[LineStatus.SESSION_GONE], [LineStatus.OK]]
    assert Completion.objects.get().completed_on == DAY


def test_the_confirm_page_for_a_session_cancelled_meanwhile_says_so(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = session_of(recognised(world))
    participant("7700001")
    client = client_for(world.provider_admin.user)
    url = f"/aanbieder/uitvoeringen/{session.code}/presentie/"
    check = client.post(url, {"day": "10-06-2026", "numbers": "7700001"})
    payload = check.context["confirm_form"].initial["payload"]
    original = views.register_completions

    def cancelled_first(**kwargs: Any) -> Any:  # the cancel commits after the page loaded it
        _cancel(world, session)
        return original(**kwargs)

    monkeypatch.setattr(views, "register_completions", cancelled_first)
    done = client.post(url + "bevestigen/", {"payload": payload}, follow=True)
    assert done.status_code == 200
    assert "intussen geannuleerd" in done.content.decode()
    assert not Completion.objects.exists()


def test_an_api_row_for_a_session_cancelled_meanwhile_is_unknown_session(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = recognised(world)
    kept, cancelled = session_of(request), session_of(request, dt.date(2026, 6, 11))
    participant("7700001")
    original = batches._resolve

    def cancelled_after_resolving(*args: Any) -> Any:
        resolved = original(*args)
        _cancel(world, cancelled)
        return resolved

    monkeypatch.setattr(batches, "_resolve", cancelled_after_resolving)
    answer = post(
        api(api_key(world)),
        {"rows": [row("7700001", cancelled, dt.date(2026, 6, 11)), row("7700001", kept)]},
    )
    assert answer.status_code == 201, answer.content
    assert [r["status"] for r in answer.json()["rows"]] == ["unknown_session", "accepted"]
    assert Completion.objects.get().completed_on == DAY
