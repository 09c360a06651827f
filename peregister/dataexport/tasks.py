"""The task that makes a professional's data export (``building.build_export``)."""

from __future__ import annotations

from django_tasks import task

from peregister.dataexport.building import build_export


@task()
def build_export_task(*, code: str) -> bool:
    return build_export(code)
