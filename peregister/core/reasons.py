"""The reason a decision is given with (a rejection, a reinstatement): one rule, one field.

At most ``MAX_REASON_LENGTH`` characters, trimmed; required where the person affected is told
why. Forms use ``ReasonField``; services check again with ``clean_reason`` (they can be called
without a form).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peregister.core.refusals import Refused

MAX_REASON_LENGTH = 2000
REASON_LABEL = gettext_lazy("Reden")


def too_long_message(label: object) -> str:
    """The one "too long" message, naming the field by its own label (``label`` may be lazy)."""
    return _("%(label)s is te lang (maximaal %(limit)d tekens).") % {
        "label": label,
        "limit": MAX_REASON_LENGTH,
    }


# For form fields: rendered in the language active when the error is shown.
_too_long_lazy = lazy(too_long_message, str)

# What a browser's bytes become when they were not UTF-8 (Django decodes with "replace"): the
# text did not arrive as written, so it is refused rather than stored garbled.
REPLACEMENT_CHARACTER = "\ufffd"
NOT_ARRIVED = gettext_lazy(
    "Deze tekst bevat tekens die niet goed zijn doorgekomen. Typ de tekst opnieuw."
)


def clean_reason(
    reason: str, *, required: bool, field: str = "reason", label: object = REASON_LABEL
) -> str:
    """The trimmed reason, or ``Refused`` (empty when required, or too long)."""
    reason = reason.strip()
    if required and not reason:
        raise Refused(_("Geef een reden."), field=field)
    if len(reason) > MAX_REASON_LENGTH:
        raise Refused(too_long_message(label), field=field)
    if REPLACEMENT_CHARACTER in reason or "\x00" in reason:
        raise Refused(str(NOT_ARRIVED), field=field)
    return reason


class ReasonField(forms.CharField):
    """A reason in a form: a text area, at most ``MAX_REASON_LENGTH`` characters."""

    def __init__(
        self,
        *,
        label: Any = REASON_LABEL,
        required: bool = True,
        required_message: Any = None,
        rows: int = 3,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(
            label=label,
            required=required,
            max_length=MAX_REASON_LENGTH,
            error_messages={
                "required": required_message or gettext_lazy("Geef een reden."),
                # Already complete: Django's ``% params`` leaves a text without placeholders.
                "max_length": _too_long_lazy(label),
            },
            **kwargs,
        )

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and REPLACEMENT_CHARACTER in value:
            raise forms.ValidationError(NOT_ARRIVED)
