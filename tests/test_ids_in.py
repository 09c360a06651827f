"""``core.lookups.IdsIn``: a page's ids in SQL, integers only (no text reaches the SQL)."""

from __future__ import annotations

import pytest

from peregister.access.models import AccessGrant
from peregister.core.lookups import IdsIn
from peregister.registry.models import Professional
from tests.conftest import World


def test_it_selects_exactly_the_ids_given_and_nothing_for_none(world: World) -> None:
    ids = [world.professional.pk, world.other_professional.pk]
    found = Professional.objects.filter(IdsIn("pk", ids)).values_list("pk", flat=True)
    assert sorted(found) == sorted(ids)
    assert not Professional.objects.filter(IdsIn("pk", [])).exists()
    # Inside a subquery (its table renamed) too.
    grants = AccessGrant.objects.filter(IdsIn("professional_id", [world.professional.pk]))
    assert set(
        Professional.objects.filter(pk__in=grants.values("professional_id")).values_list(
            "pk", flat=True
        )
    ) == {world.professional.pk}


def test_anything_but_an_integer_is_refused_before_any_sql() -> None:
    with pytest.raises(ValueError, match="invalid literal for int"):
        IdsIn("pk", ["1 OR 1=1"])  # type: ignore[list-item]
