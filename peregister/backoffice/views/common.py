"""Small helpers shared by the back-office views."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from peregister.backoffice.codes import parse_code

M = TypeVar("M", bound=Model)


def get_by_code_or_404(queryset: QuerySet[M], code: Any) -> M:
    """Unknown and malformed codes give the same 404."""
    parsed = parse_code(code)
    if parsed is None:
        raise Http404
    found = queryset.filter(code=parsed).first()
    if found is None:
        raise Http404
    return found
