"""The permission matrix: every URL × persona → expected status (after pretix' test_permissions).

Each area adds a module to ``tests/matrix_rows`` with a ``ROWS`` list. The URL-walk test fails
when a named URL has no row, so no page can be added without saying who may open it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import World

PERSONAS = (
    "anonymous",
    "professional",
    "contact_live",
    "contact_expired",
    "contact_revoked",
    "other_org_admin",
    "deputy",
    "administrator",
    "staff",
    "provider_admin",
    # Issue 18: one person, several roles, in each role they can take (tests/conftest.py).
    "dual_as_professional",
    "dual_as_contact",
    "two_orgs_as_brug",
    "two_orgs_as_noord",
)
LOGIN = 302  # anonymous users are sent to the login page


@dataclass(frozen=True)
class Row:
    url_name: str
    path: Callable[[World], str]
    expected: dict[str, int]
    method: str = "get"
    data: Callable[[World], dict[str, object]] = field(default=lambda world: {})

    def __post_init__(self) -> None:
        missing = set(PERSONAS) - set(self.expected)
        assert not missing, f"{self.url_name}: no expectation for {sorted(missing)}"


# A person with two roles, acting in one, gets exactly what a one-role person in that role
# gets: each two-role persona answers like its twin unless a row names it (its own data, or
# another person's, differs). dual's contact and two_orgs' De Brug contact hold no grant, like
# contact_expired; two_orgs is beheerder of another employer, like other_org_admin.
TWINS = {
    "dual_as_professional": "professional",
    "dual_as_contact": "contact_expired",
    "two_orgs_as_brug": "contact_expired",
    "two_orgs_as_noord": "other_org_admin",
}


def expect(default: int, anonymous: int = LOGIN, **overrides: int) -> dict[str, int]:
    """Every persona gets ``default`` unless named; anonymous is sent to login by default;
    a two-role persona gets its twin's answer unless named (``TWINS``)."""
    result = dict.fromkeys(PERSONAS, default)
    result["anonymous"] = anonymous
    result.update(overrides)
    for persona, twin in TWINS.items():
        if persona not in overrides:
            result[persona] = result[twin]
    return result


def all_rows() -> list[Row]:
    import tests.matrix_rows as package

    rows: list[Row] = []
    for module in pkgutil.iter_modules(package.__path__):
        rows.extend(importlib.import_module(f"{package.__name__}.{module.name}").ROWS)
    return rows
