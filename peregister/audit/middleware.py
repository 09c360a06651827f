"""Denied access to protected pages is a security event (OWASP ASVS 4.0.3 V7.2.2).

The access rule answers a forbidden dossier, report or back-office page with the same 404 as
an unknown one, so nobody learns what exists. Register staff still need to see who knocked:
a logged-in user's 403 or 404 from a view in ``WATCHED_NAMESPACES`` is recorded as
``access.denied`` with the route and the address (not the query string, not the body).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core.ratelimit import client_address

# Dossiers (insight), the rapportage (reports) and the back-office.
WATCHED_NAMESPACES = frozenset({"insight", "reports", "backoffice", "organisations_staff"})


class DeniedAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if (
            response.status_code in (403, 404)
            and match is not None
            and match.namespace in WATCHED_NAMESPACES
            and request.user.is_authenticated
        ):
            with transaction.atomic():
                record(
                    AuditEvent.Action.ACCESS_DENIED,
                    actor=request.user,
                    page=match.view_name,
                    path=request.path[:300],
                    method=request.method,
                    status=response.status_code,
                    address=client_address(request),
                )
        return response
