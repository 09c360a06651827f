"""The project's URLconf plus one trivial view: the floor for the page figures."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as project_urlpatterns
from peregister.accounts.guards import authenticated

MINIMAL_PATH = "/__bench__/minimal/"
LAYOUT_PATH = "/__bench__/layout/"


@authenticated
def minimal(request: HttpRequest) -> HttpResponse:
    """Behind the same middleware (session, user, login required), doing nothing else."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@authenticated
def layout(request: HttpRequest) -> HttpResponse:
    """The site layout (base.html, menu, context processors) with an empty page in it."""
    return render(request, "base.html", {})


urlpatterns: list[Any] = [
    path(MINIMAL_PATH.strip("/") + "/", minimal, name="bench-minimal"),
    path(LAYOUT_PATH.strip("/") + "/", layout, name="bench-layout"),
]
urlpatterns += project_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]
