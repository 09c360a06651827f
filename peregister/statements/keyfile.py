"""A PE-verklaring signing key in a file of its own, made when missing.

Django-free on purpose: the benchmark and the drills make their key before Django is set up,
and development makes one into ``var/`` on first use (``keys.py``). Production keys are made by
the operator (``openssl genpkey -algorithm ed25519``), never by this.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from joserfc.jwk import OKPKey

CURVE: Final = "Ed25519"


def ensure_key_file(path: Path) -> bytes:
    """Read the Ed25519 key (PEM) at ``path``, creating it (mode 0600) when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = OKPKey.generate_key(CURVE).as_pem(private=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return pem
