"""Forms of *Inzage werkgever*: input checks only; the rules live in ``access.services``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peregister.core import clock
from peregister.core.dates import DutchDateField
from peregister.organisations.models import Contact, Organisation


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Zoek op naam of plaats"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def organisations(self) -> QuerySet[Organisation]:
        """Authorised employers whose name or place contains every word searched for."""
        found = Organisation.objects.filter(Organisation.taking_grants())
        term = self.cleaned_data.get("q", "") if self.is_valid() else ""
        for word in term.split()[:5]:
            found = found.filter(Q(name__icontains=word) | Q(city__icontains=word))
        return found.order_by("name", "id")


class ValidUntilField(DutchDateField):
    """*geautoriseerd tot*: an inclusive date, empty for no end; never in the past."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("geautoriseerd tot"),
            required=False,
            help_text=_(
                "Laat leeg voor onbeperkte inzage. Met een datum heeft de contactpersoon "
                "inzage tot en met die dag."
            ),
            **kwargs,
        )

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, dt.date) and value < clock.today():
            raise forms.ValidationError(
                _(
                    "De datum ‘geautoriseerd tot’ ligt in het verleden. Kies vandaag of een "
                    "latere datum, of laat het veld leeg voor onbeperkte inzage."
                ),
                code="past",
            )


class ContactsChoiceField(forms.ModelMultipleChoiceField[Contact]):
    # Contacts that already have live access from this professional, marked in their label.
    already_granted: frozenset[int] = frozenset()

    def clean(self, value: Any) -> Any:
        # Django reads a malformed code through UUIDField, whose own message ("is geen geldige
        # UUID") would reach the page: a crafted code gets the field's words instead.
        for code in value if isinstance(value, list | tuple) else ():
            try:
                uuid.UUID(str(code))
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": code},
                ) from None
        return super().clean(value)

    def label_from_instance(self, obj: Contact) -> str:
        label = str(obj.name)
        if obj.kind == Contact.Kind.DEPARTMENT:
            label = f"{label} ({_('afdeling')})"
        if obj.pk in self.already_granted:
            label = f"{label} — {_('heeft al inzage')}"
        return label


class GrantForm(forms.Form):
    """Choose one or more *contactpersonen/afdelingen* of the chosen organisation and an
    optional end date that holds for each of them."""

    # The POST key stays ``contact`` (repeated once per chosen contact).
    contact = ContactsChoiceField(
        label=_("contactpersoon/afdeling"),
        help_text=_(
            "Kies één of meer. Elke contactpersoon krijgt eigen inzage, die u later los kunt "
            "intrekken."
        ),
        queryset=Contact.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Kies minstens één contactpersoon of afdeling die inzage krijgt."),
            "invalid_choice": _(
                "Kies contactpersonen of afdelingen uit de lijst van deze organisatie."
            ),
            "invalid_pk_value": _(
                "Kies contactpersonen of afdelingen uit de lijst van deze organisatie."
            ),
        },
    )
    valid_until = ValidUntilField()

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        already_granted: frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Only active contacts of this organisation (a role not yet accepted is not offered):
        # a crafted code of another one is invalid.
        contact_field = self.fields["contact"]
        assert isinstance(contact_field, ContactsChoiceField)
        contact_field.queryset = organisation.contacts.filter(Contact.usable()).order_by(
            "name", "id"
        )
        contact_field.already_granted = already_granted

    def chosen_contacts(self) -> list[Contact]:
        return list(self.cleaned_data["contact"])


class GrantEndForm(forms.Form):
    valid_until = ValidUntilField()
