from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from peregister.accounts import passwords
from peregister.accounts.models import User

# ASVS 2.1.2: at least 64 characters allowed, more than 128 refused (before any hashing).
PASSWORD_MAX = 128


class LoginForm(AuthenticationForm):
    """Login by username; one message for every failure, so it never tells whether a user exists."""

    error_messages = {
        "invalid_login": _(
            "De combinatie van gebruikersnaam en wachtwoord is onjuist. Controleer beide en "
            "probeer het opnieuw."
        ),
        "inactive": _(
            "De combinatie van gebruikersnaam en wachtwoord is onjuist. Controleer beide en "
            "probeer het opnieuw."
        ),
    }

    username = forms.CharField(
        label=_("Gebruikersnaam"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        max_length=PASSWORD_MAX,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A NUL byte is left to ``clean``: it answers like any wrong password (ASVS 5.1.3),
        # not with a field message of its own.
        for field in self.fields.values():
            field.validators = [
                validator
                for validator in field.validators
                if not isinstance(validator, ProhibitNullCharactersValidator)
            ]

    def clean(self) -> dict[str, Any]:
        typed = [str(self.cleaned_data.get(name) or "") for name in ("username", "password")]
        if any("\x00" in value for value in typed):
            # No account or stored password holds one (and PostgreSQL refuses it in a query).
            raise self.get_invalid_login_error()
        return super().clean()


USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
USERNAME_MIN, USERNAME_MAX = 3, 150


class NewUsernameField(forms.CharField):
    """A self-chosen username: plain characters, not yet taken in any letter case."""

    default_error_messages = {
        "required": _("Kies een gebruikersnaam."),
        "max_length": _("Gebruik hoogstens %(limit_value)d tekens.")
        % {"limit_value": USERNAME_MAX},
    }

    def __init__(self, *, check_taken: bool = True, **kwargs: object) -> None:
        # The public account request does not say whether a name is taken (no oracle of who
        # is registered); the service picks a free variant and mails it.
        self.check_taken = check_taken
        kwargs.setdefault("label", _("Gebruikersnaam"))
        kwargs.setdefault(
            "help_text",
            _(
                "Zelf gekozen, %(min)d tot %(max)d tekens: letters, cijfers en . _ - @ "
                "(begin met een letter of cijfer)."
            )
            % {"min": USERNAME_MIN, "max": USERNAME_MAX},
        )
        super().__init__(
            max_length=USERNAME_MAX,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
            **kwargs,  # type: ignore[arg-type]
        )

    def clean(self, value: Any) -> Any:
        # Length and shape first, the uniqueness query last: a 50,000-character name must be
        # refused as too long, not handed to the database (ASVS 5.1.4).
        value = super().clean(value)
        if self.check_taken and value and User.objects.filter(username__iexact=value).exists():
            raise ValidationError(
                _("Deze gebruikersnaam is al in gebruik. Kies een andere."), code="taken"
            )
        return value

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value:
            return
        if len(value) > USERNAME_MAX:
            raise ValidationError(self.error_messages["max_length"], code="max_length")
        if len(value) < USERNAME_MIN:
            raise ValidationError(
                _("Gebruik minstens %(min)d tekens.") % {"min": USERNAME_MIN}, code="min_length"
            )
        if not USERNAME_PATTERN.match(value):
            raise ValidationError(
                _(
                    "Gebruik alleen letters (zonder accenten), cijfers en . _ - @, en begin met "
                    "een letter of cijfer."
                ),
                code="invalid",
            )


class LinkSetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """Django's validators and mismatch check, with our labels."""

    error_messages = {"password_mismatch": _("De twee wachtwoorden zijn niet gelijk.")}

    new_password1 = forms.CharField(
        label=_("Nieuw wachtwoord"),
        help_text=_(
            "Minstens 12 tekens, niet alleen cijfers of spaties, geen veelgebruikt of uitgelekt "
            "wachtwoord en niet te veel gelijk aan uw gebruikersnaam of naam. Een paar losse "
            "woorden achter elkaar is lang én goed te onthouden."
        ),
        error_messages={
            "required": _("Kies een wachtwoord."),
            "max_length": _("Gebruik hoogstens %(max)d tekens.") % {"max": PASSWORD_MAX},
        },
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Herhaal het nieuwe wachtwoord"),
        error_messages={"required": _("Herhaal het wachtwoord.")},
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # The strength of a refused password, shown on the form (ASVS 2.1.8).
    strength_word: str = ""

    def clean(self) -> dict[str, Any]:
        # What is wrong with the password itself is said at the password, not at the repeat;
        # a mismatch only matters once the password is acceptable.
        password = self.cleaned_data.get("new_password1")
        if password:
            self.strength_word = str(
                passwords.STRENGTH_WORDS[passwords.strength(password, self.user)]
            )
        self.validate_password_for_user(self.user, "new_password1")
        if "new_password1" in self.cleaned_data:
            self.validate_passwords("new_password1", "new_password2")
        return self.cleaned_data


class NewLinkForm(forms.Form):
    username_or_email = forms.CharField(
        label=_("Gebruikersnaam of e-mailadres"),
        max_length=254,
        error_messages={
            "required": _("Vul uw gebruikersnaam of e-mailadres in."),
            "max_length": _("Gebruik hoogstens 254 tekens."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class LoginDetailsForm(forms.Form):
    """*Inloggegevens vergeten*: the e-mail address the account uses."""

    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        error_messages={
            "required": _("Vul uw e-mailadres in."),
            "invalid": _("Vul een geldig e-mailadres in."),
            "max_length": _("Gebruik hoogstens 254 tekens."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ChangePasswordForm(LinkSetPasswordForm):
    """*Wachtwoord wijzigen*: the current password, then a new one by the configured validators."""

    old_password = forms.CharField(
        label=_("Huidig wachtwoord"),
        strip=False,
        error_messages={"required": _("Vul uw huidige wachtwoord in.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self) -> str:
        old = str(self.cleaned_data["old_password"])
        if not self.user.check_password(old):
            raise ValidationError(
                _("Uw huidige wachtwoord is niet juist."), code="password_incorrect"
            )
        return old


class SecondStepForm(forms.Form):
    """The code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("De 6 cijfers uit uw authenticator-app, of een van uw herstelcodes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={"required": _("Vul de code in.")},
    )


class TotpSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code uit de app"),
        max_length=32,
        help_text=_("De 6 cijfers die de app nu toont."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Vul de code uit de app in.")},
    )
