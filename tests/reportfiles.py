"""Fetching the *rapportage* as a file the way a browser does: ask for it (the task worker,
in-process in tests, makes the snapshot after commit), then download from its page."""

from __future__ import annotations

from typing import Any

from django.test import Client, TestCase

from peregister.reports.models import ReportSnapshot

REQUEST = "/werkgever/rapportage/bestand/"


def request_file(client: Client) -> ReportSnapshot:
    """Press *Rapportage downloaden*; the snapshot it leads to."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(REQUEST)
    assert response.status_code == 302, response.status_code
    code = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return ReportSnapshot.objects.get(code=code)


def page_url(snapshot: ReportSnapshot) -> str:
    return f"{REQUEST}{snapshot.code}/"


def file_url(snapshot: ReportSnapshot, file_format: str) -> str:
    return f"{page_url(snapshot)}rapportage.{file_format}"


def download(client: Client, file_format: str) -> Any:
    """Ask for the file and download it in ``file_format`` ("xlsx" or "csv")."""
    return client.get(file_url(request_file(client), file_format))
