"""The training provider's pages: its accreditation requests and activities, sessions and
attendance. Views stay thin: the services (``registry/accreditation.py``,
``registry/completions.py``) decide, and only ever for the actor's own provider."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peregister.accounts.guards import provider_only
from peregister.core.pagination import paginate
from peregister.core.refusals import Refused
from peregister.providers.forms import AccreditationForm
from peregister.registry import accreditation

PER_PAGE = 50


@provider_only
@require_http_methods(["GET"])
def request_list(request: HttpRequest) -> HttpResponse:
    """The provider's activities with their status (newest request first)."""
    page = paginate(accreditation.own_requests(request.user), PER_PAGE, request.GET)
    return render(request, "providers/request_list.html", {"page": page})


@provider_only
@require_http_methods(["GET", "POST"])
def request_add(request: HttpRequest) -> HttpResponse:
    template = "providers/request_form.html"
    if request.method != "POST":
        return render(request, template, {"form": AccreditationForm()})
    form = AccreditationForm(request.POST)
    if form.is_valid():
        try:
            submitted = accreditation.submit_accreditation_request(
                actor=request.user, data=form.data_object()
            )
        except Refused as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request, _("Uw accreditatieaanvraag is ingediend; het register beoordeelt haar.")
            )
            return redirect("providers:request", code=submitted.code)
    return render(request, template, {"form": form}, status=400)


@provider_only
@require_http_methods(["GET"])
def request_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    found = accreditation.own_request_or_404(request.user, code)
    return render(request, "providers/request_detail.html", {"item": found})
