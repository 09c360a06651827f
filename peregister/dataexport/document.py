"""The download: ``mijn-gegevens.json`` (versioned, with its JSON Schema) and a readable PDF,
both written from one ``collect.Export``, packed with the certificates into one ZIP."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from peregister.core import clock
from peregister.core.pdf import render_pdf
from peregister.dataexport.collect import FORMAT, SCHEMA_FILE, VERSION, Export

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / SCHEMA_FILE
JSON_NAME = "mijn-gegevens.json"
PDF_NAME = "mijn-gegevens.pdf"


def schema_bytes() -> bytes:
    return SCHEMA_PATH.read_bytes()


def schema_url() -> str:
    return f"{settings.SITE_URL}{reverse('dataexport_public:schema')}"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.AMSTERDAM).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def document(export: Export) -> dict[str, Any]:
    """The JSON document: what the schema describes, in the export's own order."""
    body = {
        f.name: _plain(getattr(export, f.name))
        for f in dataclasses.fields(export)
        if f.name not in {"files", "generated_at", "register_name", "register_url"}
    }
    return {
        "$schema": schema_url(),
        "format": FORMAT,
        "version": VERSION,
        "generated_at": _plain(export.generated_at),
        "register": {"name": export.register_name, "url": export.register_url},
        **body,
    }


def archive(export: Export, *, request: HttpRequest | None = None) -> bytes:
    """The ZIP: JSON, PDF, the schema, and every certificate the professional uploaded."""
    json_bytes = json.dumps(document(export), ensure_ascii=False, indent=2).encode()
    pdf = render_pdf("dataexport/export_pdf.html", {"export": export}, request=request)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(JSON_NAME, json_bytes)
        bundle.writestr(PDF_NAME, pdf)
        bundle.writestr(f"schema/{SCHEMA_FILE}", schema_bytes())
        for path, data in sorted(export.files.items()):
            bundle.writestr(path, data)
    return buffer.getvalue()
