from __future__ import annotations

import re

import pytest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver

from peregister.accounts.guards import POLICY_ATTRIBUTE
from tests.conftest import World
from tests.matrix import PERSONAS, all_rows

ROWS = all_rows()
# No namespace is exempt: Django's admin (a second, unthrottled login) is not installed.


def walk(resolver: URLResolver, namespace: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            child = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
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
    client = world.client(persona)
    response = getattr(client, row.method)(row.path(world), row.data(world))
    assert response.status_code == row.expected[persona], (
        f"{row.method.upper()} {row.url_name} as {persona}: {response.status_code}"
    )
    assert_security_headers(response, logged_in=persona != "anonymous")


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def assert_security_headers(response: HttpResponseBase, *, logged_in: bool) -> None:
    """ASVS 14.4.3 (CSP), 14.4.x (Permissions-Policy), 8.2.1 (no caching of personal data):
    on every page of the matrix, for every persona and status."""
    policy = response["Content-Security-Policy"]
    directives = {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))
        if name
    }
    assert directives["default-src"] == "'none'"
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    if logged_in:
        assert response["Cache-Control"] == "no-store"
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html") and not getattr(response, "streaming", False):
        inline = INLINE.search(response.content.decode())
        assert inline is None, f"inline script or style: {inline.group(0) if inline else ''}"
