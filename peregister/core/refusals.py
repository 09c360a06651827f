"""The one way a service refuses a change: ``Refused`` with a message for the user.

Every service raises it (never a bare ``ValueError`` or an exception of its own), and every
page handles it the same way: the message on the form field it names, or on the form as a
whole; a conflict (someone else decided first, the thing already exists) answers 409.
"""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A rule refused the change; nothing was written.

    ``message``: for the user (a translated Dutch msgid). ``field``: the form field it is
    about (None: the form as a whole). ``conflict``: the state changed under the user or the
    change would duplicate ``existing`` (the page may offer that object instead). ``code``:
    which refusal it is, for a caller that answers differently per reason (e.g. a used or
    expired set-password link); "" when the message says all.
    """

    def __init__(
        self,
        message: object,  # a str or a lazy translation
        *,
        field: str | None = None,
        conflict: bool = False,
        existing: Any = None,
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.field = field
        self.conflict = conflict or existing is not None
        self.existing = existing

    @property
    def messages(self) -> list[str]:
        return [self.message]

    @property
    def status(self) -> int:
        """The HTTP status a page answers with."""
        return 409 if self.conflict else 400
