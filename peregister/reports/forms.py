from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peregister.core.dates import DutchDateField


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Naam van het token"),
        max_length=100,
        help_text=_("Bijvoorbeeld de naam van uw HR-systeem."),
        error_messages={"required": _("Geef het token een naam.")},
    )
    expires_on = DutchDateField(
        label=_("geldig tot en met"),
        required=False,
        help_text=_("Laat leeg voor een token zonder einddatum; u kunt het altijd intrekken."),
    )
