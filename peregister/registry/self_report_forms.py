"""Forms for *eigen activiteit*: the professional's report and the staff decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peregister.core.dates import DutchDateField
from peregister.registry.activity_fields import kind_field, points_field, provider_field
from peregister.registry.self_report_files import (
    CERTIFICATE_MESSAGES,
    MAX_CERTIFICATE_BYTES,
    CertificateRefused,
    check_certificate,
)
from peregister.registry.self_reports import Certificate, SelfReportData


class SelfReportForm(forms.Form):
    title = forms.CharField(
        label=_("Titel van de activiteit"),
        max_length=200,
        error_messages={"required": _("Vul de titel in.")},
    )
    provider = provider_field()
    kind = kind_field()
    completed_on = DutchDateField(
        label=_("Datum afgerond"),
        error_messages={
            "required": _("Vul de datum in waarop u de activiteit afrondde."),
        },
    )
    description = forms.CharField(
        label=_("Omschrijving"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Wat heeft u gedaan en geleerd? Helpt het register bij de beoordeling."),
        error_messages={"max_length": _("De omschrijving is te lang (maximaal 5000 tekens).")},
    )
    points_claimed = points_field(
        _("Gevraagde PE-punten"),
        min_value=1,
        required_message=_("Vul het aantal PE-punten in."),
        min_message=_("Vraag minstens 1 PE-punt."),
    )
    certificate = forms.FileField(
        label=_("Certificaat of bewijs van deelname"),
        required=False,
        help_text=_("PDF, JPEG of PNG, maximaal 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={
            "empty": _("Het bestand is leeg."),
            "invalid": _("Er is geen bestand ontvangen. Kies het bestand opnieuw."),
        },
    )

    def clean_certificate(self) -> Certificate | None:
        upload = self.cleaned_data.get("certificate")
        if not upload:
            return None
        if upload.size is not None and upload.size > MAX_CERTIFICATE_BYTES:
            raise forms.ValidationError(CERTIFICATE_MESSAGES["too_big"])
        certificate = Certificate(
            name=upload.name or "",
            declared_type=upload.content_type or "",
            data=upload.read(MAX_CERTIFICATE_BYTES + 1),
        )
        try:
            check_certificate(
                name=certificate.name,
                declared_type=certificate.declared_type,
                data=certificate.data,
            )
        except CertificateRefused as refused:
            raise forms.ValidationError(CERTIFICATE_MESSAGES[refused.code]) from refused
        return certificate

    def to_data(self) -> SelfReportData:
        data: dict[str, Any] = self.cleaned_data
        return SelfReportData(
            title=data["title"].strip(),
            provider=data["provider"].strip(),
            kind=data["kind"],
            completed_on=data["completed_on"],
            description=data["description"].strip(),
            points_claimed=data["points_claimed"],
            certificate=data["certificate"],
        )
