"""Back-office forms: they validate input and turn it into values for the services."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peregister.backoffice.codes import CodeChoiceField
from peregister.core import dates
from peregister.core.dates import DutchDateField
from peregister.core.reasons import ReasonField
from peregister.core.tabular import load_checked, read_upload, sign_checked
from peregister.registry.activity_fields import points_field
from peregister.registry.attendance import (
    MAX_CSV_BYTES,
    MAX_ENTRIES,
    Entry,
    ListError,
    entries_from_data,
    entries_to_data,
    parse_csv,
    parse_pasted,
)
from peregister.registry.models import LearningActivity

LIST_ERROR_MESSAGES = {
    "empty": _("Er staan geen registratienummers in de lijst."),
    "too_many": _("De lijst is te lang: maximaal %(maximum)s regels per keer."),
    "too_big": _("Het bestand is te groot: maximaal %(maximum_kb)s kB."),
    "encoding": _(
        "Het bestand is geen UTF-8-tekst. Sla het in Excel op als "
        "‘CSV UTF-8 (gescheiden door lijstscheidingsteken)’."
    ),
    "not_text": _("Dit is geen CSV-tekstbestand. Sla het in Excel op als CSV UTF-8."),
    "delimiter": _(
        "Het scheidingsteken is niet herkend: de kopregel moet de kolommen scheiden met een "
        "puntkomma (;) of een komma (,)."
    ),
    "columns": _("De kopregel mist de kolom(men): %(missing)s."),
    "cell_too_long": _(
        "Een cel in het bestand is te lang (meer dan %(maximum_kb)s kB). Staat er ergens een "
        "aanhalingsteken dat niet is afgesloten, of tekst die er niet hoort?"
    ),
    "malformed": _(
        "Het bestand is geen geldige CSV (bijvoorbeeld een niet-afgesloten aanhalingsteken)."
    ),
    "no_rows": _("Het bestand bevat alleen een kopregel en geen regels met registratienummers."),
    "tampered": _("De gegevens van de controlestap zijn ongeldig. Begin opnieuw met de lijst."),
}
PAYLOAD_SALT = "peregister.registry.attendance"


def list_error_message(error: ListError) -> str:
    return str(LIST_ERROR_MESSAGES[error.code]) % error.params


class ActivityChoiceField(CodeChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        until = dates.table_date(obj.recognised_until) if obj.recognised_until else "…"
        window = f"{dates.table_date(obj.recognised_from)} – {until}"
        return f"{obj.title} — {obj.provider} ({obj.points} pt, {window})"


def _activity_field() -> ActivityChoiceField:
    return ActivityChoiceField(
        label=_("Leeractiviteit"),
        queryset=LearningActivity.objects.order_by("title", "id"),
        to_field_name="code",
        empty_label=_("— kies een leeractiviteit —"),
        error_messages={
            "required": _("Kies een leeractiviteit."),
            "invalid_choice": _("Kies een bestaande leeractiviteit."),
        },
    )


class NumbersPasteForm(forms.Form):
    """A pasted list of numbers with one date (staff choose the activity too; a provider
    pastes for one of its sessions)."""

    day = DutchDateField(
        label=_("Datum"),
        error_messages={
            "required": _("Vul de datum van de activiteit in."),
        },
    )
    numbers = forms.CharField(
        label=_("Registratienummers"),
        help_text=_(
            "Plak de nummers zoals gekopieerd uit Excel: één per regel of gescheiden door "
            "komma’s, puntkomma’s, tabs of spaties. Maximaal %(maximum)s per keer."
        )
        % {"maximum": MAX_ENTRIES},
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        max_length=100_000,
        error_messages={"required": _("Plak minstens één registratienummer.")},
    )

    entries: list[Entry]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        numbers, day = cleaned.get("numbers"), cleaned.get("day")
        if numbers and day:
            try:
                self.entries = parse_pasted(numbers, day)
            except ListError as error:
                self.add_error("numbers", list_error_message(error))
        return cleaned


class AttendancePasteForm(NumbersPasteForm):
    activity = _activity_field()
    field_order = ["activity", "day", "numbers"]


class CsvListForm(forms.Form):
    """Shares a page with the paste form: its own element ids keep every label on its field."""

    file = forms.FileField(
        label=_("CSV-bestand"),
        help_text=_(
            "Kopregel met de kolommen ‘registratienummer’ en ‘datum’ (dd-mm-jjjj), gescheiden "
            "door ; of ,. UTF-8, maximaal 1 MB en %(maximum)s regels."
        )
        % {"maximum": MAX_ENTRIES},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": _("Kies een CSV-bestand."),
            "empty": _("Het bestand is leeg."),
            "invalid": _("Er is geen bestand ontvangen. Kies het bestand opnieuw."),
        },
    )

    entries: list[Entry]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_csv_%s")
        super().__init__(*args, **kwargs)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.entries = parse_csv(read_upload(upload, max_bytes=MAX_CSV_BYTES))
        except ListError as error:
            raise forms.ValidationError(list_error_message(error)) from error
        return upload


class AttendanceCsvForm(CsvListForm):
    activity = _activity_field()
    field_order = ["activity", "file"]


def sign_payload(
    activity: LearningActivity, entries: list[Entry], session_code: uuid.UUID | None = None
) -> str:
    """The check step's list, signed; a provider's list is bound to its session too."""
    return sign_checked(
        {
            "activity": str(activity.code),
            "session": str(session_code) if session_code else "",
            "entries": entries_to_data(entries),
        },
        salt=PAYLOAD_SALT,
    )


class AttendanceConfirmForm(forms.Form):
    """The check step's list comes back signed; it is checked again before anything is applied."""

    payload = forms.CharField(widget=forms.HiddenInput, max_length=400_000)

    activity: LearningActivity
    entries: list[Entry]
    session_code: str = ""

    def clean_payload(self) -> str:
        raw = self.cleaned_data["payload"]
        tampered = forms.ValidationError(list_error_message(ListError("tampered")))
        try:
            data = load_checked(raw, salt=PAYLOAD_SALT)
        except ListError as exc:
            raise tampered from exc
        if not isinstance(data, dict):
            raise tampered
        try:
            self.entries = entries_from_data(data.get("entries"))
        except ListError as exc:
            raise tampered from exc
        try:
            code = uuid.UUID(str(data.get("activity")))
        except ValueError as exc:
            raise tampered from exc
        activity = LearningActivity.objects.filter(code=code).first()
        if activity is None:
            raise tampered
        self.activity = activity
        self.session_code = str(data.get("session") or "")
        return str(raw)


