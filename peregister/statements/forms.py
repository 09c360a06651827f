"""The form for a new *PE-verklaring*: which registration, what to include, how long."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peregister.core.numbers import ascii_digits
from peregister.registry.models import Registration
from peregister.statements import content
from peregister.statements.services import (
    DEFAULT_VALID_DAYS,
    MAX_VALID_DAYS,
    validity_out_of_range,
)


class StatementForm(forms.Form):
    register = forms.ChoiceField(
        label=_("PE-registratie"),
        error_messages={
            "required": _("Kies de PE-registratie."),
            "invalid_choice": _("Kies een PE-registratie uit de lijst."),
        },
    )
    include_registration_number = forms.BooleanField(
        label=_("Registratienummer"), required=False, initial=True
    )
    include_period = forms.BooleanField(
        label=_("Huidige PE-periode en de status ervan"), required=False, initial=True
    )
    include_points = forms.BooleanField(
        label=_("Behaalde en vereiste PE-punten"), required=False, initial=True
    )
    valid_days = forms.CharField(
        label=_("Link geldig (dagen)"),
        initial=DEFAULT_VALID_DAYS,
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )

    def __init__(self, *args: Any, registrations: list[Registration], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registrations = {r.register.code: r for r in registrations}
        field = self.fields["register"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.register.code, r.register.name) for r in registrations]
        days = self.fields["valid_days"]
        days.help_text = gettext(
            "Van 1 tot en met %(max)s dagen. U kunt de link altijd eerder intrekken."
        ) % {"max": MAX_VALID_DAYS}
        days.error_messages.update(
            required=gettext("Vul in hoeveel dagen de link geldig is."),
            max_length=validity_out_of_range(),
        )

    def clean_valid_days(self) -> int:
        raw = self.cleaned_data["valid_days"].strip()
        if not ascii_digits(raw):
            raise forms.ValidationError(_("Vul een heel aantal dagen in, bijvoorbeeld 30."))
        days = int(raw)
        if not 1 <= days <= MAX_VALID_DAYS:
            raise forms.ValidationError(validity_out_of_range())
        return days

    @property
    def registration(self) -> Registration:
        return self.registrations[self.cleaned_data["register"]]

    @property
    def choices(self) -> content.Choices:
        return content.Choices(
            registration_number=self.cleaned_data["include_registration_number"],
            period=self.cleaned_data["include_period"],
            points=self.cleaned_data["include_points"],
        )
