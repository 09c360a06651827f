"""Response headers every page carries: no caching of personal data, and browser features off.

``Cache-Control: no-store`` is the default (ASVS 8.2.1): a page that may be cached says so
itself, and even then not for a browser that carries a session cookie, because whatever a
logged-in user sees (dossiers, *Professionals*, the report and its downloads) is personal.
The Content-Security-Policy itself comes from django-csp (settings ``CONTENT_SECURITY_POLICY``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Everything the register does not use is switched off; WebAuthn (passkeys) is allowed for the
# register itself, for the second factor.
PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "autoplay=()",
        "camera=()",
        "display-capture=()",
        "encrypted-media=()",
        "fullscreen=()",
        "geolocation=()",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "midi=()",
        "payment=()",
        "picture-in-picture=()",
        "publickey-credentials-create=(self)",
        "publickey-credentials-get=(self)",
        "screen-wake-lock=()",
        "sync-xhr=()",
        "usb=()",
        "xr-spatial-tracking=()",
    ]
)


def is_logged_in_browser(request: HttpRequest) -> bool:
    """True when the request carries a session (read from the cookie: no database query)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Static files (WhiteNoise, fingerprinted names) keep their long-lived caching.
        static = bool(settings.STATIC_URL) and request.path.startswith(str(settings.STATIC_URL))
        if not static and (
            is_logged_in_browser(request) or not response.has_header("Cache-Control")
        ):
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