class ReasonForm(forms.Form):
    """A decision's reason, shown to the professional (rejections) or kept in the audit."""

    reason = ReasonField(rows=4)


class ApproveSelfReportForm(forms.Form):
    """Shares a page with the reject form: own element ids keep every label on its field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_approve_%s")
        super().__init__(*args, **kwargs)

    points = points_field(
        _("Toe te kennen PE-punten"),
        min_value=0,
        required_message=_("Vul het aantal toe te kennen PE-punten in."),
        min_message=_("Het aantal PE-punten kan niet negatief zijn."),
    )
    reason = ReasonField(
        label=_("Toelichting voor de professional"),
        required=False,
        help_text=_("Bijvoorbeeld waarom u minder punten toekent dan gevraagd."),
    )


class RejectSelfReportForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_reject_%s")
        super().__init__(*args, **kwargs)

    reason = ReasonField(label=_("Reden van afwijzing"))


class OrganisationReasonForm(forms.Form):
    """Rejecting an organisation (*afwijzen*): the beheerder is told why."""

    reason = ReasonField(
        label=_("Reden van afwijzing"),
        help_text=_("De aanvrager krijgt deze reden per e-mail."),
        required_message=_("Vul een reden in; de werkgever krijgt die per e-mail."),
    )


class OptionalOrganisationReasonForm(forms.Form):
    """Suspending an organisation (*schorsen*): the reason stays with the register."""

    reason = ReasonField(
        label=_("Reden van schorsing"),
        help_text=_("Alleen zichtbaar voor het register."),
        required=False,
    )


class RecogniseAccreditationForm(forms.Form):
    """*Erkennen*: the points and recognition period the register decides."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_recognise_%s")
        super().__init__(*args, **kwargs)

    points = points_field(
        _("Toe te kennen PE-punten"),
        min_value=0,
        required_message=_("Vul het aantal toe te kennen PE-punten in."),
        min_message=_("Het aantal PE-punten kan niet negatief zijn."),
    )
    recognised_from = DutchDateField(
        label=_("Erkend vanaf"),
        error_messages={"required": _("Vul in vanaf wanneer de activiteit erkend is.")},
    )
    recognised_until = DutchDateField(
        label=_("Erkend tot en met"),
        required=False,
        help_text=_("Leeg: erkend zonder einddatum."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, until = cleaned.get("recognised_from"), cleaned.get("recognised_until")
        if start and until and until < start:
            self.add_error("recognised_until", _("‘Erkend tot en met’ ligt vóór ‘erkend vanaf’."))
        return cleaned


class RejectAccreditationForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_reject_%s")
        super().__init__(*args, **kwargs)

    reason = ReasonField(
        label=_("Reden van afwijzing"),
        help_text=_("De aanbieder krijgt deze reden per e-mail."),
        required_message=_("Vul een reden in; de aanbieder krijgt die per e-mail."),
    )
