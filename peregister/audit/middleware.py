"""Denied access to protected pages is a security event (OWASP ASVS 4.0.3 V7.2.2).

The access rule answers a forbidden dossier, report or back-office page with the same 404 as
an unknown one, so nobody learns what exists. Register staff still need to see who knocked:
a logged-in user's 403 or 404 from a view in ``WATCHED_NAMESPACES`` is recorded as
``access.denied`` with the route and the address (not the query string, not the body). The
API, which has no logged-in user, records its own with ``record_denied`` (the key's maker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from peregister.audit.models import AuditEvent
from peregister.audit.service import record
from peregister.core.ratelimit import client_address

# Dossiers (insight), the rapportage (reports), the back-office and the training providers'
# pages (another provider's requests and sessions are a 404 like a forbidden dossier).
WATCHED_NAMESPACES = frozenset(
    {"insight", "reports", "backoffice", "organisations_staff", "providers"}
)


def record_denied(
    request: HttpRequest, *, actor: Any, page: str, status: int = 404, **data: Any
) -> None:
    """An ``access.denied`` event for ``request`` (route and address, never the query string
    or the body), in a transaction of its own: the refusal writes nothing else."""
    with transaction.atomic():
        record(
            AuditEvent.Action.ACCESS_DENIED,
            actor=actor,
            page=page,
            path=request.path[:300],
            method=request.method,
            status=status,
            address=client_address(request),
            **data,
        )


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
            record_denied(
                request, actor=request.user, page=match.view_name, status=response.status_code
            )
        return response
