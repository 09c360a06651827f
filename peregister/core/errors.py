"""The product's own error pages: 404, 403 and 405 look like the rest of the product, with its menu
and a way back, also in development (``DEBUG``), where Django would otherwise answer a refusal
with its yellow technical page. Real errors (500) keep Django's debug page in development. A
request refused before any view (400) gets a plain Dutch page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template import loader


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: usually a page left open too long."""
    return render(request, "403.html", {"form_expired": True}, status=403)


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = render(request, "405.html", status=405)
    response["Allow"] = allowed
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refuses before any view (a body beyond ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
    too many fields): a Dutch page, not Django's bare English one. No context processors: the
    request's own data is what could not be read."""
    return HttpResponse(loader.get_template("400.html").render(), status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


class ProductErrorPagesMiddleware:
    """Refusals raised by views (404, 403) become the product's pages in every mode.

    With ``DEBUG`` on, an address that matches no URL pattern is answered by Django's URL map
    before any view runs; that answer is replaced too (``resolver_match`` is still unset then).
    Other exceptions pass untouched, so a developer still sees the traceback of a real error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and request.resolver_match is None:
            return not_found(request)
        # ``require_POST`` answers an empty 405: a browser that opened an action's address gets
        # a page of the product saying nothing changed; machines keep the bare answer.
        if (
            response.status_code == 405
            and not getattr(response, "content", b"")
            and "text/html" in request.headers.get("Accept", "")
        ):
            return method_not_allowed(request, response.get("Allow", ""))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return forbidden(request, exception)
        return None
