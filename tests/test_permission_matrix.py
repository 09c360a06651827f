from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from peregister.accounts.guards import POLICY_ATTRIBUTE
from tests.conftest import World, client_for
from tests.matrix import PERSONAS, all_rows

ROWS = all_rows()
# Django's own admin guards itself with staff permissions and its own login page.
EXEMPT_NAMESPACES = {"admin"}


def walk(resolver: URLResolver, namespace: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            child = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in EXEMPT_NAMESPACES:
                continue
            found.extend(walk(pattern, child))
        elif isinstance(pattern, URLPattern):
            found.append((f"{namespace}{pattern.name}", pattern.callback))
    return found


URLS = walk(get_resolver())


@pytest.mark.parametrize(("name", "view"), URLS, ids=[name for name, _ in URLS])
def test_every_view_declares_a_policy(name: str, view: object) -> None:
    assert getattr(view, POLICY_ATTRIBUTE, None), f"{name} declares no access policy"


def test_every_url_has_a_matrix_row() -> None:
    covered = {row.url_name for row in ROWS}
    missing = sorted({name for name, _ in URLS} - covered)
    assert not missing, f"URLs without a permission-matrix row: {missing}"


@pytest.mark.parametrize("row", ROWS, ids=[row.url_name for row in ROWS])
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(world: World, row, persona: str) -> None:
    client = client_for(world.personas()[persona])
    response = getattr(client, row.method)(row.path(world), row.data(world))
    assert response.status_code == row.expected[persona], (
        f"{row.method.upper()} {row.url_name} as {persona}: {response.status_code}"
    )
