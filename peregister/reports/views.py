"""The *rapportage* for beheerder and 2e contactpersoon: on screen, as XLSX and as CSV."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peregister.access import policies
from peregister.accounts.guards import report_only
from peregister.accounts.roles import request_roles
from peregister.core import clock
from peregister.core.pagination import requested_page
from peregister.core.refusals import Refused
from peregister.organisations.models import Contact
from peregister.reports import tokens
from peregister.reports.forms import TokenForm
from peregister.reports.models import OrganisationToken
from peregister.reports.render import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_stream,
    write_xlsx,
)
from peregister.reports.rows import report_rows
from peregister.reports.screen import screen_report
from peregister.reports.service import record_download, record_screen_view, report_filename


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
def download_xlsx(request: HttpRequest) -> FileResponse:
    scope = policies.report_scope_or_404(request_roles(request), clock.now())
    # On disk, not in memory; the file disappears when the response closes it.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    try:
        count = write_xlsx(report_rows(scope), spool)
        record_download(actor=request.user, scope=scope, file_format="xlsx", rows=count)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return FileResponse(
        spool,
        as_attachment=True,
        filename=report_filename(scope.organisation, scope.at, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


@report_only
def download_csv(request: HttpRequest) -> StreamingHttpResponse:
    scope = policies.report_scope_or_404(request_roles(request), clock.now())
    # Audited before the first byte is sent: a broken-off download still counts as one.
    record_download(actor=request.user, scope=scope, file_format="csv")
    language = translation.get_language()

    def content() -> Iterator[bytes]:
        # The body is produced after the view returns; keep the request's language for it.
        with translation.override(language):
            for chunk in csv_stream(report_rows(scope)):
                yield chunk.encode("utf-8")

    response = StreamingHttpResponse(content(), content_type=CSV_CONTENT_TYPE)
    filename = report_filename(scope.organisation, scope.at, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- API tokens for the HR API (beheerder and 2e contactpersoon) ----------------------------


def _tokens_page(
    request: HttpRequest, form: TokenForm | None = None, new_token: str = "", status: int = 200
) -> HttpResponse:
    scope = policies.report_scope_or_404(request.user)
    response = render(
        request,
        "reports/api_tokens.html",
        {
            # The maker's name as a contact of this organisation (a person may be a contact
            # of several).
            "tokens": OrganisationToken.objects.filter(organisation=scope.organisation)
            .annotate(
                maker_name=Subquery(
                    Contact.objects.filter(
                        user_id=OuterRef("created_by_id"), organisation=scope.organisation
                    ).values("name")[:1]
                )
            )
            .order_by("revoked_at", "-created_at", "-id"),
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
