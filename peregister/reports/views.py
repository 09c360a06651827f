"""The *rapportage* for beheerder and 2e contactpersoon: on screen, and as XLSX and CSV files
made by the task worker (``reports/snapshots.py``)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peregister.access import policies
from peregister.accounts.guards import report_only
from peregister.accounts.roles import request_roles
from peregister.core import clock
from peregister.core.pagination import requested_page
from peregister.core.refusals import Refused
from peregister.reports import snapshots, tokens
from peregister.reports.forms import TokenForm
from peregister.reports.models import OrganisationToken
from peregister.reports.render import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from peregister.reports.screen import screen_report
from peregister.reports.service import record_screen_view, report_filename
from peregister.reports.snapshot_files import STALLED
from peregister.reports.snapshot_models import ReportSnapshot


@report_only
def report(request: HttpRequest) -> HttpResponse:
    scope = policies.report_scope_or_404(request_roles(request), clock.now())
    summary = screen_report(scope, requested_page(request.GET))
    record_screen_view(
        actor=request.user,
        scope=scope,
        professional_ids={row.professional_id for row in summary.rows},
        page=summary.page.number,
    )
    return render(
        request,
        "reports/report.html",
        {"organisation": scope.organisation, "at": scope.at, "report": summary, "page_query": ""},
    )


@report_only
@require_POST
def request_file(request: HttpRequest) -> HttpResponse:
    """*Rapportage downloaden*: make (or reuse) the snapshot and show its page; the task
    worker makes the files."""
    scope = policies.report_scope_or_404(request_roles(request), clock.now())
    snapshot = snapshots.request_snapshot(actor=request.user, scope=scope)
    return redirect("reports:snapshot", code=snapshot.code)


@report_only
@require_GET
def snapshot_page(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The snapshot as the worker has it: progress while it is made (the page refreshes its
    status region by itself, ``static/js/poll.js``, asking for that region only), then its
    files, why they are no longer handed out, a retry or a new one. Read-only: a snapshot that
    lost its worker is shown as failed here and marked so by the tidy-up."""
    scope = policies.report_scope_or_404(request_roles(request), clock.now())
    snapshot = snapshots.snapshot_or_404(scope, code)
    unavailable = snapshots.unavailable_because(snapshot, scope)
    context = {
        "snapshot": snapshot,
        "current": snapshot.state == ReportSnapshot.State.READY and not unavailable,
        "expired": unavailable == snapshots.EXPIRED,
        "changed": unavailable == snapshots.CHANGED,
        "stalled": snapshots.stalled(snapshot, scope.at),
        "stalled_message": STALLED,
        "waiting_long": snapshots.waiting_long(snapshot, scope.at),
        "organisation": scope.organisation,
    }
    if request.GET.get("part") == "report-snapshot":
        return render(request, "reports/_snapshot.html", context)
    return render(request, "reports/snapshot.html", context)


def _download(
    request: HttpRequest, code: uuid.UUID, file_format: str
) -> HttpResponse | FileResponse:
    scope = policies.report_scope_or_404(request_roles(request), clock.now())
    snapshot = snapshots.snapshot_or_404(scope, code)
    if not snapshots.is_current(snapshot, scope):
        # Expired, or a grant changed since it was made: never hand it out; its page says why
        # (the links carry no ``download`` attribute, so the browser shows that page).
        return redirect("reports:snapshot", code=snapshot.code)
    try:
        handle = snapshots.open_download(
            actor=request.user, scope=scope, snapshot=snapshot, file_format=file_format
        )
    except FileNotFoundError:  # removed a moment ago (its time was up): nothing recorded
        return redirect("reports:snapshot", code=snapshot.code)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=report_filename(scope.organisation, snapshot.at or scope.at, file_format),
        content_type=XLSX_CONTENT_TYPE if file_format == "xlsx" else CSV_CONTENT_TYPE,
    )


@report_only
@require_GET
def download_xlsx(request: HttpRequest, code: uuid.UUID) -> HttpResponse | FileResponse:
    return _download(request, code, "xlsx")


@report_only
@require_GET
def download_csv(request: HttpRequest, code: uuid.UUID) -> HttpResponse | FileResponse:
    return _download(request, code, "csv")


# --- API tokens for the HR API (beheerder and 2e contactpersoon) ----------------------------


def _tokens_page(
    request: HttpRequest, form: TokenForm | None = None, new_token: str = "", status: int = 200
) -> HttpResponse:
    scope = policies.report_scope_or_404(request.user)
    response = render(
        request,
        "reports/api_tokens.html",
        {
            "tokens": tokens.organisation_tokens(scope),
            "form": form or TokenForm(),
            "new_token": new_token,
            "today": scope.today,
        },
        status=status,
    )
    # The page that shows a new token once is kept nowhere.
    response["Cache-Control"] = "no-store"
    return response


@report_only
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _tokens_page(request)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _, raw = tokens.create_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except Refused as exc:
            form.add_error(exc.field, exc.message)
        else:
            return _tokens_page(request, new_token=raw, status=201)
    return _tokens_page(request, form, status=400)


@report_only
@require_POST
def api_token_revoke(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    scope = policies.report_scope_or_404(request.user)
    token = OrganisationToken.objects.filter(organisation=scope.organisation, code=code).first()
    if token is None:
        raise Http404
    try:
        tokens.revoke_token(actor=request.user, token=token)
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Het token is ingetrokken; het werkt niet meer."))
    return redirect("reports:api_tokens")
