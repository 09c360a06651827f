"""A request id for every request, and one log line per request without personal data."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from peregister.core import request_context

logger = logging.getLogger("peregister.request")
HEADER = "X-Request-ID"
# Probes arrive every few seconds; a line for each would drown the rest.
QUIET_PATHS = frozenset({"/healthz", "/readyz"})


class RequestIdMiddleware:
    """Takes the proxy's ``X-Request-ID`` when one is trusted to set it
    (``TRUST_REQUEST_ID_HEADER``) and it looks like one, else makes one; echoes it. Without a
    proxy that sets it, the header is the client's: it would let anyone put chosen ids (or tie
    their requests to someone else's) in the logs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(HEADER, "") if settings.TRUST_REQUEST_ID_HEADER else ""
        request_id = offered if request_context.acceptable(offered) else request_context.new_id()
        started = time.perf_counter()
        with request_context.bound(request_id):
            response = self.get_response(request)
            if request.path not in QUIET_PATHS:
                match = request.resolver_match
                fields = {
                    "method": request.method,
                    # The route pattern, not the path: paths carry link secrets and codes.
                    "route": match.route if match else "(unresolved)",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                }
                logger.info(
                    "%(method)s %(route)s %(status)s %(duration_ms)s ms", fields, extra=fields
                )
        response[HEADER] = request_id
        return response
