"""Where a ``next`` address may send the browser: within this site only (ASVS 5.1.5, no open
redirect). One check for every view that follows a ``next``."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, value: object) -> str:
    """``value`` when it is an address on this site, else ``""``."""
    target = str(value or "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
