"""``IdsIn``: ``column IN (…)`` for a page of ids already known to be integers.

Django's ``__in`` prepares and resolves every element of its list, in Python, each time the
filter is made and each time its SQL is compiled: about 5 µs an id, so 5 ms for a page of
1,000 professionals, spent again in every query the page's ids appear in (its rows, its audit
links). This lookup takes the ids as integers once (``int()`` refuses anything else) and
passes them as one parameter each, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup


class IdsIn(Lookup):  # type: ignore[type-arg]
    lookup_name = "ids_in"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Iterable[int]) -> None:
        if isinstance(lhs, str):
            lhs = F(lhs)
        super().__init__(lhs, [int(value) for value in rhs])

    def get_prep_lookup(self) -> Any:
        return self.rhs

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, list[str | int]]:
        if not self.rhs:
            raise EmptyResultSet
        return "(" + ", ".join(["%s"] * len(self.rhs)) + ")", list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} IN {rhs_sql}", [*lhs_params, *rhs_params]
