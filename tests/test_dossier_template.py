"""The shared dossier body: what every viewer of a dossier reads."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from peregister.registry.dossier import registration_views
from tests import factories


def test_dossier_lists_periods_with_their_own_activities_and_totals(db: None) -> None:
    registration = factories.RegistrationFactory(registered_on=dt.date(2022, 1, 1))
    factories.PePeriodFactory(registration=registration, start=dt.date(2022, 1, 1))
    factories.PePeriodFactory(registration=registration, start=dt.date(2024, 1, 1))
    professional = registration.professional
    factories.CompletionFactory(
        professional=professional, completed_on=dt.date(2023, 5, 1), title="Oud", points=12
    )
    factories.CompletionFactory(
        professional=professional, completed_on=dt.date(2025, 5, 1), title="Nieuw", points=3
    )
    views = registration_views(professional, dt.date(2025, 6, 1), with_completions=True)
    assert [c.title for c in views[0].current.completions] == ["Nieuw"]
    assert [c.title for c in views[0].earlier[0].completions] == ["Oud"]
    html = render_to_string("registry/_dossier.html", {"registrations": views})
    assert "overzicht PE-activiteiten" in html
    assert "Eerdere PE-periodes" in html
    assert "12 / 12" in html
