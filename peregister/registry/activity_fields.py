"""Form fields that describe a learning activity, shared by the register's catalogue form and
the professional's *eigen activiteit* form so both ask and answer the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from peregister.core.numbers import AsciiIntegerField
from peregister.registry.models import MAX_POINTS, LearningActivity

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


def points_field(
    label: StrOrPromise,
    *,
    min_value: int,
    required_message: StrOrPromise,
    min_message: StrOrPromise,
) -> forms.IntegerField:
    return AsciiIntegerField(
        label=label,
        min_value=min_value,
        max_value=MAX_POINTS,
        error_messages={
            "required": required_message,
            "invalid": _("Vul een heel getal in."),
            "min_value": min_message,
            "max_value": _("Meer dan 100 PE-punten voor één activiteit is niet mogelijk."),
        },
    )
