"""Forms of *Professionals* (staff): search, add, edit, end a registration.

Lengths are capped by the fields themselves (a 10,000-character name is refused before any
query); the rules on the values are ``registry.intake``'s, shown on every field at once.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peregister.backoffice.professionals import NewProfessional
from peregister.core import clock
from peregister.core.dates import DutchDateField
from peregister.core.reasons import ReasonField
from peregister.core.tabular import TableError, load_checked, read_upload, sign_checked
from peregister.registry.intake import (
    MAX_LENGTHS,
    PersonData,
    number_problem,
    person_problems,
    start_problem,
)
from peregister.registry.models import Professional, Register
from peregister.registry.professional_import import (
    LARGE_MAX_BYTES,
    MAX_BYTES,
    Row,
    check_start,
    read_rows,
    rows_from_data,
    rows_to_data,
)

MAX_SEARCH_LENGTH = 100


def _text(label: Any, name: str, *, required: bool, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        # The cap is also the form's: longer input never reaches the rules or the database.
        max_length=MAX_LENGTHS[name],
        error_messages={
            "required": _("Vul dit veld in."),
            "max_length": _("Te lang: maximaal %(limit_value)s tekens."),
            "null_characters_not_allowed": _(
                "Dit veld bevat tekens die niet in een naam of adres horen."
            ),
        },
    )


class ProfessionalSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Zoek op naam, registratienummer of e-mailadres"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        error_messages={"max_length": _("Zoek met hoogstens %(limit_value)s tekens.")},
    )


class PersonForm(forms.Form):
    initials = _text(_("Voorletters"), "initials", required=True, help_text=_("Zoals J.P. of A."))
    name_prefix = _text(
        _("Tussenvoegsel"), "name_prefix", required=False, help_text=_("Zoals van, de of van der.")
    )
    last_name = _text(_("Achternaam"), "last_name", required=True)
    email = _text(_("E-mailadres"), "email", required=False)
    date_of_birth = DutchDateField(label=_("Geboortedatum"), required=False)

    # The register whose rules apply (date of birth required or not); None: none needs it.
    def register_for_rules(self) -> Register | None:
        return None

    def person(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            initials=data["initials"],
            name_prefix=data["name_prefix"],
            last_name=data["last_name"],
            email=data["email"],
            date_of_birth=data.get("date_of_birth"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Each field first checked on its own (length, date shape); the rules need them all.
        if not any(name in self.errors for name in PersonForm.base_fields):
            for field, message in person_problems(
                self.person(), register=self.register_for_rules(), today=clock.today()
            ):
                self.add_error(field, message)
        return cleaned

    @classmethod
    def initial_for(cls, professional: Professional) -> dict[str, Any]:
        return {name: getattr(professional, name) for name in cls.base_fields}


class EditProfessionalForm(PersonForm):
    def __init__(self, *args: Any, register: Register | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._register = register

    def register_for_rules(self) -> Register | None:
        return self._register


class AddProfessionalForm(PersonForm):
    registration_number = _text(
        _("Registratienummer"),
        "registration_number",
        required=True,
        help_text=_("Zoals het register het schrijft; voorloopnullen blijven staan."),
    )
    register = forms.ModelChoiceField(
        label=_("Register"),
        queryset=Register.objects.order_by("name", "id"),
        to_field_name="code",
        empty_label=_("— kies een register —"),
        error_messages={
            "required": _("Kies een register."),
            "invalid_choice": _("Kies een bestaand register."),
        },
    )
    registered_on = DutchDateField(
        label=_("Begin registratie"),
        error_messages={"required": _("Vul de begindatum van de registratie in.")},
    )

    field_order = [
        "registration_number",
        "register",
        "registered_on",
        "initials",
        "name_prefix",
        "last_name",
        "email",
        "date_of_birth",
    ]

    def register_for_rules(self) -> Register | None:
        register = self.cleaned_data.get("register")
        return register if isinstance(register, Register) else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        number = cleaned.get("registration_number")
        if number is not None and (problem := number_problem(number)):
            self.add_error("registration_number", problem)
        registered_on = cleaned.get("registered_on")
        if registered_on is not None and (problem := start_problem(registered_on, clock.today())):
            self.add_error("registered_on", problem)
        return cleaned

    def to_data(self) -> NewProfessional:
        return NewProfessional(
            person=self.person(),
            registration_number=self.cleaned_data["registration_number"],
            register=self.cleaned_data["register"],
            registered_on=self.cleaned_data["registered_on"],
        )


class EndRegistrationForm(forms.Form):
    reason = ReasonField(required_message=_("Geef de reden van de beëindiging."))


IMPORT_SALT = "peregister.backoffice.professional_import"
IMPORT_ERROR_MESSAGES = {
    "too_big": _("Het bestand is te groot: maximaal %(maximum_kb)s kB."),
    "not_text": _(
        "Dit is geen CSV-tekstbestand en geen Excel-werkmap (.xlsx). Sla het op als CSV UTF-8 "
        "of als Excel-werkmap."
    ),
    "encoding": _(
        "Het bestand is geen UTF-8-tekst. Sla het in Excel op als "
        "‘CSV UTF-8 (gescheiden door lijstscheidingsteken)’ of als Excel-werkmap (.xlsx)."
    ),
    "delimiter": _(
        "Het scheidingsteken is niet herkend: de kopregel moet de kolommen scheiden met een "
        "puntkomma (;) of een komma (,)."
    ),
    "cell_too_long": _(
        "Een cel in het bestand is te lang (meer dan %(maximum_kb)s kB). Staat er ergens een "
        "aanhalingsteken dat niet is afgesloten, of tekst die er niet hoort?"
    ),
    "malformed": _(
        "Het bestand is geen geldige CSV (bijvoorbeeld een niet-afgesloten aanhalingsteken)."
    ),
    "empty": _("Het bestand is leeg."),
    "not_xlsx": _(
        "Dit is geen geldige Excel-werkmap (.xlsx). Is het een ander bestand met een andere "
        "naam? Sla het in Excel opnieuw op als Excel-werkmap of als CSV UTF-8."
    ),
    "unpacked": _(
        "Deze Excel-werkmap pakt uit tot veel meer gegevens dan een lijst met professionals "
        "bevat. Sla alleen het werkblad met de professionals op, of gebruik CSV UTF-8."
    ),
    "columns": _(
        "De kopregel mist de kolom(men): %(missing)s. Gebruik het voorbeeldbestand als begin."
    ),
    "unknown_columns": _(
        "De kopregel bevat onbekende kolom(men): %(unknown)s. Die worden niet gelezen; gebruik "
        "de namen uit het voorbeeldbestand: %(known)s."
    ),
    "twice_columns": _(
        "Deze kolom staat twee keer in de kopregel: %(twice)s. Laat er één van staan."
    ),
    "no_rows": _("Het bestand bevat alleen een kopregel en geen regels met professionals."),
    "too_many": _("Het bestand is te lang: maximaal %(maximum)s regels per keer."),
    "tampered": _("De gegevens van de controlestap zijn ongeldig. Lees het bestand opnieuw in."),
}


def import_error_message(error: TableError) -> str:
    return str(IMPORT_ERROR_MESSAGES[error.code]) % error.params


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand (CSV of Excel)"),
        help_text=_(
            "Een kopregel met de kolommen uit het voorbeeldbestand; CSV in UTF-8 gescheiden door "
            "; of , of een Excel-werkmap (.xlsx). Maximaal 16 MB en 100.000 regels; een "
            "bestand van meer dan 2 MB of 2.000 regels wordt op de achtergrond gecontroleerd."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": _("Kies een bestand."),
            "empty": _("Het bestand is leeg."),
            "invalid": _("Er is geen bestand ontvangen. Kies het bestand opnieuw."),
        },
    )

    rows: list[Row]
    # A file beyond the request's limits: checked by the task worker (``file_data`` kept for it).
    large: bool = False
    file_data: bytes = b""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = str(upload.name or "")
        try:
            self.file_data = read_upload(upload, max_bytes=LARGE_MAX_BYTES)
            if len(self.file_data) > MAX_BYTES:
                self.large = True
            else:
                self.rows = read_rows(self.file_data, name=name)
        except TableError as error:
            if error.code != "too_many":
                raise forms.ValidationError(import_error_message(error)) from error
            self.large = True
        if self.large:
            try:
                check_start(self.file_data, name=name)
            except TableError as error:
                raise forms.ValidationError(import_error_message(error)) from error
        return upload


def sign_import(rows: list[Row], seen: str, file_name: str) -> str:
    """The checked set with an id of its own, so its confirmation is applied once."""
    return sign_checked(
        {
            "rows": rows_to_data(rows),
            "seen": seen,
            "name": file_name[:200],
            "id": str(uuid.uuid4()),
        },
        salt=IMPORT_SALT,
    )


class ImportConfirmForm(forms.Form):
    """The checked rows come back signed; the service checks them again before applying."""

    payload = forms.CharField(widget=forms.HiddenInput, max_length=2_000_000)

    rows: list[Row]
    seen: str
    file_name: str
    checked_id: uuid.UUID

    def clean_payload(self) -> str:
        raw = self.cleaned_data["payload"]
        try:
            data = load_checked(raw, salt=IMPORT_SALT)
            if not isinstance(data, dict) or not isinstance(data.get("seen"), str):
                raise TableError("tampered")
            self.rows = rows_from_data(data.get("rows"))
            self.checked_id = uuid.UUID(str(data.get("id")))
        except (TableError, ValueError) as error:
            raise forms.ValidationError(import_error_message(TableError("tampered"))) from error
        self.seen = data["seen"]
        self.file_name = str(data.get("name", ""))[:200]
        return str(raw)
