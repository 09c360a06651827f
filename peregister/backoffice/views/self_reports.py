"""Eigen activiteiten (review): staff approve, with adjustable points, or reject with a reason."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peregister.access.dossiers import open_staff_dossier
from peregister.access.policies import staff_professionals
from peregister.accounts.guards import staff_only
from peregister.backoffice.forms import ApproveSelfReportForm, RejectSelfReportForm
from peregister.backoffice.self_reports import approve_self_report, reject_self_report
from peregister.backoffice.views.common import get_by_code_or_404
from peregister.core.pagination import page_of
from peregister.core.refusals import Refused
from peregister.registry.models import SelfReport

PAGE_SIZE = 50


@staff_only
@require_http_methods(["GET"])
def self_report_list(request: HttpRequest) -> HttpResponse:
    waiting = SelfReport.objects.filter(
        professional__in=staff_professionals(request.user),
        status=SelfReport.Status.SUBMITTED,
    )
    rows = (
        waiting.select_related("professional").defer("certificate").order_by("submitted_at", "id")
    )
    listed = page_of(rows, counted=waiting, per_page=PAGE_SIZE, query=request.GET)
    return render(request, "backoffice/self_report_list.html", {"listed": listed})


def _report_or_404(request: HttpRequest, code: uuid.UUID) -> SelfReport:
    return get_by_code_or_404(
        SelfReport.objects.filter(professional__in=staff_professionals(request.user))
        .select_related("professional__user", "decided_by")
        .defer("certificate"),
        code,
    )


def _detail_page(
    request: HttpRequest,
    report: SelfReport,
    approve_form: ApproveSelfReportForm | None = None,
    reject_form: RejectSelfReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    # Reviewing a professional's own report is a dossier view: it is audited.
    open_staff_dossier(
        actor=request.user, professional=report.professional, via="backoffice.self_report"
    )
    return render(
        request,
        "backoffice/self_report_detail.html",
        {
            "report": report,
            "approve_form": approve_form
            or ApproveSelfReportForm(initial={"points": report.points_claimed}),
            "reject_form": reject_form or RejectSelfReportForm(),
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET"])
def self_report_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    return _detail_page(request, _report_or_404(request, code))


@staff_only
@require_http_methods(["GET"])
def self_report_certificate(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    report = _report_or_404(request, code)
    data = SelfReport.objects.filter(pk=report.pk).values_list("certificate", flat=True).first()
    if not data:
        raise Http404
    open_staff_dossier(
        actor=request.user,
        professional=report.professional,
        via="backoffice.self_report_certificate",
    )
    response = HttpResponse(bytes(data), content_type=report.certificate_type)
    # Always a download: an uploaded file is never rendered inline in our origin.
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=True, filename=report.certificate_name or "certificaat"
        )
        or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    return response


@staff_only
@require_POST
def self_report_approve(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    report = _report_or_404(request, code)
    form = ApproveSelfReportForm(request.POST)
    if form.is_valid():
        try:
            approve_self_report(
                actor=request.user,
                report=report,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
            )
        except Refused as refused:
            if refused.conflict:  # already decided by someone else
                messages.error(request, refused.message)
                return _detail_page(request, _report_or_404(request, code), status=409)
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(request, _("De activiteit is goedgekeurd; de punten tellen mee."))
            return redirect("backoffice:self_reports")
    return _detail_page(request, report, approve_form=form, status=400)


@staff_only
@require_POST
def self_report_reject(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    report = _report_or_404(request, code)
    form = RejectSelfReportForm(request.POST)
    if form.is_valid():
        try:
            reject_self_report(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except Refused as refused:
            if refused.conflict:  # already decided by someone else
                messages.error(request, refused.message)
                return _detail_page(request, _report_or_404(request, code), status=409)
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(
                request, _("De activiteit is afgewezen; de professional krijgt bericht.")
            )
            return redirect("backoffice:self_reports")
    return _detail_page(request, report, reject_form=form, status=400)
