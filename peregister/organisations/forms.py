"""Input checks for onboarding and organisation administration; business rules live in services."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from peregister.accounts.forms import NewUsernameField
from peregister.accounts.models import User
from peregister.organisations.models import Contact, Organisation

POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()-]+$")


def clean_kvk(value: str) -> str:
    digits = re.sub(r"[\s.]", "", value)
    if not re.fullmatch(r"[0-9]{8}", digits):
        raise ValidationError(_("Een KvK-nummer bestaat uit precies 8 cijfers."), code="kvk")
    return digits


def clean_postcode(value: str) -> str:
    match = POSTCODE.match(value.strip())
    # SA, SD and SS are never issued as postcode letters.
    if not match or match.group(2).upper() in {"SA", "SD", "SS"}:
        raise ValidationError(
            _("Vul een Nederlandse postcode in: 4 cijfers en 2 letters, bijvoorbeeld 3511 AB."),
            code="postcode",
        )
    return f"{match.group(1)} {match.group(2).upper()}"


def clean_phone(value: str) -> str:
    value = " ".join(value.split())
    digits = re.sub(r"[^0-9]", "", value)
    if not PHONE_CHARACTERS.match(value) or not 10 <= len(digits) <= 15:
        raise ValidationError(
            _("Vul een telefoonnummer in van 10 tot 15 cijfers, bijvoorbeeld 030-1234567."),
            code="phone",
        )
    return value


class OrganisationDataForm(forms.Form):
    """The organisation's own data, as the beheerder may keep it up to date."""

    name = forms.CharField(label=_("Naam organisatie"), max_length=200)
    street = forms.CharField(label=_("Straat en huisnummer"), max_length=200)
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=7,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    city = forms.CharField(label=_("Plaats"), max_length=100)
    phone = forms.CharField(
        label=_("Telefoonnummer"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label=_("Algemeen e-mailadres"), max_length=254)

    def clean_postcode(self) -> str:
        return clean_postcode(self.cleaned_data["postcode"])

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data["phone"])

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict[str, Any]:
        return {name: getattr(organisation, name) for name in cls.base_fields}


class AccountRequestForm(OrganisationDataForm):
    """*Aanvragen account collectieve werkgever* and *Account aanvragen aanbieder*."""

    def __init__(self, *args: Any, kind: str = Organisation.Kind.EMPLOYER, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    kvk_number = forms.CharField(
        label=_("KvK-nummer"),
        max_length=12,
        help_text=_("8 cijfers, zoals in het Handelsregister."),
    )
    requester_name = forms.CharField(label=_("Uw naam"), max_length=150)
    requester_email = forms.EmailField(
        label=_("Uw e-mailadres"),
        max_length=254,
        help_text=_(
            "Hierheen sturen we uw gebruikersnaam en de link om uw wachtwoord in te stellen."
        ),
    )
    username = NewUsernameField(check_taken=False)

    field_order = [
        "name",
        "kvk_number",
        "street",
        "postcode",
        "city",
        "phone",
        "email",
        "requester_name",
        "requester_email",
        "username",
    ]

    def clean_kvk_number(self) -> str:
        # Whether the number is known is not said here (ASVS 2.2/enumeration): the service
        # accepts the request and tells the existing organisation's beheerder by e-mail.
        return clean_kvk(self.cleaned_data["kvk_number"])


ADDABLE_ROLES = [
    (Contact.Role.CONTACT.value, Contact.Role.CONTACT.label),
    (Contact.Role.DEPUTY.value, Contact.Role.DEPUTY.label),
]
# What each role may do, in the words of the seed, shown next to the choice.
ROLE_DESCRIPTIONS = {
    Contact.Role.CONTACT.value: _(
        "Ziet alleen de PE-dossiers van professionals die deze contactpersoon of afdeling zelf "
        "inzage geven. "
        "Geen rapportage, geen organisatiegegevens, geen contactpersonen toevoegen. "
        "Bedoeld voor bijvoorbeeld (regio)managers."
    ),
    Contact.Role.DEPUTY.value: _(
        "Ziet net als de beheerder de rapportage van alle PE-medewerkers, wijzigt de "
        "organisatiegegevens en voegt contactpersonen toe; alleen de beheerdersrol overdragen "
        "kan hij of zij niet. Er is hoogstens één 2e contactpersoon, bijvoorbeeld HR of L&D als "
        "vervanger van de beheerder."
    ),
}
# A provider's users register its activities, sessions and attendance; none sees a dossier.
PROVIDER_ROLE_DESCRIPTIONS = {
    Contact.Role.CONTACT.value: _(
        "Dient accreditatieaanvragen in, voegt uitvoeringen toe en registreert presentie. "
        "Geen organisatiegegevens, geen gebruikers of API-sleutels."
    ),
    Contact.Role.DEPUTY.value: _(
        "Dezelfde rechten als de beheerder: wijzigt de organisatiegegevens, voegt gebruikers "
        "toe en beheert de API-sleutels. Er is hoogstens één 2e contactpersoon."
    ),
}


class DescribedRadioSelect(forms.RadioSelect):
    """Radio buttons whose options each point at a hint ``<id>_hint`` rendered by the template."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_hint"
        return option


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Rol"),
        choices=ADDABLE_ROLES,
        initial=Contact.Role.CONTACT,
        widget=DescribedRadioSelect,
    )


def role_options(form: forms.Form) -> list[tuple[BoundWidget, str]]:
    """Each role's radio button with what that role may do (at an employer or a provider)."""
    descriptions = (
        PROVIDER_ROLE_DESCRIPTIONS if getattr(form, "provider", False) else (ROLE_DESCRIPTIONS)
    )
    return [(radio, str(descriptions[radio.data["value"]])) for radio in form["role"]]


class _RoleForm(forms.Form):
    """A form with the role choice; ``provider`` selects what the roles are said to do."""

    def __init__(self, *args: Any, provider: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider

    def role_options(self) -> list[tuple[BoundWidget, str]]:
        return role_options(self)


class AddContactForm(_RoleForm):
    """*toevoegen beheerder*: a person or a department on a general mailbox, with a role."""

    kind = forms.ChoiceField(
        label=_("Persoon of afdeling"),
        choices=Contact.Kind.choices,
        initial=Contact.Kind.PERSON,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Naam contactpersoon/afdeling"), max_length=150)
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        help_text=_("Voor een afdeling: het algemene e-mailadres, bijvoorbeeld hr@…"),
    )
    role = _role_field()
    # A taken username is not refused (that would tell the beheerder someone else has it):
    # the service picks a free variant and mails it to the new contact.
    username = NewUsernameField(check_taken=False)
    language = forms.ChoiceField(
        label=_("Taal van de e-mails"), choices=User.Language.choices, initial=User.Language.DUTCH
    )


class ContactRoleForm(_RoleForm):
    role = _role_field()


class ContactActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        choices=[("1", _("activeren")), ("0", _("deactiveren"))],
        coerce=lambda value: value == "1",
    )
