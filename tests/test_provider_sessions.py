"""*Uitvoeringen* and *presentie* of a training provider: sessions within the recognition
period, attendance through the one engine with the back-office's check step, only for its own
activities, and nothing of a professional beyond initials and number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.attendance import Entry
from peregister.registry.completions import register_completions
from peregister.registry.models import (
    AccreditationRequest,
    Completion,
    LearningActivity,
    Registration,
    Session,
)
from tests import factories
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _mid_june() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


def recognised(world: World, **activity: Any) -> AccreditationRequest:
    """An accreditation request of the world's provider, recognised (2026)."""
    provider = world.provider_admin.organisation
    made = LearningActivity.objects.create(
        title="Arbeidsrecht",
        provider=provider.name,
        kind="course",
        points=activity.get("points", 6),
        recognised_from=dt.date(2026, 1, 1),
        recognised_until=dt.date(2026, 12, 31),
        offered_by=provider,
    )
    return factories.AccreditationRequestFactory.create(
        provider=provider,
        status=AccreditationRequest.Status.RECOGNISED,
        decided_at=clock.now(),
        activity=made,
    )


def session_of(request: AccreditationRequest, start: dt.date = DAY) -> Session:
    assert request.activity is not None
    return Session.objects.create(
        activity=request.activity,
        starts_on=start,
        ends_on=start,
        location="Utrecht",
        created_at=clock.now(),
    )


def participant(number: str, *, active: bool = True) -> Any:
    professional = factories.ProfessionalFactory.create(
        registration_number=number, initials="J.", name_prefix="de", last_name="Vries"
    )
    factories.RegistrationFactory.create(
        professional=professional,
        status=Registration.Status.ACTIVE if active else Registration.Status.LAPSED,
    )
    return professional


def test_provider_adds_a_session_within_the_recognition(world: World) -> None:
    request = recognised(world)
    client = client_for(world.provider_admin.user)
    response = client.post(
        f"/aanbieder/activiteiten/{request.code}/uitvoeringen/",
        {"starts_on": "10-06-2026", "ends_on": "11-06-2026", "location": "Utrecht"},
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.starts_on, session.ends_on, session.online) == (
        DAY,
        dt.date(2026, 6, 11),
        False,
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_ADDED).count() == 1
    page = client.get(f"/aanbieder/activiteiten/{request.code}/").content.decode()
    assert f"/aanbieder/uitvoeringen/{session.code}/presentie/" in page


@pytest.mark.parametrize(
    "data",
    [
        {"starts_on": "10-06-2027", "location": "Utrecht"},  # after the recognition
        {"starts_on": "10-06-2025", "location": "Utrecht"},  # before it
        {"starts_on": "10-06-2026", "ends_on": "01-06-2026", "location": "Utrecht"},
        {"starts_on": "10-06-2026"},  # neither a location nor online
        {"starts_on": "32-13-2026", "location": "Utrecht"},
        {"starts_on": "", "online": "on"},
    ],
)
def test_bad_sessions_are_a_400_and_nothing_is_added(world: World, data: dict[str, str]) -> None:
    request = recognised(world)
    response = client_for(world.provider_admin.user).post(
        f"/aanbieder/activiteiten/{request.code}/uitvoeringen/", data
    )
    assert response.status_code == 400
    assert not Session.objects.exists()


def test_no_session_before_recognition_nor_for_another_provider(world: World) -> None:
    client = client_for(world.provider_admin.user)
    waiting = factories.AccreditationRequestFactory.create(
        provider=world.provider_admin.organisation
    )
    data = {"starts_on": "10-06-2026", "online": "on"}
    assert (
        client.post(f"/aanbieder/activiteiten/{waiting.code}/uitvoeringen/", data).status_code
        == 400
    )
    other = factories.AccreditationRequestFactory.create()
    assert (
        client.post(f"/aanbieder/activiteiten/{other.code}/uitvoeringen/", data).status_code == 404
    )
    assert not Session.objects.exists()


def test_attendance_check_shows_initials_and_confirm_registers_points(world: World) -> None:
    session = session_of(recognised(world))
    participant("7700001")
    participant("7700002", active=False)
    client = client_for(world.provider_admin.user)
    url = f"/aanbieder/uitvoeringen/{session.code}/presentie/"
    assert client.get(url).status_code == 200
    check = client.post(url, {"day": "10-06-2026", "numbers": "7700001 7700002 9999999"})
    assert check.status_code == 200
    body = check.content.decode()
    assert "J. de V." in body
    assert "Vries" not in body  # initials and number only (ASVS V8.3.4)
    assert "geen actieve registratie" in body
    assert "Geen professional met dit registratienummer." in body
    payload = check.context["confirm_form"].initial["payload"]
    done = client.post(url + "bevestigen/", {"payload": payload})
    assert done.status_code == 200
    completion = Completion.objects.get()
    assert completion.professional.registration_number == "7700001"
    assert (completion.points, completion.completed_on) == (6, DAY)
    assert completion.registered_by == world.provider_admin.user
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMPLETIONS_REGISTERED)
    assert event.organisation == world.provider_admin.organisation
    assert event.data["session"] == str(session.code)


