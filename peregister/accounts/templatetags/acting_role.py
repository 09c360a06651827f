"""``{% csrf_token %}`` that also carries the acting role's key (a template builtin, so every
POST form has it without a tag of its own; ``middleware.ActingRoleFormMiddleware`` checks it)."""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html

from peregister.accounts.roles import ROLE_FIELD, Roles

register = template.Library()


class CsrfAndRoleNode(CsrfTokenNode):
    def render(self, context: Context) -> str:
        token = super().render(context)
        # The roles the middleware resolved for a logged-in user (no query, and nothing for an
        # anonymous page: it never asks for the user).
        roles: Roles | None = getattr(context.get("request"), "_pe_roles", None)
        if not token or roles is None or not roles.acting_key:
            return token
        return format_html(
            '{}<input type="hidden" name="{}" value="{}">', token, ROLE_FIELD, roles.acting_key
        )


@register.tag
def csrf_token(parser: Parser, token: Token) -> CsrfAndRoleNode:
    return CsrfAndRoleNode()
