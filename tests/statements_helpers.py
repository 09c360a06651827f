"""Shared steps for the PE-verklaring tests: make a statement, read its link and PDF."""

from __future__ import annotations

import io
import re

import pypdfium2
import zxingcpp

from peregister.registry.models import Registration
from peregister.statements import content, services
from peregister.statements.models import Statement

LINK = re.compile(r"https?://[^\s\"<]+/verklaring/([A-Za-z0-9_-]{43})/")


def make_statement(
    registration: Registration,
    *,
    valid_days: int = services.DEFAULT_VALID_DAYS,
    choices: content.Choices | None = None,
) -> tuple[Statement, str]:
    created = services.create_statement(
        actor=registration.professional.user,
        registration=registration,
        choices=choices or content.Choices(),
        valid_days=valid_days,
    )
    return created.statement, created.token


def verify_path(token: str) -> str:
    return f"/verklaring/{token}/"


def qr_codes_in_pdf(pdf: bytes) -> list[str]:
    """Render every page (PDFium) and decode the QR codes on it (zxing-cpp): what a phone reads."""
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    found: list[str] = []
    for page in document:
        image = page.render(scale=3).to_pil()
        found.extend(result.text for result in zxingcpp.read_barcodes(image))
    return found


def pdf_attachments(pdf: bytes) -> dict[str, bytes]:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    attachments = (document.get_attachment(i) for i in range(document.count_attachments()))
    return {a.get_name(): bytes(a.get_data()) for a in attachments}


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with every run of whitespace (line wraps in table cells) as one space."""
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(text.split())
