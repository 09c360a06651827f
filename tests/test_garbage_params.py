"""Odd input found in review: characters that look like digits, NUL bytes."""

from __future__ import annotations

import pytest

from peregister.registry.models import RenewalSubmission
from tests.conftest import World, client_for


@pytest.mark.parametrize("page", ["²", "1²", "٣", "x", "-1", "9" * 50])
def test_report_page_parameter_never_breaks_the_page(world: World, page: str) -> None:
    response = client_for(world.administrator.user).get("/werkgever/rapportage/", {"pagina": page})
    assert response.status_code == 200


@pytest.mark.parametrize("code", ["up\x00", "\x00", "../up", "u" * 500, ""])
def test_renewal_with_a_garbage_register_code_is_404_and_writes_nothing(
    world: World, code: str
) -> None:
    response = client_for(world.professional.user).post(
        "/mijn/dossier/indienen/", {"register": code}
    )
    assert response.status_code == 404
    assert not RenewalSubmission.objects.exists()
