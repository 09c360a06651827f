"""Certificate uploads for *eigen activiteit*: PDF, JPEG or PNG up to 5 MB.

The type is decided by the file's first bytes (magic numbers), not by its name or the browser's
claim alone: a renamed executable or spreadsheet is refused even when called ``.pdf``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024

_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
# What browsers may claim for these files; octet-stream when the OS does not know the type.
_GENERIC_TYPES = {"", "application/octet-stream"}

CERTIFICATE_MESSAGES = {
    "empty": _("Het bestand is leeg."),
    "too_big": _("Het certificaat is te groot: maximaal 5 MB."),
    "type": _("Alleen een PDF, JPEG of PNG is toegestaan."),
    "mismatch": _(
        "De inhoud van het bestand past niet bij de naam of het type. Upload een echte PDF, "
        "JPEG of PNG."
    ),
}


class CertificateRefused(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def sniff(data: bytes) -> str | None:
    for content_type, signatures in _SIGNATURES.items():
        if any(data.startswith(signature) for signature in signatures):
            return content_type
    return None


def check_certificate(*, name: str, declared_type: str, data: bytes) -> str:
    """The content type to store and serve; raises ``CertificateRefused`` with a reason code."""
    if not data:
        raise CertificateRefused("empty")
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise CertificateRefused("too_big")
    content_type = sniff(data)
    if content_type is None:
        raise CertificateRefused("type")
    if not name.lower().endswith(_EXTENSIONS[content_type]):
        raise CertificateRefused("mismatch")
    declared = declared_type.split(";")[0].strip().lower()
    if declared not in _GENERIC_TYPES and declared != content_type:
        raise CertificateRefused("mismatch")
    return content_type


def safe_file_name(name: str) -> str:
    """A download name without paths or control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*')
    return cleaned.strip()[:200] or "certificaat"
