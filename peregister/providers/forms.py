"""Input checks for the provider's pages; the rules themselves live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peregister.core.dates import DutchDateField
from peregister.registry.accreditation import (
    MAX_DESCRIPTION,
    MAX_DURATION_HOURS,
    AccreditationData,
)
from peregister.registry.activity_fields import kind_field, points_field
from peregister.registry.models import Session


class AccreditationForm(forms.Form):
    """*Accreditatieaanvraag*."""

    title = forms.CharField(
        label=_("Titel"), max_length=200, error_messages={"required": _("Vul de titel in.")}
    )
    kind = kind_field()
    description = forms.CharField(
        label=_("Omschrijving"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Inhoud, leerdoelen en doelgroep; hoogstens 5.000 tekens."),
        error_messages={"required": _("Beschrijf de activiteit.")},
    )
    duration_hours = forms.IntegerField(
        label=_("Duur in uren"),
        min_value=1,
        max_value=MAX_DURATION_HOURS,
        error_messages={
            "required": _("Vul de duur in uren in."),
            "invalid": _("Vul een heel getal in."),
            "min_value": _("De duur ligt tussen 1 en 1.000 uur."),
            "max_value": _("De duur ligt tussen 1 en 1.000 uur."),
        },
    )
    points_requested = points_field(
        _("Gevraagde PE-punten"),
        min_value=0,
        required_message=_("Vul het aantal gevraagde PE-punten in."),
        min_message=_("Het aantal PE-punten kan niet negatief zijn."),
    )
    planned_from = DutchDateField(
        label=_("Gepland vanaf"),
        error_messages={"required": _("Vul in vanaf wanneer de activiteit gepland is.")},
    )
    planned_until = DutchDateField(
        label=_("Gepland tot en met"),
        required=False,
        help_text=_("Leeg: doorlopend aanbod."),
    )

    def data_object(self) -> AccreditationData:
        data = self.cleaned_data
        return AccreditationData(**{name: data[name] for name in AccreditationData.__annotations__})


class SessionForm(forms.Form):
    """*Uitvoering toevoegen*."""

    starts_on = DutchDateField(
        label=_("Begindatum"), error_messages={"required": _("Vul de begindatum in.")}
    )
    ends_on = DutchDateField(
        label=_("Einddatum"),
        required=False,
        help_text=_("Leeg: de uitvoering duurt één dag."),
    )
    location = forms.CharField(label=_("Locatie"), max_length=200, required=False)
    online = forms.BooleanField(label=_("Online"), required=False)

    @staticmethod
    def initial_for(session: Session) -> dict[str, Any]:
        """The form filled in with ``session`` as it is (*Uitvoering wijzigen*)."""
        return {
            "starts_on": session.starts_on,
            "ends_on": session.ends_on,
            "location": session.location,
            "online": session.online,
        }

    def session_values(self) -> dict[str, Any]:
        """What adding and correcting a session both pass on (a one-day session ends the day
        it starts)."""
        data = self.cleaned_data
        return {
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"] or data["starts_on"],
            "location": data["location"],
            "online": data["online"],
        }


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Naam van de sleutel"),
        max_length=100,
        help_text=_("Bijvoorbeeld de naam van uw opleidingsadministratie."),
        error_messages={"required": _("Geef de sleutel een naam.")},
    )
