"""Presentie registreren: the check step per line, confirming, and crafted or bad input."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection

from peregister.audit.models import AuditEvent
from peregister.core import clock
from peregister.registry.attendance import Entry
from peregister.registry.completions import (
    LineStatus,
    check_attendance,
    register_completions,
)
from peregister.registry.models import Completion
from tests import factories
from tests.conftest import client_for

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=clock.AMSTERDAM), tick=False):
        yield


@pytest.fixture
def activity(db: None, frozen: None):
    return factories.LearningActivityFactory(
        title="Arbeidsrecht actueel",
        points=3,
        recognised_from=dt.date(2026, 1, 1),
        recognised_until=dt.date(2026, 12, 31),
    )


def professional(number: str, last_name: str = "Jansen"):
    return factories.ProfessionalFactory(registration_number=number, last_name=last_name)


def statuses(check) -> list[str]:
    return [line.status for line in check.lines]


def test_check_reports_every_kind_of_line(activity) -> None:
    anouk = professional("0012345", "Bakker")
    bram = professional("0067890", "Visser")
    professional("0000777")
    factories.CompletionFactory(professional=bram, activity=activity, completed_on=TODAY)
    entries = [
        Entry(1, "0012345", TODAY),
        Entry(2, "0012345", TODAY),  # duplicate in the list
        Entry(3, "9999999", TODAY),  # unknown
        Entry(4, "0067890", TODAY),  # already registered
        Entry(5, "777", TODAY),  # lost its leading zeros
        Entry(6, "0012345", TODAY + dt.timedelta(days=1)),  # future
        Entry(7, "0012345", dt.date(2025, 12, 31)),  # before recognition
        Entry(8, "0012345", None, problem="invalid_date"),
    ]
    check = check_attendance(activity=activity, entries=entries, today=TODAY)
    assert statuses(check) == [
        LineStatus.OK,
        LineStatus.DUPLICATE,
        LineStatus.UNKNOWN,
        LineStatus.ALREADY_REGISTERED,
        LineStatus.LEADING_ZEROS,
        LineStatus.FUTURE_DATE,
        LineStatus.NOT_RECOGNISED,
        LineStatus.INVALID,
    ]
    assert check.lines[0].professional.pk == anouk.pk  # type: ignore[union-attr]
    assert check.lines[4].similar == ("0000777",)
    assert check.lines[4].professional is None  # reported, never guessed


def test_same_number_on_two_dates_is_not_a_duplicate(activity) -> None:
    professional("0012345")
    check = check_attendance(
        activity=activity,
        entries=[Entry(1, "0012345", TODAY), Entry(2, "0012345", TODAY - dt.timedelta(days=1))],
        today=TODAY,
    )
    assert statuses(check) == [LineStatus.OK, LineStatus.OK]


def test_check_uses_a_constant_number_of_queries(activity, django_assert_max_num_queries) -> None:
    for n in range(30):
        professional(f"{n:07d}")
    entries = [Entry(n + 1, f"{n:07d}", TODAY) for n in range(30)] + [Entry(31, "12", TODAY)]
    with django_assert_max_num_queries(4):
        check_attendance(activity=activity, entries=entries, today=TODAY)


def test_register_applies_only_valid_lines_and_copies_the_activity(activity, world) -> None:
    anouk = professional("0012345")
    entries = [Entry(1, "0012345", TODAY), Entry(2, "9999999", TODAY)]
    applied = register_completions(actor=world.staff, activity=activity, entries=entries)
    assert len(applied.valid_lines) == 1
    completion = Completion.objects.get()
    assert (completion.professional, completion.completed_on) == (anouk, TODAY)
    assert (completion.title, completion.points, completion.kind, completion.provider) == (
        "Arbeidsrecht actueel",
        3,
        activity.kind,
        activity.provider,
    )
    assert completion.source == Completion.Source.ATTENDANCE
    assert completion.registered_by == world.staff
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMPLETIONS_REGISTERED)
    assert list(event.professionals.all()) == [anouk]
    assert event.data["registered"] == 1
    assert event.data["skipped"] == 1


def test_register_twice_adds_nothing_the_second_time(activity, world) -> None:
    professional("0012345")
    entries = [Entry(1, "0012345", TODAY)]
    register_completions(actor=world.staff, activity=activity, entries=entries)
    again = register_completions(actor=world.staff, activity=activity, entries=entries)
    assert statuses(again) == [LineStatus.ALREADY_REGISTERED]
    assert Completion.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETIONS_REGISTERED).count() == 1


# --- pages -----------------------------------------------------------------------------------


def payload_of(body: str) -> str:
    match = re.search(r'name="payload" value="([^"]+)"', body)
    assert match, "no confirm form on the page"
    return match.group(1)


def test_paste_check_confirm_flow(activity, world) -> None:
    anouk = professional("0012345", "Bakker")
    client = client_for(world.staff)
    response = client.post(
        "/register/presentie/",
        {
            "activity": str(activity.code),
            "day": "2026-06-15",
            "numbers": "0012345\r\n12345\r\n9999999;0012345",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bakker" in body
    assert "onbekend registratienummer" in body
    assert "dubbel in de lijst" in body
    assert "voorloopnullen" in body
    assert "Bevestigen: 1 regel registreren" in body
    assert Completion.objects.count() == 0  # the check writes nothing
    # The list is offered again for correction, as pasted.
    assert "0012345\n12345\n9999999\n0012345</textarea>" in body

    done = client.post("/register/presentie/bevestigen/", {"payload": payload_of(body)})
    assert done.status_code == 200
    assert "1 afgeronde leeractiviteit geregistreerd" in done.content.decode()
    assert "3 regels overgeslagen" in done.content.decode()
    assert list(Completion.objects.values_list("professional", flat=True)) == [anouk.pk]


def test_confirm_re_checks_what_changed_since_the_check(activity, world) -> None:
    anouk = professional("0012345")
    client = client_for(world.staff)
    body = client.post(
        "/register/presentie/",
        {"activity": str(activity.code), "day": "2026-06-15", "numbers": "0012345"},
    ).content.decode()
    # Meanwhile a colleague registers the same line.
    factories.CompletionFactory(professional=anouk, activity=activity, completed_on=TODAY)
    done = client.post("/register/presentie/bevestigen/", {"payload": payload_of(body)})
    assert done.status_code == 200
    assert "0 afgeronde leeractiviteiten geregistreerd" in done.content.decode()
    assert Completion.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    ["", "garbage", "eyJhY3Rpdml0eSI6IDF9:1abc:xyz", "a" * 500],
)
def test_crafted_confirmation_writes_nothing(activity, world, payload: str) -> None:
    professional("0012345")
    response = client_for(world.staff).post("/register/presentie/bevestigen/", {"payload": payload})
    assert response.status_code == 400
    assert Completion.objects.count() == 0


def test_tampered_payload_is_refused(activity, world) -> None:
    professional("0012345")
    professional("0067890")
    client = client_for(world.staff)
    body = client.post(
        "/register/presentie/",
        {"activity": str(activity.code), "day": "2026-06-15", "numbers": "0012345"},
    ).content.decode()
    payload = payload_of(body)
    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = client.post("/register/presentie/bevestigen/", {"payload": tampered})
    assert response.status_code == 400
    assert "ongeldig" in response.content.decode()
    assert Completion.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Kies een leeractiviteit."),
        ({"activity": "not-a-uuid", "day": "2026-06-15", "numbers": "1"}, "bestaande"),
        ({"activity": "{activity}", "day": "31-02-2026", "numbers": "1"}, "geldige datum"),
        ({"activity": "{activity}", "day": "2026-06-15", "numbers": " ;, "}, "geen registratie"),
        ({"activity": "{activity}", "day": "2026-06-15"}, "Plak minstens"),
    ],
)
def test_bad_paste_form_is_answered_with_messages(activity, world, data, message) -> None:
    data = {k: v.replace("{activity}", str(activity.code)) for k, v in data.items()}
    response = client_for(world.staff).post("/register/presentie/", data)
    assert response.status_code == 400
    assert message in response.content.decode()


def upload(content: bytes, name: str = "presentie.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_csv_upload_goes_through_the_same_check(activity, world) -> None:
    professional("0012345", "Bakker")
    client = client_for(world.staff)
    csv_file = upload(
        "\ufeffregistratienummer;datum\r\n0012345;15-06-2026\r\n0012345;16-06-2026\r\n".encode()
    )
    response = client.post(
        "/register/presentie/csv/", {"activity": str(activity.code), "file": csv_file}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bakker" in body
    assert "datum ligt in de toekomst" in body
    done = client.post("/register/presentie/bevestigen/", {"payload": payload_of(body)})
    assert done.status_code == 200
    assert Completion.objects.get().completed_on == TODAY


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"registratienummer\tdatum\n0012345\t15-06-2026\n", "scheidingsteken"),
        (b"nummer;datum\n0012345;15-06-2026\n", "mist de kolom"),
        ("registratienummer;datum\nJosé;1-1-2026\n".encode("cp1252"), "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "geen CSV"),
        (
            b"registratienummer;datum\n0012345;" + b"x" * 140_000 + b"\n",
            "Een cel in het bestand is te lang (meer dan 128 kB)",
        ),
    ],
)
def test_malformed_csv_is_refused_with_a_message(activity, world, content, message) -> None:
    professional("0012345")
    response = client_for(world.staff).post(
        "/register/presentie/csv/", {"activity": str(activity.code), "file": upload(content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Completion.objects.count() == 0


def test_too_big_csv_is_refused(activity, world) -> None:
    content = b"registratienummer;datum\n" + b"0012345;15-06-2026\n" * 60_000
    response = client_for(world.staff).post(
        "/register/presentie/csv/", {"activity": str(activity.code), "file": upload(content)}
    )
    assert response.status_code == 400
    assert "te groot" in response.content.decode()


def test_csv_form_without_file_says_so(activity, world) -> None:
    response = client_for(world.staff).post(
        "/register/presentie/csv/", {"activity": str(activity.code)}
    )
    assert response.status_code == 400
    assert "Kies een CSV-bestand." in response.content.decode()


def test_activity_is_preselected_from_the_catalogue(activity, world) -> None:
    body = (
        client_for(world.staff)
        .get(f"/register/presentie/?activiteit={activity.code}")
        .content.decode()
    )
    assert f'value="{activity.code}" selected' in body


def locked_on_sqlite(error: BaseException) -> bool:
    return (
        connection.vendor == "sqlite"
        and isinstance(error, OperationalError)
        and "locked" in str(error)
    )


@pytest.mark.django_db(transaction=True)
def test_two_staff_confirming_the_same_list_register_it_once() -> None:
    staff = factories.UserFactory(is_staff=True)
    activity = factories.LearningActivityFactory(recognised_from=dt.date(2020, 1, 1))
    for n in range(20):
        professional(f"{n:07d}")
    day = clock.today()
    entries = [Entry(n + 1, f"{n:07d}", day) for n in range(20)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            register_completions(actor=staff, activity=activity, entries=entries)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # PostgreSQL queues the second run behind the first. The in-memory SQLite test database
    # (shared cache) refuses a concurrent writer outright instead of waiting; that refusal
    # must leave nothing half-written either.
    assert all(locked_on_sqlite(error) for error in errors), errors
    assert len(errors) < 2
    assert Completion.objects.count() == 20
    assert AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETIONS_REGISTERED).count() == 1


def test_a_full_list_of_unknown_numbers_is_checked_without_error(activity) -> None:
    professional("0000001")
    professional("00000000000000000002")  # registration numbers of different widths
    entries = [Entry(n, str(n), TODAY) for n in range(1, 1001)]
    check = check_attendance(activity=activity, entries=entries, today=TODAY)
    assert check.lines[0].status == LineStatus.LEADING_ZEROS
    assert check.lines[0].similar == ("0000001",)
    assert check.lines[1].similar == ("00000000000000000002",)
    assert {line.status for line in check.lines[2:]} == {LineStatus.UNKNOWN}


def test_a_number_is_found_without_regard_to_case(activity) -> None:
    holder = professional("AB-77")
    check = check_attendance(
        activity=activity,
        entries=[Entry(1, "ab-77", TODAY), Entry(2, "AB-77", TODAY)],
        today=TODAY,
    )
    assert statuses(check) == [LineStatus.OK, LineStatus.DUPLICATE]
    assert check.lines[0].professional.pk == holder.pk  # type: ignore[union-attr]


def test_one_number_in_two_registers_needs_the_register(activity) -> None:
    """Numbers are per register (issue 14): a number two registers use finds nobody by
    guessing; with the register (code or name) on the line, the right person."""
    bop = factories.RegisterFactory(code="bop", name="Backofficeprofessional")
    in_up = professional("0012345", "Bakker")
    in_bop = factories.ProfessionalFactory(
        registration_number="0012345", register=bop, last_name="Visser"
    )
    check = check_attendance(
        activity=activity,
        entries=[
            Entry(1, "0012345", TODAY),
            Entry(2, "0012345", TODAY, register="bop"),
            Entry(3, "0012345", TODAY, register="uitzendprofessional"),
            Entry(4, "0012345", TODAY, register="xx"),
        ],
        today=TODAY,
    )
    assert statuses(check) == [
        LineStatus.AMBIGUOUS,
        LineStatus.OK,
        LineStatus.OK,
        LineStatus.UNKNOWN,
    ]
    assert [getattr(line.professional, "pk", None) for line in check.lines] == [
        None,
        in_bop.pk,
        in_up.pk,
        None,
    ]


def test_staff_csv_with_a_register_column_registers_the_right_person(activity, world) -> None:
    bop = factories.RegisterFactory(code="bop", name="Backofficeprofessional")
    professional("0012345", "Bakker")
    in_bop = factories.ProfessionalFactory(registration_number="0012345", register=bop)
    client = client_for(world.staff)
    content = b"registratienummer;datum;register\n0012345;15-06-2026;bop\n"
    response = client.post(
        "/register/presentie/csv/", {"activity": str(activity.code), "file": upload(content)}
    )
    assert response.status_code == 200
    done = client.post(
        "/register/presentie/bevestigen/", {"payload": payload_of(response.content.decode())}
    )
    assert done.status_code == 200
    assert Completion.objects.get().professional == in_bop

    without = client.post(
        "/register/presentie/csv/",
        {
            "activity": str(activity.code),
            "file": upload(b"registratienummer;datum\n0012345;15-06-2026\n"),
        },
    )
    assert "nummer in meer registers: vermeld het register" in without.content.decode()
