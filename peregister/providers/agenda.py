"""*Scholingsagenda*: recognised activities with their upcoming sessions, searchable.

Public, like a provider's own course calendar: it shows catalogue data only (titles,
providers, points, dates, places), nothing about any person, and a professional or employer
looking for a course should not need an account to find one.
"""

from __future__ import annotations

from django import forms
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from peregister.accounts.guards import public
from peregister.core import clock
from peregister.core.pagination import paginate
from peregister.organisations.models import Organisation
from peregister.registry.models import LearningActivity, Session

PER_PAGE = 50


class AgendaForm(forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Soort"),
        required=False,
        choices=[("", _("alle soorten")), *LearningActivity.Kind.choices],
    )


def upcoming_sessions(*, q: str = "", kind: str = "") -> QuerySet[Session]:
    """Sessions not yet over, of activities recognised on their first day, offered by the
    staff catalogue or by a provider that is authorised now (not a suspended one)."""
    found = Session.objects.filter(
        Q(activity__recognised_until__isnull=True)
        | Q(activity__recognised_until__gte=F("starts_on")),
        Q(activity__offered_by__isnull=True)
        | Q(activity__offered_by__status=Organisation.Status.AUTHORISED),
        ends_on__gte=clock.today(),
        activity__recognised_from__lte=F("starts_on"),
    ).select_related("activity")
    for word in q.split()[:5]:
        found = found.filter(
            Q(activity__title__icontains=word) | Q(activity__provider__icontains=word)
        )
    if kind:
        found = found.filter(activity__kind=kind)
    return found.order_by("starts_on", "activity__title", "id")


@public
@require_http_methods(["GET"])
def agenda(request: HttpRequest) -> HttpResponse:
    form = AgendaForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    sessions = upcoming_sessions(q=data.get("q", ""), kind=data.get("kind", ""))
    page = paginate(sessions, PER_PAGE, request.GET)
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "providers/agenda.html",
        {"form": form, "page": page, "page_query": query.urlencode()},
        status=200 if form.is_valid() or not request.GET else 400,
    )
