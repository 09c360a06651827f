"""One pager for every list: the ``?pagina=`` parameter, clamping, and what the template reads.

Garbage, zero and negative page numbers mean page 1; a page past the end is the last page.
``templates/includes/pagination.html`` renders a ``PageWindow`` or a Django ``Page``.

The API pages with cursors instead (``encode_cursor``/``decode_cursor``): the position after
the last item of a page, so a page costs the same wherever it is and a row added or removed
elsewhere never shifts the next page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator

from peregister.core.numbers import ascii_digits

PAGE_PARAM = "pagina"
# A page number longer than this is garbage, not a page.
MAX_PAGE_PARAM_LENGTH = 10


def requested_page(query: Mapping[str, Any]) -> int:
    """The page asked for in ``query`` (``request.GET``), at least 1."""
    raw = query.get(PAGE_PARAM)
    if not isinstance(raw, str) or len(raw) > MAX_PAGE_PARAM_LENGTH or not ascii_digits(raw):
        return 1
    return max(int(raw), 1)


def num_pages(total: int, per_page: int) -> int:
    return max(-(-total // per_page), 1)


@dataclass(frozen=True)
class PageWindow:
    number: int
    num_pages: int

    @classmethod
    def clamped(cls, requested: int, total: int, per_page: int) -> PageWindow:
        """Page ``requested`` of ``total`` rows; past the end: the last page."""
        pages = num_pages(total, per_page)
        return cls(number=min(max(requested, 1), pages), num_pages=pages)

    def offset_for(self, per_page: int) -> int:
        return (self.number - 1) * per_page

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def paginate(objects: Sequence[Any] | Any, per_page: int, query: Mapping[str, Any]) -> Page:
    """A Django ``Page`` of ``objects`` for the page ``query`` asks for (clamped)."""
    paginator = Paginator(objects, per_page)
    return paginator.page(min(requested_page(query), paginator.num_pages))


@dataclass(frozen=True)
class CountedPage:
    """One page of a list and how many rows the whole list has (for the caption)."""

    page: PageWindow
    total: int
    rows: list[Any]


def page_of(rows: Any, *, counted: Any, per_page: int, query: Mapping[str, Any]) -> CountedPage:
    """Page ``query`` asks for of ``rows`` (an ordered queryset, annotations and all).

    ``counted`` is the same list without what the page shows (no annotations, no joins for
    display): counting it reads only the filter's index, never the figures of every row. A
    first page that is not full is the whole list and costs no count at all.
    """
    requested = requested_page(query)
    if requested == 1:
        found = list(rows[:per_page])
        if len(found) < per_page:
            return CountedPage(page=PageWindow(number=1, num_pages=1), total=len(found), rows=found)
        total = counted.count()
        return CountedPage(page=PageWindow.clamped(1, total, per_page), total=total, rows=found)
    total = counted.count()
    window = PageWindow.clamped(requested, total, per_page)
    offset = window.offset_for(per_page)
    return CountedPage(page=window, total=total, rows=list(rows[offset : offset + per_page]))


# A cursor longer than this is garbage, not a position.
MAX_CURSOR_LENGTH = 600


def encode_cursor(kind: str, values: list[Any]) -> str:
    """An opaque cursor for ``values`` (JSON-able), marked with ``kind``: a cursor of one feed
    given to another is refused, not misread."""
    payload = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(kind: str, raw: str, size: int) -> list[Any] | None:
    """The ``size`` values of a cursor made by ``encode_cursor(kind, …)``; None for anything
    else (the caller answers 400). The values still need checking by the caller."""
    if not raw or len(raw) > MAX_CURSOR_LENGTH:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(payload, list) or len(payload) != size + 1 or payload[0] != kind:
        return None
    return payload[1:]
