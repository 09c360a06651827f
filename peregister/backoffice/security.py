"""*Beveiliging*: the security events (failed logins, throttling, password changes, denied
pages) for register staff, newest first, filtered by kind. Which actions count as security
events is ``AuditEvent.SECURITY_ACTIONS`` (one place)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from peregister.audit.models import AuditEvent


def security_choices() -> list[tuple[str, str]]:
    labels = dict(AuditEvent.Action.choices)
    return [("", str(_("alle")))] + [
        (action, str(labels.get(action, action))) for action in AuditEvent.SECURITY_ACTIONS
    ]


class SecurityFilterForm(forms.Form):
    soort = forms.ChoiceField(label=_("Soort"), required=False, choices=security_choices)


def security_events(kind: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(action__in=AuditEvent.SECURITY_ACTIONS)
    if kind:
        events = events.filter(action=kind)
    return events.select_related("actor").order_by("-at", "-id")
