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


def expect(default: int, anonymous: int = LOGIN, **overrides: int) -> dict[str, int]:
    """Every persona gets ``default`` unless named; anonymous is sent to login by default."""
    result = dict.fromkeys(PERSONAS, default)
    result["anonymous"] = anonymous
    result.update(overrides)
    return result


def all_rows() -> list[Row]:
    import tests.matrix_rows as package

    rows: list[Row] = []
    for module in pkgutil.iter_modules(package.__path__):
        rows.extend(importlib.import_module(f"{package.__name__}.{module.name}").ROWS)
    return rows
