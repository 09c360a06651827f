"""Form fields that describe a learning activity, shared by the register's catalogue form and
the professional's *eigen activiteit* form so both ask and answer the same way."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peregister.registry.models import LearningActivity


def provider_field() -> forms.CharField:
    return forms.CharField(
        label=_("Aanbieder"), max_length=200, error_messages={"required": _("Vul de aanbieder in.")}
    )


def kind_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Soort"),
        choices=[("", "—"), *LearningActivity.Kind.choices],
        error_messages={
            "required": _("Kies de soort activiteit."),
            "invalid_choice": _("Kies een soort uit de lijst."),
        },
    )
