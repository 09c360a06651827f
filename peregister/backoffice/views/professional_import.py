"""*Professionals importeren*: upload, check every row, confirm, then invite them all."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peregister.accounts.guards import staff_only
from peregister.backoffice.import_runs import (
    confirm_run,
    expire_checked,
    give_up_stalled,
    start_run,
)
from peregister.backoffice.invitations import invite_import
from peregister.backoffice.models import ImportRun, ProfessionalImport
from peregister.backoffice.professional_forms import (
    ImportConfirmForm,
    ImportUploadForm,
    sign_import,
)
from peregister.backoffice.professional_import import import_professionals
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.professional_import import (
    Row,
    Status,
    check_rows,
    fingerprint,
    template_rows,
)

TEMPLATE_NAME = "professionals-voorbeeld.csv"


def _check_page(
    request: HttpRequest, rows: list[Row], file_name: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    checked = check_rows(rows, today=clock.today())
    counts = Counter(c.status for c in checked)
    return render(
        request,
        "backoffice/professional_import_check.html",
        {
            "checked": checked,
            "counts": {s.value: counts.get(s, 0) for s in Status},
            "applicable": counts.get(Status.NEW, 0) + counts.get(Status.CHANGED, 0),
            "payload": sign_import(rows, fingerprint(checked), file_name),
            "file_name": file_name,
            "error": error,
        },
        # A file with errors is refused as a whole (nothing can be confirmed): a client error.
        status=400 if status == 200 and counts.get(Status.ERROR) else status,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def professional_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "backoffice/professional_import.html", {"form": ImportUploadForm()})
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "backoffice/professional_import.html", {"form": form}, status=400)
    file_name = str(form.cleaned_data["file"].name or "")
    if form.large:
        run = start_run(actor=request.user, data=form.file_data, file_name=file_name)
        return redirect("backoffice:professional_import_run", code=run.code)
    return _check_page(request, form.rows, file_name)


def _run_or_404(code: uuid.UUID) -> ImportRun:
    found = ImportRun.objects.defer("data").select_related("result").filter(code=code).first()
    if found is None:
        raise Http404
    return found


@staff_only
@require_GET
@never_cache
def professional_import_run(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """A large import as the worker has it: progress while it checks or applies (the page
    refreshes its status region by itself, ``static/js/poll.js``), then the check's outcome."""
    run = _run_or_404(code)
    give_up_stalled(run) or expire_checked(run)
    return render(request, "backoffice/professional_import_run.html", {"run": run})


@staff_only
@require_POST
def professional_import_run_confirm(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    run = _run_or_404(code)
    try:
        confirm_run(actor=request.user, run=run)
    except Refused as refused:
        messages.error(request, refused.message)
        response = render(
            request, "backoffice/professional_import_run.html", {"run": run}, status=409
        )
        return response
    return redirect("backoffice:professional_import_run", code=run.code)


@staff_only
@require_POST
def professional_import_confirm(request: HttpRequest) -> HttpResponse:
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return render(
            request, "backoffice/professional_import_invalid.html", {"form": form}, status=400
        )
    try:
        applied = import_professionals(
            actor=request.user,
            rows=form.rows,
            seen=form.seen,
            file_name=form.file_name,
            checked_id=form.checked_id,
        )
    except Refused as refused:
        if refused.code == "already_applied":
            messages.warning(request, refused.message)
            return redirect("backoffice:professional_import_done", code=refused.existing.code)
        return _check_page(
            request, form.rows, form.file_name, error=refused.message, status=refused.status
        )
    if applied is None:
        messages.success(request, _("Alle regels waren ongewijzigd: er is niets gewijzigd."))
        return redirect("backoffice:professional_import")
    return redirect("backoffice:professional_import_done", code=applied.code)


def _import_or_404(code: uuid.UUID) -> ProfessionalImport:
    found = ProfessionalImport.objects.filter(code=code).first()
    if found is None:
        raise Http404
    return found


@staff_only
@require_GET
def professional_import_done(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    professional_import = _import_or_404(code)
    return render(
        request,
        "backoffice/professional_import_done.html",
        {
            "professional_import": professional_import,
            "invitation": professional_import.invitation_runs.first(),
        },
    )


@staff_only
@require_POST
def professional_import_invite(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    professional_import = _import_or_404(code)
    invite_import(actor=request.user, professional_import=professional_import)
    messages.success(
        request,
        _(
            "De uitnodigingen worden verstuurd. Professionals zonder e-mailadres of met een "
            "eigen wachtwoord worden overgeslagen."
        ),
    )
    return redirect("backoffice:professional_import_done", code=professional_import.code)


@staff_only
@require_GET
def professional_import_template(request: HttpRequest) -> HttpResponse:
    """The columns as the import reads them: UTF-8 with BOM and ``;``, as Dutch Excel opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(template_rows())
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAME}"'
    return response
