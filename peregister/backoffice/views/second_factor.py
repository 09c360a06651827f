"""*Tweestapsverificatie terugzetten*: register staff remove a user's lost second factor."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peregister.accounts.guards import staff_only
from peregister.accounts.mfa import reset_second_factor
from peregister.accounts.models import User
from peregister.core.reasons import ReasonField
from peregister.core.refusals import Refused


class ResetForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Gebruikersnaam"),
        max_length=150,
        help_text=gettext_lazy(
            "Controleer eerst wie u spreekt, bijvoorbeeld door terug te bellen op een bekend "
            "nummer."
        ),
        error_messages={"required": gettext_lazy("Vul de gebruikersnaam in.")},
    )
    reason = ReasonField()


@staff_only
@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest) -> HttpResponse:
    form = ResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # The length was checked by the form before this one query.
        user = User.objects.filter(username__iexact=form.cleaned_data["username"].strip()).first()
        if user is None:
            form.add_error("username", _("Er is geen account met deze gebruikersnaam."))
        else:
            try:
                reset_second_factor(
                    actor=request.user, user=user, reason=form.cleaned_data["reason"]
                )
            except Refused as refused:
                form.add_error(refused.field or "username", refused.message)
            else:
                messages.success(
                    request,
                    _(
                        "De tweestapsverificatie van %(username)s is teruggezet. Bij de "
                        "volgende login stelt die persoon een nieuwe in."
                    )
                    % {"username": user.username},
                )
                return redirect("backoffice:second_factor_reset")
    return render(
        request,
        "backoffice/second_factor_reset.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
