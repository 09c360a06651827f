"""Verlengingen: submitted renewal dossiers; approve or reject with a reason."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peregister.access.dossiers import open_staff_dossier
from peregister.access.policies import get_staff_professional_or_404
from peregister.accounts.guards import staff_only
from peregister.backoffice.forms import ReasonForm
from peregister.backoffice.renewals import (
    approve_renewal,
    reject_renewal,
    renewals_waiting,
    submitted_renewals,
)
from peregister.core import clock, dates
from peregister.core.pagination import page_of
from peregister.core.refusals import Refused
from peregister.registry.dossier import registration_views
from peregister.registry.models import RenewalSubmission

PAGE_SIZE = 50


@staff_only
@require_http_methods(["GET"])
def renewal_list(request: HttpRequest) -> HttpResponse:
    listed = page_of(
        submitted_renewals(), counted=renewals_waiting(), per_page=PAGE_SIZE, query=request.GET
    )
    return render(request, "backoffice/renewal_list.html", {"listed": listed})


def _renewal_or_404(
    request: HttpRequest, professional: uuid.UUID, register: str
) -> RenewalSubmission:
    """The open dossier of one registration; staff reach the professional via the policy."""
    found = get_staff_professional_or_404(request.user, professional)
    renewal = (
        submitted_renewals()
        .filter(
            period__registration__professional=found, period__registration__register__code=register
        )
        .first()
    )
    if renewal is None:
        raise Http404
    return renewal


def _detail_page(
    request: HttpRequest, renewal: RenewalSubmission, form: ReasonForm, status: int = 200
) -> HttpResponse:
    # Staff opening a dossier is a dossier view like any other: the professional sees it.
    professional = open_staff_dossier(
        actor=request.user,
        professional=renewal.period.registration.professional,
        via="backoffice.renewal",
    )
    return render(
        request,
        "backoffice/renewal_detail.html",
        {
            "renewal": renewal,
            "professional": professional,
            "registrations": registration_views(professional, clock.today(), with_completions=True),
            "reject_form": form,
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET"])
def renewal_detail(request: HttpRequest, professional: uuid.UUID, register: str) -> HttpResponse:
    return _detail_page(request, _renewal_or_404(request, professional, register), ReasonForm())


@staff_only
@require_POST
def renewal_approve(request: HttpRequest, professional: uuid.UUID, register: str) -> HttpResponse:
    renewal = _renewal_or_404(request, professional, register)
    try:
        period = approve_renewal(actor=request.user, renewal=renewal)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _(
                "Verlenging goedgekeurd. De nieuwe PE-periode loopt van %(start)s "
                "tot en met %(end)s."
            )
            % {"start": dates.prose_date(period.start), "end": dates.prose_date(period.end)},
        )
    return redirect("backoffice:renewals")


@staff_only
@require_POST
def renewal_reject(request: HttpRequest, professional: uuid.UUID, register: str) -> HttpResponse:
    renewal = _renewal_or_404(request, professional, register)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            reject_renewal(actor=request.user, renewal=renewal, reason=form.cleaned_data["reason"])
        except Refused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(
                request, _("Het dossier is afgewezen; de professional krijgt bericht.")
            )
            return redirect("backoffice:renewals")
    return _detail_page(request, renewal, form, status=400)
