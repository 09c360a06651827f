"""The English catalogue is complete and its compiled .mo matches the .po (both are committed)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def po_entries() -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) per entry; enough of the .po grammar for gettext's own output."""
    entries: list[tuple[str, list[str], bool]] = []
    for block in (CATALOGUE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        current = ""
        fuzzy = False
        for line in block.splitlines():
            if line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
            elif line:
                current, _, literal = line.partition(" ")
                fields[current] = ast.literal_eval(literal)
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((fields["msgid"], strs, fuzzy))
    return entries


def test_every_string_is_translated_and_none_is_fuzzy() -> None:
    entries = po_entries()
    assert len(entries) > 100
    assert [e[0] for e in entries if e[2]] == []
    assert [e[0] for e in entries if not all(e[1])] == []


def test_compiled_catalogue_matches_the_po() -> None:
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, strs, _ in po_entries()
        if len(strs) == 1 and compiled.gettext(msgid) != strs[0]
    ]
    assert stale == [], "run `make messages` (compilemessages) after editing the .po"
