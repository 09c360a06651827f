"""The API (``/api/v1/``, django-ninja, OpenAPI 3.1) and its docs page.

Every error answers JSON with a ``message``, in the language of ``Accept-Language`` (Dutch by
default; ``peregister.core.locale``); views are marked with the ``api_key`` policy
(the permission matrix reads it), and the schema and docs are public.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from peregister.accounts.guards import mark_api, public
from peregister.core.bearer import PayloadTooLarge, RateLimited
from peregister.core.refusals import Refused
from peregister.providers.api import router
from peregister.reports.api import router as organisation_router

api = NinjaAPI(
    title="PE-register API",
    version="1",
    description=(
        "Voor aanbieders: eigen activiteiten en uitvoeringen opvragen en afgeronde "
        "activiteiten (presentie) registreren. Authenticatie: `Authorization: Bearer <API-"
        "sleutel>`; de beheerder van de aanbieder maakt sleutels aan onder API-sleutels. "
        "Voor werkgevers (HR-koppeling): de eigen rapportage opvragen onder `/organisation/`, "
        "met `Authorization: Bearer <API-token>`; de beheerder maakt tokens aan onder API-tokens."
    ),
    urls_namespace="api",
)
api.add_router("/", router)
api.add_router("/", organisation_router)


def _message(request: HttpRequest, message: str, status: int, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"message": message, **extra}, status=status)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return _message(request, _("Ongeldige invoer."), 422, errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _message(request, _("Geen geldige API-sleutel."), 401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = _("Ongeldige JSON.") if exc.status_code == 400 else str(exc.message)
    return _message(request, message, exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _message(request, _("Niet gevonden."), 404)


@api.exception_handler(Refused)
def _refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    return _message(request, str(exc.message), 409 if exc.conflict else 400)


@api.exception_handler(PayloadTooLarge)
def _too_large(request: HttpRequest, exc: PayloadTooLarge) -> HttpResponse:
    return _message(request, _("De body is te groot (maximaal 1 MB)."), 413)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = _message(
        request, _("Te veel verzoeken met deze sleutel; probeer het zo opnieuw."), 429
    )
    response["Retry-After"] = str(exc.per_seconds)
    return response


def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any other path under the API (and its bare root): a 404 in JSON, not the site's page."""
    return _message(request, _("Niet gevonden."), 404)


def _json_405(view: Any) -> Any:
    """Ninja answers a method a path does not have with a plain-text 405; the API's own
    answer is JSON with a message (the ``Allow`` header kept)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        answer = _message(request, _("Deze methode kan hier niet."), 405)
        answer["Allow"] = response["Allow"]
        return answer

    return wrapped


def urlpatterns() -> tuple[list[URLResolver | URLPattern], str, str]:
    """The API's URLs, each view with its policy; the schema, the docs, the bare root and any
    other path (a JSON 404) are public."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            if pattern.name == "api-root":
                pattern.callback = public(_unknown_path)
            elif pattern.name in ("openapi-json", "openapi-view"):
                public(pattern.callback)
            else:
                pattern.callback = _json_405(mark_api(pattern.callback))
    not_found = re_path(r"^.*$", public(_unknown_path), name="not-found")
    return [*patterns, not_found], app_name, namespace
