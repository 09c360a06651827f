"""The *rapportage* for beheerder and 2e contactpersoon: on screen, as XLSX and as CSV."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import translation

from peregister.access import policies
from peregister.accounts.guards import report_only
from peregister.core import clock
from peregister.core.pagination import requested_page
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
    scope = policies.report_scope_or_404(request.user, clock.now())
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
    scope = policies.report_scope_or_404(request.user, clock.now())
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
    scope = policies.report_scope_or_404(request.user, clock.now())
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
