"""Forms for the activity catalogue: filters, recognise/edit, end recognition."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from peregister.backoffice.activities import ActivityData
from peregister.backoffice.codes import CodeChoiceField
from peregister.core.dates import DutchDateField
from peregister.organisations.models import Organisation
from peregister.registry.activity_fields import kind_field, points_field, provider_field
from peregister.registry.models import LearningActivity


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Soort"),
        required=False,
        choices=[("", _("alle soorten")), *LearningActivity.Kind.choices],
        error_messages={"invalid_choice": _("Kies een soort uit de lijst.")},
    )
    recognised = forms.ChoiceField(
        label=_("Erkend vandaag"),
        required=False,
        choices=[("", _("alle")), ("ja", _("ja, nu erkend")), ("nee", _("nee, niet erkend"))],
        error_messages={"invalid_choice": _("Kies ja, nee of alle.")},
    )


class ActivityForm(forms.Form):
    title = forms.CharField(
        label=_("Titel"), max_length=200, error_messages={"required": _("Vul de titel in.")}
    )
    provider = provider_field()
    kind = kind_field()
    points = points_field(
        _("PE-punten"),
        min_value=0,
        required_message=_("Vul het aantal PE-punten in."),
        min_message=_("Het aantal PE-punten kan niet negatief zijn."),
    )
    recognised_from = DutchDateField(
        label=_("Erkend vanaf"),
        error_messages={
            "required": _("Vul in vanaf wanneer de activiteit erkend is."),
        },
    )
    recognised_until = DutchDateField(
        label=_("Erkend tot en met"),
        required=False,
        help_text=_("Leeg: erkend zonder einddatum."),
    )
    organisation = CodeChoiceField(
        label=_("In-company voor organisatie"),
        required=False,
        queryset=Organisation.objects.filter(Organisation.taking_grants()),
        to_field_name="code",
        empty_label=_("— geen (open activiteit) —"),
        help_text=_("Alleen voor een in-company activiteit."),
        error_messages={"invalid_choice": _("Kies een geautoriseerde organisatie.")},
    )

    @classmethod
    def for_activity(cls, activity: LearningActivity) -> ActivityForm:
        return cls(
            initial={
                "title": activity.title,
                "provider": activity.provider,
                "kind": activity.kind,
                "points": activity.points,
                "recognised_from": activity.recognised_from,
                "recognised_until": activity.recognised_until,
                "organisation": activity.organisation.code if activity.organisation else None,
            }
        )

    def to_data(self) -> ActivityData:
        data = self.cleaned_data
        return ActivityData(
            title=data["title"].strip(),
            provider=data["provider"].strip(),
            kind=data["kind"],
            points=data["points"],
            recognised_from=data["recognised_from"],
            recognised_until=data["recognised_until"],
            organisation=data["organisation"],
        )


class EndRecognitionForm(forms.Form):
    last_day = DutchDateField(
        label=_("Laatste dag van erkenning"),
        error_messages={"required": _("Vul de laatste dag van erkenning in.")},
    )
