"""Presentie registreren: choose an activity and a date, paste or upload numbers, check, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from peregister.accounts.guards import staff_only
from peregister.backoffice.codes import parse_code
from peregister.backoffice.forms import (
    AttendanceConfirmForm,
    AttendanceCsvForm,
    AttendancePasteForm,
    sign_payload,
)
from peregister.core import clock
from peregister.core.refusals import Refused
from peregister.registry.attendance import Entry
from peregister.registry.completions import (
    LineStatus,
    check_attendance,
    register_completions,
)
from peregister.registry.models import LearningActivity


def _initial(request: HttpRequest) -> dict[str, object]:
    initial: dict[str, object] = {"day": clock.today()}
    code = parse_code(request.GET.get("activiteit"))
    if code is not None:
        activity = LearningActivity.objects.filter(code=code).first()
        if activity is not None:
            initial["activity"] = activity
    return initial


def _form_page(
    request: HttpRequest,
    *,
    paste_form: AttendancePasteForm,
    csv_form: AttendanceCsvForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "backoffice/attendance_form.html",
        {"paste_form": paste_form, "csv_form": csv_form},
        status=status,
    )


def _check_page(
    request: HttpRequest,
    activity: LearningActivity,
    entries: list[Entry],
    status: int = 200,
    edit_form: AttendancePasteForm | None = None,
) -> HttpResponse:
    check = check_attendance(activity=activity, entries=entries, today=clock.today())
    return render(
        request,
        "backoffice/attendance_check.html",
        {
            "check": check,
            "confirm_form": AttendanceConfirmForm(
                initial={"payload": sign_payload(activity, entries)}
            ),
            "statuses": LineStatus,
            "edit_form": edit_form,
        },
        status=status,
    )


@staff_only
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest) -> HttpResponse:
    initial = _initial(request)
    csv_form = AttendanceCsvForm(initial=initial)
    if request.method != "POST":
        return _form_page(
            request, paste_form=AttendancePasteForm(initial=initial), csv_form=csv_form
        )
    form = AttendancePasteForm(request.POST)
    if not form.is_valid():
        return _form_page(request, paste_form=form, csv_form=csv_form, status=400)
    # The pasted list stays at hand, so a line can be corrected and checked again.
    edit_form = AttendancePasteForm(
        initial={
            "activity": form.cleaned_data["activity"],
            "day": form.cleaned_data["day"],
            "numbers": "\n".join(entry.number for entry in form.entries),
        }
    )
    return _check_page(request, form.cleaned_data["activity"], form.entries, edit_form=edit_form)


@staff_only
@require_http_methods(["GET", "POST"])
def attendance_csv(request: HttpRequest) -> HttpResponse:
    initial = _initial(request)
    paste_form = AttendancePasteForm(initial=initial)
    if request.method != "POST":
        return _form_page(
            request, paste_form=paste_form, csv_form=AttendanceCsvForm(initial=initial)
        )
    form = AttendanceCsvForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, paste_form=paste_form, csv_form=form, status=400)
    return _check_page(request, form.cleaned_data["activity"], form.entries)


@staff_only
@require_POST
def attendance_confirm(request: HttpRequest) -> HttpResponse:
    form = AttendanceConfirmForm(request.POST)
    if not form.is_valid():
        return render(request, "backoffice/attendance_invalid.html", {"form": form}, status=400)
    try:
        applied = register_completions(
            actor=request.user, activity=form.activity, entries=form.entries
        )
    except Refused as refused:
        messages.error(request, refused.message)
        return _check_page(request, form.activity, form.entries, status=refused.status)
    return render(
        request, "backoffice/attendance_done.html", {"check": applied, "statuses": LineStatus}
    )
