"""The single sign-on buttons of the login page (``{% sso_providers as providers %}``)."""

from __future__ import annotations

from django import template

from peregister.accounts import sso

register = template.Library()


@register.simple_tag
def sso_providers() -> list[sso.Provider]:
    """The configured OpenID Connect providers (from settings; no query)."""
    return sso.providers()
