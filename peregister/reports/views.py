"""The *rapportage* for beheerder and 2e contactpersoon: on screen, as XLSX and as CSV."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import translation

from peregister.access import policies
from peregister.accounts.guards import organisation_manager_only
from peregister.accounts.roles import request_roles
from peregister.core import clock
from peregister.organisations.models import Organisation
from peregister.reports.render import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    csv_stream,
    write_xlsx,
)
from peregister.reports.rows import report_rows
from peregister.reports.screen import page_number, screen_report
from peregister.reports.service import record_download, report_filename


def _organisation_or_404(request: HttpRequest) -> Organisation:
    # The view policy checks the role; the policy module also needs an authorised organisation.
    organisation = policies.report_organisation(request.user)
    if organisation is None:
        raise Http404
    return organisation


@organisation_manager_only
def report(request: HttpRequest) -> HttpResponse:
    organisation = _organisation_or_404(request)
    at = clock.now()
    summary = screen_report(request.user, at, page_number(request.GET.get("page")))
    return render(
        request,
        "reports/report.html",
        {"organisation": organisation, "at": at, "report": summary, "page_query": ""},
    )


@organisation_manager_only
def download_xlsx(request: HttpRequest) -> FileResponse:
    organisation = _organisation_or_404(request)
    at = clock.now()
    # On disk, not in memory; the file disappears when the response closes it.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    try:
        count = write_xlsx(report_rows(request.user, at), spool)
        record_download(
            actor=request.user,
            organisation=organisation,
            contact=request_roles(request).contact,
            at=at,
            file_format="xlsx",
            rows=count,
        )
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return FileResponse(
        spool,
        as_attachment=True,
        filename=report_filename(organisation, at, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


@organisation_manager_only
def download_csv(request: HttpRequest) -> StreamingHttpResponse:
    organisation = _organisation_or_404(request)
    at = clock.now()
    # Audited before the first byte is sent: a broken-off download still counts as one.
    record_download(
        actor=request.user,
        organisation=organisation,
        contact=request_roles(request).contact,
        at=at,
        file_format="csv",
    )
    language = translation.get_language()

    def content() -> Iterator[bytes]:
        # The body is produced after the view returns; keep the request's language for it.
        with translation.override(language):
            for chunk in csv_stream(report_rows(request.user, at)):
                yield chunk.encode("utf-8")

    response = StreamingHttpResponse(content(), content_type=CSV_CONTENT_TYPE)
    filename = report_filename(organisation, at, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
