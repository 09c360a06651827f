"""Leeractiviteiten: the staff catalogue with search and filters; recognise, edit, end."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peregister.accounts.guards import staff_only
from peregister.backoffice.activities import (
    end_recognition,
    recognise_activity,
    update_activity,
)
from peregister.backoffice.activity_forms import (
    ActivityFilterForm,
    ActivityForm,
    EndRecognitionForm,
)
from peregister.backoffice.views.common import get_by_code_or_404
from peregister.core import clock
from peregister.core.pagination import PAGE_PARAM, page_of
from peregister.core.refusals import Refused
from peregister.registry.models import Completion, LearningActivity

PAGE_SIZE = 50
RECENT_COMPLETIONS = 50


def _filtered(form: ActivityFilterForm) -> QuerySet[LearningActivity]:
    activities = LearningActivity.objects.all()
    data = form.cleaned_data if form.is_valid() else {}
    if term := (data.get("q") or "").strip():
        activities = activities.filter(Q(title__icontains=term) | Q(provider__icontains=term))
    if kind := data.get("kind"):
        activities = activities.filter(kind=kind)
    today = clock.today()
    recognised_now = Q(recognised_from__lte=today) & (
        Q(recognised_until__isnull=True) | Q(recognised_until__gte=today)
    )
    if data.get("recognised") == "ja":
        activities = activities.filter(recognised_now)
    elif data.get("recognised") == "nee":
        activities = activities.exclude(recognised_now)
    return activities.order_by("title", "id")


@staff_only
@require_http_methods(["GET"])
def activity_list(request: HttpRequest) -> HttpResponse:
    form = ActivityFilterForm(request.GET)
    activities = _filtered(form)
    # Registrations per activity as a subquery: computed for the page's rows only (an
    # aggregate over a join would count every completion before cutting the page).
    registrations = (
        Completion.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = activities.select_related("organisation").annotate(
        completion_count=Coalesce(Subquery(registrations), 0)
    )
    listed = page_of(rows, counted=activities, per_page=PAGE_SIZE, query=request.GET)
    query = request.GET.copy()
    query.pop(PAGE_PARAM, None)
    return render(
        request,
        "backoffice/activity_list.html",
        {"form": form, "listed": listed, "query": query.urlencode(), "today": clock.today()},
        status=400 if form.errors else 200,
    )


def _activity_or_404(code: object) -> LearningActivity:
    return get_by_code_or_404(LearningActivity.objects.select_related("organisation"), code)


def _form_page(
    request: HttpRequest, form: ActivityForm, activity: LearningActivity | None, status: int
) -> HttpResponse:
    return render(
        request,
        "backoffice/activity_form.html",
        {"form": form, "activity": activity},
        status=status,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = ActivityForm(initial={"recognised_from": clock.today()})
        return _form_page(request, form, None, 200)
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            activity = recognise_activity(actor=request.user, data=form.to_data())
        except Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("De leeractiviteit is erkend."))
            return redirect("backoffice:activity", code=activity.code)
    return _form_page(request, form, None, 400)


@staff_only
@require_http_methods(["GET"])
def activity_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    activity = _activity_or_404(code)
    return _detail_page(request, activity, EndRecognitionForm(initial={"last_day": clock.today()}))


def _detail_page(
    request: HttpRequest,
    activity: LearningActivity,
    end_form: EndRecognitionForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backoffice/activity_detail.html",
        {
            "activity": activity,
            "end_form": end_form,
            "completion_count": activity.completions.count(),
            "recent_completions": list(
                activity.completions.select_related("professional").order_by(
                    "-completed_on", "-id"
                )[:RECENT_COMPLETIONS]
            ),
            "recognised_today": activity.is_recognised_on(clock.today()),
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    activity = _activity_or_404(code)
    if request.method != "POST":
        return _form_page(request, ActivityForm.for_activity(activity), activity, 200)
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            update_activity(actor=request.user, activity=activity, data=form.to_data())
        except Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("De wijzigingen zijn opgeslagen."))
            return redirect("backoffice:activity", code=activity.code)
    return _form_page(request, form, activity, 400)


@staff_only
@require_POST
def activity_end(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    activity = _activity_or_404(code)
    form = EndRecognitionForm(request.POST)
    if form.is_valid():
        try:
            end_recognition(
                actor=request.user, activity=activity, last_day=form.cleaned_data["last_day"]
            )
        except Refused as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, _("De erkenning is beëindigd."))
            return redirect("backoffice:activity", code=activity.code)
    return _detail_page(request, activity, form, status=400)