def test_a_date_outside_the_session_is_not_registered(world: World) -> None:
    session = session_of(recognised(world))
    participant("7700001")
    url = f"/aanbieder/uitvoeringen/{session.code}/presentie/"
    check = client_for(world.provider_admin.user).post(
        url, {"day": "11-06-2026", "numbers": "7700001"}
    )
    assert "datum valt buiten de uitvoering" in check.content.decode()


def test_leading_zero_hint_never_reveals_existing_numbers_to_a_provider(world: World) -> None:
    session = session_of(recognised(world))
    participant("0077001")
    url = f"/aanbieder/uitvoeringen/{session.code}/presentie/"
    body = (
        client_for(world.provider_admin.user)
        .post(url, {"day": "10-06-2026", "numbers": "77001"})
        .content.decode()
    )
    assert "voorloopnullen" in body
    assert "0077001" not in body


def test_a_list_checked_for_another_session_is_refused(world: World) -> None:
    request = recognised(world)
    first, second = session_of(request), session_of(request, dt.date(2026, 6, 12))
    participant("7700001")
    client = client_for(world.provider_admin.user)
    check = client.post(
        f"/aanbieder/uitvoeringen/{first.code}/presentie/",
        {"day": "10-06-2026", "numbers": "7700001"},
    )
    payload = check.context["confirm_form"].initial["payload"]
    crossed = client.post(
        f"/aanbieder/uitvoeringen/{second.code}/presentie/bevestigen/", {"payload": payload}
    )
    assert crossed.status_code == 400
    tampered = client.post(
        f"/aanbieder/uitvoeringen/{first.code}/presentie/bevestigen/", {"payload": "x" + payload}
    )
    assert tampered.status_code == 400
    assert not Completion.objects.exists()


def test_never_for_another_providers_session(world: World) -> None:
    other_request = factories.AccreditationRequestFactory.create()
    activity = LearningActivity.objects.create(
        title="Elders",
        provider="Ander",
        kind="course",
        points=3,
        recognised_from=dt.date(2026, 1, 1),
        offered_by=other_request.provider,
    )
    session = Session.objects.create(
        activity=activity, starts_on=DAY, ends_on=DAY, online=True, created_at=clock.now()
    )
    participant("7700001")
    client = client_for(world.provider_admin.user)
    url = f"/aanbieder/uitvoeringen/{session.code}/presentie/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"day": "10-06-2026", "numbers": "7700001"}).status_code == 404
    with pytest.raises(Refused):
        register_completions(
            actor=world.provider_admin.user,
            activity=activity,
            entries=[Entry(1, "7700001", DAY)],
            session=session,
        )
    # Without a session the engine is the register's: a provider is refused there too.
    with pytest.raises(Refused):
        register_completions(
            actor=world.provider_admin.user, activity=activity, entries=[Entry(1, "7700001", DAY)]
        )
    assert not Completion.objects.exists()


