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


# Field names per record class, looked up once (thousands of records per export).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(value: Any) -> tuple[str, ...] | None:
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
    return names


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.AMSTERDAM).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    names = _field_names(value)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
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


WRITE_BYTES = 64 * 1024


def write_json(export: Export, target: IO[bytes]) -> None:
    """The JSON document, encoded piece by piece into ``target`` (in blocks of ~64 kB: the
    encoder's pieces are a few bytes each)."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2)
    pieces: list[str] = []
    size = 0
    for piece in encoder.iterencode(document(export)):
        pieces.append(piece)
        size += len(piece)
        if size >= WRITE_BYTES:
            target.write("".join(pieces).encode())
            pieces, size = [], 0
    target.write("".join(pieces).encode())


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
