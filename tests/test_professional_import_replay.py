"""A confirmed *Professionals importeren* is applied once (review 14 F22, F9): posting its
signed set again (a second click, an old tab, browser history) writes nothing, does not undo
hand corrections made since, and says the import was already processed.

OWASP ASVS 4.0.3 V11.1.2 (business logic flows in order, no replay of a step), V11.1.1.
"""

from __future__ import annotations

import datetime as dt

import time_machine

from peregister.audit.models import AuditEvent
from peregister.backoffice.models import ImportRun, ProfessionalImport
from peregister.core import clock
from tests.conftest import World, client_for
from tests.test_professional_import import CONFIRM, csv_file, payload_of, upload

EDIT = "/register/professionals/{}/wijzigen/"


def _at(hour: int) -> time_machine.travel:
    return time_machine.travel(
        dt.datetime(2026, 12, 15, hour, 0, tzinfo=clock.AMSTERDAM), tick=False
    )


def _imported_events() -> int:
    return AuditEvent.objects.filter(action=AuditEvent.Action.PROFESSIONALS_IMPORTED).count()


def test_a_replayed_confirmation_does_not_undo_a_later_hand_correction(world: World) -> None:
    professional = world.professional
    with _at(9):
        staff = client_for(world.staff)
        professional.email = "d@example.nl"
        professional.last_name = "Anders"
        professional.save()
        registered_on = professional.registrations.get().registered_on
        line = (
            f"{professional.registration_number};up;{professional.initials};;"
            f"{professional.last_name};f@example.nl;;{registered_on:%d-%m-%Y}"
        )
        payload = payload_of(upload(staff, csv_file(line)))
        assert staff.post(CONFIRM, {"payload": payload}).status_code == 302
    with _at(11):
        staff = client_for(world.staff)
        corrected = staff.post(
            EDIT.format(professional.code),
            {
                "initials": professional.initials,
                "name_prefix": professional.name_prefix,
                "last_name": professional.last_name,
                "email": "g-correct@example.nl",
                "date_of_birth": "",
            },
        )
        assert corrected.status_code == 302
        professional.refresh_from_db()
        assert professional.email == "g-correct@example.nl"
    with _at(16):
        staff = client_for(world.staff)
        replay = staff.post(CONFIRM, {"payload": payload}, follow=True)
    professional.refresh_from_db()
    assert professional.email == "g-correct@example.nl"
    assert _imported_events() == 1
    assert ProfessionalImport.objects.count() == 1
    first = ProfessionalImport.objects.get()
    assert replay.redirect_chain[-1][0] == f"/register/professionals/importeren/{first.code}/"
    assert "Deze import is al verwerkt" in replay.content.decode()


def test_a_double_submitted_confirmation_says_it_was_processed(world: World) -> None:
    with _at(9):
        staff = client_for(world.staff)
        payload = payload_of(upload(staff, csv_file("9900101;up;A.;;Jansen;;;01-01-2026")))
        assert staff.post(CONFIRM, {"payload": payload}).status_code == 302
        again = staff.post(CONFIRM, {"payload": payload}, follow=True)
    body = again.content.decode()
    assert "Deze import is al verwerkt" in body
    assert "Sinds de controle is er in het register iets veranderd" not in body
    assert _imported_events() == 1


def test_confirming_an_applied_large_run_again_says_it_was_processed(world: World) -> None:
    run = ImportRun.objects.create(
        created_at=clock.now(),
        created_by=world.staff,
        file_name="groot.csv",
        state=ImportRun.State.APPLIED,
        new=2100,
    )
    response = client_for(world.staff).post(
        f"/register/professionals/importeren/controle/{run.code}/bevestigen/"
    )
    assert response.status_code == 409
    assert "Deze import is al verwerkt" in response.content.decode()
