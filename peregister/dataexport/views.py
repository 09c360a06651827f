"""*Mijn gegevens downloaden* and the published JSON Schema of the download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from peregister.accounts.guards import professional_only, public
from peregister.accounts.roles import request_professional
from peregister.core import clock, ratelimit
from peregister.dataexport import document, services

# A complete export is heavy (a PDF of everything): a few per hour is plenty for a person.
EXPORT_LIMIT = 5
EXPORT_WINDOW_SECONDS = 60 * 60


@professional_only
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    """GET explains what is in the download; POST makes the ZIP."""
    if request.method != "POST":
        return render(request, "dataexport/my_data.html", {})
    professional = request_professional(request)
    if not ratelimit.hit(
        "data-export",
        str(request.user.pk),
        limit=EXPORT_LIMIT,
        per_seconds=EXPORT_WINDOW_SECONDS,
    ):
        return render(request, "dataexport/my_data.html", {"too_many": True}, status=429)
    data = services.export_own_data(actor=request.user, professional=professional, request=request)
    response = HttpResponse(data, content_type="application/zip")
    filename = f"mijn-gegevens-{clock.today():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@public
@require_GET
def schema(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(document.schema_bytes(), content_type="application/schema+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
