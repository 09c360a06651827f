"""Small helpers shared by the back-office views."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def parse_code(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError):
        return None


def get_by_code_or_404(queryset: QuerySet[M], code: Any) -> M:
    """Unknown and malformed codes give the same 404."""
    parsed = parse_code(code)
    if parsed is None:
        raise Http404
    found = queryset.filter(code=parsed).first()
    if found is None:
        raise Http404
    return found
