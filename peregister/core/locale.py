"""Dutch unless the user chose otherwise: the browser's Accept-Language does not switch the UI.

The register is a Dutch service; an English browser should not silently get a half-familiar
English screen. The choice comes from the language switch (cookie) or, for logged-in users
without one, from their account's language.

The API (``/api/``) is the exception: a provider's machine has no language switch and no
account language, so there ``Accept-Language`` chooses (``en`` or ``nl``; Dutch otherwise).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def chosen_language(request: HttpRequest) -> str:
    supported = {code for code, _ in settings.LANGUAGES}
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in supported:
        return str(cookie)
    user = getattr(request, "user", None)
    account_language = getattr(user, "language", None) if user is not None else None
    if user is not None and user.is_authenticated and account_language in supported:
        return str(account_language)
    return settings.LANGUAGE_CODE


API_PREFIX = "/api/"


def api_language(request: HttpRequest) -> str:
    """The first supported language of the request's ``Accept-Language`` (in order of
    preference), else Dutch."""
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(API_PREFIX):
            language = api_language(request)
        else:
            language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
