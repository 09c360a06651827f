"""*Mijn gegevens downloaden*: ask for the ZIP, follow its making, download it; and the
published JSON Schema of the download."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from peregister.accounts.guards import professional_only, public
from peregister.accounts.roles import request_professional
from peregister.core import clock, ratelimit
from peregister.dataexport import document, files, services
from peregister.dataexport.models import DataExport

# A complete export is heavy (a PDF of everything): a few per hour is plenty for a person.
EXPORT_LIMIT = 5
EXPORT_WINDOW_SECONDS = 60 * 60
RECENT_EXPORTS = 5


def _own_export_or_404(request: HttpRequest, code: uuid.UUID) -> DataExport:
    """Someone else's export looks exactly like one that does not exist."""
    return get_object_or_404(
        DataExport.objects.select_related("professional"),
        code=code,
        professional=request_professional(request),
    )


def _status_url(export: DataExport) -> str:
    return reverse("dataexport:status", args=[export.code])


@professional_only
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    """GET explains what is in the download and lists recent ones; POST asks for a new one."""
    professional = request_professional(request)
    if request.method == "POST":
        if not ratelimit.hit(
            "data-export",
            str(request.user.pk),
            limit=EXPORT_LIMIT,
            per_seconds=EXPORT_WINDOW_SECONDS,
        ):
            response = _render_page(request, too_many=True)
            response.status_code = 429
            return ratelimit.retry_after(response, EXPORT_WINDOW_SECONDS)
        export = services.request_export(actor=request.user, professional=professional)
        return HttpResponseRedirect(_status_url(export))
    return _render_page(request)


def _render_page(request: HttpRequest, *, too_many: bool = False) -> HttpResponse:
    professional = request_professional(request)
    files.give_up_stalled(professional)
    recent = DataExport.objects.filter(professional=professional)[:RECENT_EXPORTS]
    return render(
        request, "dataexport/my_data.html", {"exports": list(recent), "too_many": too_many}
    )


@professional_only
@require_GET
@never_cache
def export_status(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """While the worker makes it: its step; then the download. The page refreshes its status
    region by itself (``static/js/poll.js``) and works without script as well."""
    export = _own_export_or_404(request, code)
    if export.in_progress and files.give_up_stalled(export.professional):
        export.refresh_from_db()
    return render(request, "dataexport/status.html", {"export": export, "now": clock.now()})


@professional_only
@require_GET
def download(request: HttpRequest, code: uuid.UUID) -> HttpResponseBase:
    export = _own_export_or_404(request, code)
    try:
        handle = services.open_download(actor=request.user, export=export)
    except FileNotFoundError:
        messages.info(request, _("Dit bestand is niet meer beschikbaar. Maak een nieuw bestand."))
        return HttpResponseRedirect(_status_url(export))
    finished = export.finished_at or export.requested_at
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"mijn-gegevens-{clock.local_date(finished):%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


@public
@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(document.schema_bytes(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
