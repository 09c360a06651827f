"""The professional's *Eigen activiteit* pages: report an activity, see the state of each."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from peregister.accounts.guards import professional_only
from peregister.accounts.roles import request_professional
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.self_report_forms import SelfReportForm
from peregister.registry.self_reports import submit_self_report


@professional_only
@require_http_methods(["GET"])
def self_report_list(request: HttpRequest) -> HttpResponse:
    professional = request_professional(request)
    reports = professional.self_reports.defer("certificate").order_by("-submitted_at", "-id")
    return render(request, "registry/self_report_list.html", {"reports": reports})


@professional_only
@require_http_methods(["GET", "POST"])
def self_report_create(request: HttpRequest) -> HttpResponse:
    professional = request_professional(request)
    if request.method != "POST":
        form = SelfReportForm(initial={"completed_on": clock.today()})
        return render(request, "registry/self_report_form.html", {"form": form})
    form = SelfReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            submit_self_report(actor=request.user, professional=professional, data=form.to_data())
        except Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(
                request,
                _("Uw activiteit is ingediend. U krijgt een e-mail zodra het register besluit."),
            )
            return redirect("self_reports:list")
    return render(request, "registry/self_report_form.html", {"form": form}, status=400)