def test_attendance_by_csv_uses_the_same_check_step(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = session_of(recognised(world))
    participant("7700001")
    upload = SimpleUploadedFile(
        "presentie.csv", b"registratienummer;datum\n7700001;10-06-2026\n7700001;09-06-2026\n"
    )
    client = client_for(world.provider_admin.user)
    check = client.post(f"/aanbieder/uitvoeringen/{session.code}/presentie/csv/", {"file": upload})
    assert check.status_code == 200
    body = check.content.decode()
    assert "J. de V." in body
    assert "datum valt buiten de uitvoering" in body
    garbage = client.post(
        f"/aanbieder/uitvoeringen/{session.code}/presentie/csv/",
        {"file": SimpleUploadedFile("x.csv", b"\x00\x01binary")},
    )
    assert garbage.status_code == 400
    assert not Completion.objects.exists()


# --- review 15 F10: the check step is no free oracle ---------------------------------------


def test_the_check_step_is_recorded_for_the_professionals_it_names(world: World) -> None:
    """The check step shows a provider initials and whether a registration is active: an
    ``attendance.checked`` event links exactly the professionals it named (not the unknown
    numbers), holds no names or numbers, and appears in their *Wie bekeek mijn dossier*
    (ASVS V7.1.3, V8.3.5: access to personal data is logged)."""
    session = session_of(recognised(world))
    active = participant("7700001")
    lapsed = participant("7700002", active=False)
    client = client_for(world.provider_admin.user)
    response = client.post(
        f"/aanbieder/uitvoeringen/{session.code}/presentie/",
        {"day": "10-06-2026", "numbers": "7700001 7700002 7799999"},
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.ATTENDANCE_CHECKED)
    assert set(event.professionals.all()) == {active, lapsed}
    assert event.organisation == world.provider_admin.organisation
    assert event.actor == world.provider_admin.user
    assert "7700001" not in str(event.data)
    assert "Vries" not in str(event.data)
    assert not Completion.objects.exists()
    log = client_for(active.user).get("/mijn/wie-bekeek-mijn-dossier/").content.decode()
    assert "registratienummer gecontroleerd" in log
    assert world.provider_admin.organisation.name in log


def test_the_check_step_is_rate_limited_per_user(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Looking numbers up is limited (ASVS V11.1.4: anti-automation): over the limit the
    page answers 429 with a Dutch message, and looks nothing up."""
    from peregister.registry import completions

    monkeypatch.setattr(completions, "PROVIDER_CHECKS_PER_HOUR", 2)
    session = session_of(recognised(world))
    participant("7700001")
    client = client_for(world.provider_admin.user)
    url = f"/aanbieder/uitvoeringen/{session.code}/presentie/"
    data = {"day": "10-06-2026", "numbers": "7700001"}
    assert [client.post(url, data).status_code for _ in range(2)] == [200, 200]
    refused = client.post(url, data)
    assert refused.status_code == 429
    assert "Te veel lijsten gecontroleerd" in refused.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ATTENDANCE_CHECKED).count() == 2


# --- review 15 F13: correcting and cancelling a session ------------------------------------


def _registered(world: World, session: Session, number: str = "7700001") -> None:
    participant(number)
    register_completions(
        actor=world.provider_admin.user,
        activity=session.activity,
        entries=[Entry(1, number, session.starts_on)],
        session=session,
    )


def test_provider_corrects_a_session(world: World) -> None:
    session = session_of(recognised(world))
    client = client_for(world.provider_admin.user)
    url = f"/aanbieder/uitvoeringen/{session.code}/wijzigen/"
    form = client.get(url)
    assert form.status_code == 200
    assert "10-06-2026" in form.content.decode()
    response = client.post(
        url, {"starts_on": "11-06-2026", "ends_on": "12-06-2026", "online": "on", "location": ""}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.starts_on, session.ends_on, session.online, session.location) == (
        dt.date(2026, 6, 11),
        dt.date(2026, 6, 12),
        True,
        "",
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.SESSION_CHANGED)
    assert event.actor == world.provider_admin.user
    assert event.data["session"] == str(session.code)
    assert event.data["was"] == ["2026-06-10", "2026-06-10"]


def test_a_correction_keeps_registered_attendance_within_the_session(world: World) -> None:
    session = session_of(recognised(world))
    _registered(world, session)
    client = client_for(world.provider_admin.user)
    url = f"/aanbieder/uitvoeringen/{session.code}/wijzigen/"
    moved = client.post(url, {"starts_on": "11-06-2026", "location": "Utrecht"})
    assert moved.status_code == 400
    assert "presentie geregistreerd" in moved.content.decode()
    session.refresh_from_db()
    assert session.starts_on == DAY
    # Widening it, or changing the place only, keeps the attendance inside: allowed.
    wider = client.post(
        url, {"starts_on": "09-06-2026", "ends_on": "10-06-2026", "location": "Zwolle"}
    )
    assert wider.status_code == 302
    # And the recognition's rules hold as when adding: not outside the recognition period.
    late = client.post(url, {"starts_on": "10-06-2026", "ends_on": "10-01-2027", "online": "on"})
    assert late.status_code == 400


def test_provider_cancels_a_session_without_attendance(world: World) -> None:
    request = recognised(world)
    session = session_of(request)
    client = client_for(world.provider_admin.user)
    response = client.post(f"/aanbieder/uitvoeringen/{session.code}/annuleren/")
    assert response.status_code == 302
    assert not Session.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.SESSION_CANCELLED)
    assert event.data["session"] == str(session.code)
    page = client.get(f"/aanbieder/activiteiten/{request.code}/").content.decode()
    assert "De uitvoering is geannuleerd." in page


def test_a_session_with_attendance_is_not_cancelled(world: World) -> None:
    session = session_of(recognised(world))
    _registered(world, session)
    client = client_for(world.provider_admin.user)
    response = client.post(f"/aanbieder/uitvoeringen/{session.code}/annuleren/")
    assert response.status_code == 400
    assert "kan niet meer worden geannuleerd" in response.content.decode()
    assert Session.objects.filter(pk=session.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SESSION_CANCELLED).exists()


def test_another_providers_session_is_not_changed(world: World) -> None:
    other_request = factories.AccreditationRequestFactory.create()
    activity = LearningActivity.objects.create(
        title="Ander",
        provider="Ander",
        kind="course",
        points=2,
        recognised_from=dt.date(2026, 1, 1),
        offered_by=other_request.provider,
    )
    theirs = Session.objects.create(
        activity=activity, starts_on=DAY, ends_on=DAY, online=True, created_at=clock.now()
    )
    client = client_for(world.provider_admin.user)
    assert client.get(f"/aanbieder/uitvoeringen/{theirs.code}/wijzigen/").status_code == 404
    assert client.post(f"/aanbieder/uitvoeringen/{theirs.code}/annuleren/").status_code == 404
    assert Session.objects.filter(pk=theirs.pk).exists()
