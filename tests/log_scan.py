"""The test run's own log output, scanned for what must never be logged.

``conftest.py`` writes every log record of the run (as the production JSON formatter would,
but without its masking, so the scan sees what the code really logs) and fails the run when
this finds a demo password, a set-password token or an e-mail address in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from peregister.ops.logs import EMAIL, TOKEN


def suite_passwords() -> tuple[str, ...]:
    """Every password the suite and the drills log in with: the demo data's and the factories'.
    (Imported here, not at the top: the drills import this module before Django is set up.)"""
    from peregister.home.demo import DEMO_PASSWORD
    from tests.factories import PASSWORD

    return (DEMO_PASSWORD, PASSWORD)


def find_leaks(lines: Iterable[str], passwords: Iterable[str]) -> list[str]:
    """The lines that hold a password, a link token or an e-mail address."""
    words = [re.escape(p) for p in passwords if p]
    password = re.compile("|".join(words)) if words else None
    return [
        line
        for line in lines
        if EMAIL.search(line) or TOKEN.search(line) or (password and password.search(line))
    ]
