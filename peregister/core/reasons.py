"""The reason a decision is given with (a rejection, a reinstatement): one rule, one field.

At most ``MAX_REASON_LENGTH`` characters, trimmed; required where the person affected is told
why. Forms use ``ReasonField``; services check again with ``clean_reason`` (they can be called
without a form).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peregister.core.refusals import Refused

MAX_REASON_LENGTH = 2000
REASON_LABEL = gettext_lazy("Reden")


def _too_long() -> str:
    return _("De toelichting is te lang (maximaal %(limit)d tekens).") % {
        "limit": MAX_REASON_LENGTH
    }


def clean_reason(reason: str, *, required: bool, field: str = "reason") -> str:
    """The trimmed reason, or ``Refused`` (empty when required, or too long)."""
    reason = reason.strip()
    if required and not reason:
        raise Refused(_("Geef een reden."), field=field)
    if len(reason) > MAX_REASON_LENGTH:
        raise Refused(_too_long(), field=field)
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
                "max_length": gettext_lazy(
                    "De toelichting is te lang (maximaal %(limit_value)d tekens)."
                ),
            },
            **kwargs,
        )
