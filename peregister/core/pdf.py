"""HTML → PDF with WeasyPrint, for documents rendered from the product's own templates.

WeasyPrint needs Pango from the operating system (Debian: ``libpango-1.0-0``,
``libpangoft2-1.0-0``; see the README). It may load ``data:`` URLs only: a document never
fetches anything from the network or the file system, whatever text ends up in it.
"""

from __future__ import annotations

import io
from typing import Any, BinaryIO

from django.http import HttpRequest
from django.template.loader import render_to_string


def _data_only() -> Any:
    from weasyprint import URLFetcher

    return URLFetcher(allowed_protocols=["data"])


def _document(template: str, context: dict[str, Any], request: HttpRequest | None) -> Any:
    # Imported here: loading WeasyPrint (and Pango) costs time every other page does not need.
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, url_fetcher=_data_only())


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    attachments: dict[str, bytes] | None = None,
) -> bytes:
    """Render ``template`` to PDF; ``attachments`` are embedded files (name → content)."""
    from weasyprint import Attachment

    files = [
        Attachment(file_obj=io.BytesIO(data), name=name, url_fetcher=_data_only())
        for name, data in (attachments or {}).items()
    ]
    return bytes(_document(template, context, request).write_pdf(attachments=files))


def write_pdf(template: str, context: dict[str, Any], target: BinaryIO) -> None:
    """Render ``template`` to PDF into ``target`` (a file), for documents too big to hold twice."""
    _document(template, context, None).write_pdf(target=target)
