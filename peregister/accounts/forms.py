from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
