"""The download: ``mijn-gegevens.json`` (versioned, with its JSON Schema) and a readable PDF,
both written from one ``collect.Export``, packed with the certificates into one ZIP.

The ZIP is written to a file as it goes: the JSON is encoded in chunks into its entry, the PDF
is copied in from the file it was rendered to, and each certificate arrives on its own. No
part of the download is held in memory whole, whatever its size.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.urls import reverse

from peregister.core import clock
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


def write_json(export: Export, target: IO[bytes]) -> None:
    """The JSON document, encoded piece by piece into ``target``."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2)
    for chunk in encoder.iterencode(document(export)):
        target.write(chunk.encode())


def write_archive(
    export: Export,
    target: BinaryIO,
    *,
    pdf: BinaryIO,
    certificates: Iterable[tuple[str, bytes]],
) -> int:
    """The ZIP into ``target``: JSON, the PDF (read from the file ``pdf``), the schema, and every
    certificate the professional uploaded. Returns the number of files."""
    files = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open(JSON_NAME, "w") as entry:
            write_json(export, entry)
        pdf.seek(0)
        with bundle.open(PDF_NAME, "w") as entry:
            shutil.copyfileobj(pdf, entry)
        bundle.writestr(f"schema/{SCHEMA_FILE}", schema_bytes())
        files += 3
        for path, data in certificates:
            bundle.writestr(path, data)
            files += 1
    return files
