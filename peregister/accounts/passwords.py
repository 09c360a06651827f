"""The password rule (OWASP ASVS 4.0.3 V2.1), next to Django's own validators.

Settings ``AUTH_PASSWORD_VALIDATORS`` list them: at least 12 characters (2.1.1), at most 128
(the forms, 2.1.2), not whitespace only, not a common Dutch password, not one of the most
common breached passwords (2.1.7), and not trivially guessable by zxcvbn's estimate. No
composition rules (2.1.9). Everything is checked offline: the lists ship with the code.

The breached list is the ``passwords`` list of the zxcvbn package (MIT licence; Dropbox's
zxcvbn, ported by Daniel Wolf): the 30,000 most frequent passwords of Mark Burnett's corpus of
10 million passwords from public breaches (Xato, 2015, released to the public domain). The
Dutch list is ``data/common-passwords-nl.txt`` in this package.

A common password with digits or punctuation around it (``Welkom2026!``, ``wachtwoord1234``)
is the first thing a guesser tries, so both lists are also checked against that core.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

DUTCH_LIST = Path(__file__).resolve().parent / "data" / "common-passwords-nl.txt"
# zxcvbn scores 0-4; 0 and 1 mean fewer than a million guesses.
MINIMUM_SCORE = 2
# zxcvbn's work grows with the length; the forms refuse more than 128 characters anyway.
ESTIMATE_MAX_LENGTH = 128
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def core(password: str) -> str:
    """The password in lower case without digits, spaces and punctuation at either end."""
    return _AROUND.sub("", password.strip().lower())


@functools.cache
def dutch_passwords() -> frozenset[str]:
    lines = DUTCH_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def breached_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _found_in(password: str, words: frozenset[str]) -> bool:
    lowered = password.strip().lower()
    stripped = core(password)
    return lowered in words or (bool(stripped) and stripped in words)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with the message in the register's own words (ASVS 2.1.1)."""

    def __init__(self, min_length: int = 12) -> None:
        super().__init__(min_length=min_length)

    def get_error_message(self) -> str:
        return _("Gebruik minstens %(min_length)d tekens.") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("Minstens %(min_length)d tekens.") % {"min_length": self.min_length}


class NotOnlyWhitespaceValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError(
                _("Een wachtwoord van alleen spaties is niet toegestaan."), code="whitespace_only"
            )

    def get_help_text(self) -> str:
        return _("Niet alleen spaties.")


class DutchCommonPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if _found_in(password, dutch_passwords()):
            raise ValidationError(
                _("Dit wachtwoord (of het woord erin) wordt in Nederland veel gebruikt."),
                code="password_common_dutch",
            )

    def get_help_text(self) -> str:
        return _("Geen veelgebruikt Nederlands wachtwoord, ook niet met cijfers erachter.")


class BreachedPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if _found_in(password, breached_passwords()):
            raise ValidationError(
                _(
                    "Dit wachtwoord staat in een lijst van wachtwoorden die bij datalekken "
                    "zijn buitgemaakt. Kies een ander."
                ),
                code="password_breached",
            )

    def get_help_text(self) -> str:
        return _("Geen wachtwoord dat bij een datalek is uitgelekt.")


def strength(password: str, user: Any = None) -> int:
    """zxcvbn's score, 0 (guessed at once) to 4 (very hard to guess)."""
    hints = [
        str(value)
        for value in (
            getattr(user, "username", ""),
            getattr(user, "email", ""),
            getattr(user, "first_name", ""),
            getattr(user, "last_name", ""),
        )
        if value
    ]
    return int(zxcvbn(password[:ESTIMATE_MAX_LENGTH], user_inputs=hints)["score"])


STRENGTH_WORDS = {
    0: gettext_lazy("zeer zwak"),
    1: gettext_lazy("zwak"),
    2: gettext_lazy("redelijk"),
    3: gettext_lazy("sterk"),
    4: gettext_lazy("zeer sterk"),
}


class GuessableValidator:
    def validate(self, password: str, user: Any = None) -> None:
        score = strength(password, user)
        if score < MINIMUM_SCORE:
            raise ValidationError(
                _(
                    "Dit wachtwoord is te makkelijk te raden (sterkte: %(strength)s). Maak het "
                    "langer, bijvoorbeeld met een paar losse woorden."
                )
                % {"strength": STRENGTH_WORDS[score]},
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return _("Niet makkelijk te raden.")
