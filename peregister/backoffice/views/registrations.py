"""Lapsed registrations and reinstating one with a reason."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peregister.access.policies import get_staff_professional_or_404
from peregister.accounts.guards import staff_only
from peregister.backoffice.closing import reinstate_registration
from peregister.backoffice.forms import ReasonForm
from peregister.core import clock, dates
from peregister.core.pagination import page_of
from peregister.core.refusals import Refused
from peregister.registry.models import Registration

PAGE_SIZE = 50


@staff_only
@require_http_methods(["GET"])
def lapsed_list(request: HttpRequest) -> HttpResponse:
    lapsed = Registration.objects.filter(status=Registration.Status.LAPSED)
    rows = (
        lapsed.with_current_figures(clock.today())
        .select_related("professional", "register")
        .order_by("-status_changed_at", "id")
    )
    listed = page_of(rows, counted=lapsed, per_page=PAGE_SIZE, query=request.GET)
    return render(request, "backoffice/lapsed_list.html", {"listed": listed})


def _lapsed_or_404(request: HttpRequest, professional: uuid.UUID, register: str) -> Registration:
    found = get_staff_professional_or_404(request.user, professional)
    registration = (
        Registration.objects.filter(professional=found, register__code=register)
        .with_current_figures(clock.today())
        .select_related("professional", "register")
        .filter(status=Registration.Status.LAPSED)
        .first()
    )
    if registration is None:
        raise Http404
    return registration


@staff_only
@require_http_methods(["GET", "POST"])
def reinstate(request: HttpRequest, professional: uuid.UUID, register: str) -> HttpResponse:
    registration = _lapsed_or_404(request, professional, register)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            period = reinstate_registration(
                actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
            )
        except Refused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(
                request,
                _("De registratie is hersteld; PE-periode %(start)s tot en met %(end)s.")
                % {"start": dates.prose_date(period.start), "end": dates.prose_date(period.end)},
            )
            return redirect("backoffice:lapsed")
    return render(
        request,
        "backoffice/reinstate.html",
        {"registration": registration, "form": form},
        status=400 if request.method == "POST" else 200,
    )
