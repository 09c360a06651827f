"""The *Meldingen* form: a contact's own alert settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AlertSettingsForm(forms.Form):
    weekly_digest = forms.BooleanField(
        required=False,
        label=_("Wekelijks overzicht per e-mail"),
        help_text=_(
            "Eén keer per week: de professionals die u inzage geven en achterlopen, risico "
            "hebben of van wie de PE-periode binnen 90 dagen eindigt terwijl er nog punten "
            "ontbreken. Geen e-mail als er niemand is."
        ),
    )
    whole_organisation = forms.BooleanField(
        required=False,
        label=_("Overzicht voor de hele organisatie (zoals de rapportage)"),
        help_text=_("Alleen voor de beheerder en de 2e contactpersoon."),
    )
    status_changes = forms.BooleanField(
        required=False,
        label=_("E-mail bij statuswijzigingen"),
        help_text=_(
            "Als een professional die u inzage geeft de PE-punten behaalt, het dossier "
            "indient, de verlenging goedgekeurd krijgt of de registratie vervalt."
        ),
    )
