"""The QR code that points to a statement's public verification page."""

from __future__ import annotations

import segno

# Medium error correction survives a printed, folded or photographed page.
ERROR_CORRECTION = "m"


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_CORRECTION, micro=False)


def svg_data_uri(url: str) -> str:
    """An SVG ``data:`` URI of the QR code, for the PDF and the page (black on white)."""
    return str(qr_code(url).svg_data_uri(scale=4, border=4))
