"""The declared lower bounds admit no version the code cannot run on.

Each floor below is the first release with an API the code uses; an install that resolves to
an older one fails at import or, worse, fetches what it should not.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"

NEEDED = {
    # weasyprint.URLFetcher (68.0) and its data: URL scheme detection (fixed in 68.1)
    "weasyprint": Version("68.1"),
    # joserfc.errors.SecurityWarning, raised for EdDSA (1.2)
    "joserfc": Version("1.2"),
    # ninja.Status for the API's 200/201 answers (tuples are deprecated)
    "django-ninja": Version("1.7"),
}


def _lowest_allowed(requirement: Requirement) -> Version | None:
    floors = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
    return max(floors) if floors else None


def test_lower_bounds_are_versions_the_code_runs_on() -> None:
    declared = {
        (requirement := Requirement(line)).name.lower(): requirement
        for line in tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    }
    too_low = {
        name: str(declared[name].specifier)
        for name, needed in NEEDED.items()
        if (_lowest_allowed(declared[name]) or Version("0")) < needed
    }
    assert too_low == {}
