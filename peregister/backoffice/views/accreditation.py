"""Accreditatieaanvragen (review): staff *erkennen* (points, recognition period) or *afwijzen*."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peregister.accounts.guards import staff_only
from peregister.backoffice.accreditation import recognise_accreditation, reject_accreditation
from peregister.backoffice.forms import RecogniseAccreditationForm, RejectAccreditationForm
from peregister.backoffice.views.common import get_by_code_or_404
from peregister.core.pagination import paginate
from peregister.core.refusals import Refused
from peregister.registry.models import AccreditationRequest

PER_PAGE = 50
Status = AccreditationRequest.Status


@staff_only
@require_http_methods(["GET"])
def accreditation_list(request: HttpRequest) -> HttpResponse:
    """Submitted requests first, oldest first; ``?status=`` shows the decided ones."""
    status = request.GET.get("status", Status.SUBMITTED)
    if status not in Status.values:
        status = Status.SUBMITTED
    found = (
        AccreditationRequest.objects.filter(status=status)
        .select_related("provider", "activity")
        .order_by("submitted_at", "id")
    )
    return render(
        request,
        "backoffice/accreditation_list.html",
        {
            "page": paginate(found, PER_PAGE, request.GET),
            "status": status,
            "statuses": Status.choices,
            "page_query": f"status={status}",
        },
    )


def _request_or_404(code: uuid.UUID) -> AccreditationRequest:
    return get_by_code_or_404(
        AccreditationRequest.objects.select_related("provider", "activity", "decided_by"), code
    )


def _detail_page(
    request: HttpRequest,
    item: AccreditationRequest,
    recognise_form: RecogniseAccreditationForm | None = None,
    reject_form: RejectAccreditationForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backoffice/accreditation_detail.html",
        {
            "item": item,
            "recognise_form": recognise_form
            or RecogniseAccreditationForm(
                initial={
                    "points": item.points_requested,
                    "recognised_from": item.planned_from,
                    "recognised_until": item.planned_until,
                }
            ),
            "reject_form": reject_form or RejectAccreditationForm(),
            "errors": errors or [],
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET"])
def accreditation_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _detail_page(request, _request_or_404(code))


@staff_only
@require_POST
def accreditation_recognise(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    item = _request_or_404(code)
    form = RecogniseAccreditationForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, item, recognise_form=form, status=400)
    data = form.cleaned_data
    try:
        recognise_accreditation(
            actor=request.user,
            request=item,
            points=data["points"],
            recognised_from=data["recognised_from"],
            recognised_until=data["recognised_until"],
        )
    except Refused as exc:
        item.refresh_from_db()
        return _detail_page(request, item, recognise_form=form, errors=exc.messages, status=400)
    messages.success(request, _("De activiteit is erkend; de aanbieder krijgt een e-mail."))
    return redirect("backoffice:accreditation", code=item.code)


@staff_only
@require_POST
def accreditation_reject(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    item = _request_or_404(code)
    form = RejectAccreditationForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, item, reject_form=form, status=400)
    try:
        reject_accreditation(actor=request.user, request=item, reason=form.cleaned_data["reason"])
    except Refused as exc:
        item.refresh_from_db()
        return _detail_page(request, item, reject_form=form, errors=exc.messages, status=400)
    messages.success(
        request, _("De aanvraag is afgewezen; de aanbieder krijgt de reden per e-mail.")
    )
    return redirect("backoffice:accreditation", code=item.code)
