"""``Completion.kind_label`` (the dossier's activity table) says what ``get_kind_display`` says."""

from __future__ import annotations

import pytest
from django.utils import translation

from peregister.registry.models import Completion, LearningActivity
from tests import factories
from tests.conftest import World, client_for


@pytest.mark.parametrize("language", ["nl", "en"])
def test_kind_label_equals_get_kind_display(language: str) -> None:
    with translation.override(language):
        for kind in [*LearningActivity.Kind.values, "unknown_kind"]:
            completion = Completion(kind=kind)
            assert completion.kind_label == completion.get_kind_display()


def test_dossier_table_shows_the_kind_label(world: World) -> None:

    factories.CompletionFactory(
        professional=world.professional, kind=LearningActivity.Kind.E_LEARNING
    )
    body = client_for(world.contact_live.user).get(
        f"/werkgever/professionals/{world.professional.code}/"
    )
    assert body.status_code == 200
    assert "<td>e-learning</td>" in body.content.decode()
