"""Stored period figures: every ``PePeriod`` keeps its points earned and its latest renewal.

A period's points are the sum of its professional's completions dated within it; its latest
renewal (status and moment) decides *behaald* by approval and what the report says about the
dossier. Summing them again from the completions on every read made the *rapportage* and the
lists cost more with every completion in the register, so they are stored on the period and
kept right by the writers, **in the writer's own transaction**:

- completions added (attendance list, approved *eigen activiteit*, providers) or removed:
  ``count_completions`` (points with a sign), called by ``registry/completions.py``, the one
  writer of ``Completion`` rows;
- a period opened (renewal approved, registration reinstated, a new registration):
  ``open_period``, called by the service that opens it;
- a renewal submitted or decided: ``renewal_changed``, called by ``registry/renewals.py`` and
  ``backoffice/renewals.py``.

``close_periods`` changes no figure: the status is derived from the stored figures, the period's
dates and the day (``registry/periods.py``), so it cannot go stale overnight.

Points are added as increments (``points_earned + n``), never as a recount written back: two
transactions adding completions to one period at once queue on the period's row and both
count. ``stale_periods`` compares stored and recounted figures (``check_period_figures``;
``tests/test_period_figures.py`` over thousands of random histories) and ``repair_figures``
writes the recount (``repair_period_figures``, and after a bulk load that wrote rows directly:
the demo data, the benchmark's generator).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from peregister.core import clock
from peregister.registry.models import Completion, PePeriod, Registration, RenewalSubmission

# One UPDATE carries at most this many periods' increments (an attendance list of thousands
# of lines stays a handful of statements, each of bounded size).
UPDATE_BATCH = 500

# (professional id, completion date, points; negative for a completion removed)
CompletionPoints = tuple[int, dt.date, int]


def count_completions(
    changes: Iterable[CompletionPoints], professionals: models.QuerySet[Any] | None = None
) -> int:
    """Add each completion's points to the periods that contain its date; returns how many
    periods changed. Call inside the transaction that writes (or deletes) the completions.

    ``professionals``: optionally a queryset of the changes' professional ids (one column), so
    a long list of ids is not sent to the database again."""
    changes = list(changes)
    if not changes:
        return 0
    professional_ids = (
        professionals
        if professionals is not None
        else {professional_id for professional_id, _, _ in changes}
    )
    periods: dict[int, list[tuple[int, dt.date, dt.date]]] = defaultdict(list)
    for pk, professional_id, start, end in PePeriod.objects.filter(
        registration__professional_id__in=professional_ids
    ).values_list("pk", "registration__professional_id", "start", "end"):
        periods[professional_id].append((pk, start, end))
    deltas: dict[int, int] = defaultdict(int)
    for professional_id, day, points in changes:
        for pk, start, end in periods[professional_id]:
            if start <= day <= end:
                deltas[pk] += points
    changed = sorted(pk for pk, delta in deltas.items() if delta)
    # Sorted: two writers touching the same periods lock them in the same order.
    for offset in range(0, len(changed), UPDATE_BATCH):
        batch = changed[offset : offset + UPDATE_BATCH]
        increment = Case(
            *[When(pk=pk, then=Value(deltas[pk])) for pk in batch],
            default=Value(0),
            output_field=models.IntegerField(),
        )
        PePeriod.objects.filter(pk__in=batch).update(
            points_earned=F("points_earned") + increment, figures_changed_at=clock.now()
        )
    return len(changed)


def recounted_points() -> Coalesce:
    """The period's points summed again from the completions (for ``OuterRef`` of a period)."""
    completions = (
        Completion.objects.filter(
            professional__registrations=OuterRef("registration_id"),
            completed_on__gte=OuterRef("start"),
            completed_on__lte=OuterRef("end"),
        )
        .order_by()
        .values("professional_id")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Coalesce(Subquery(completions), Value(0), output_field=models.IntegerField())


def _latest_renewal() -> Any:
    return RenewalSubmission.objects.filter(period=OuterRef("pk")).order_by("-submitted_at", "-id")


def recounted_renewal_status() -> Coalesce:
    """The latest renewal's status, ``""`` without one."""
    return Coalesce(
        Subquery(_latest_renewal().values("status")[:1]),
        Value(""),
        output_field=models.CharField(),
    )


def recounted_renewal_submitted_at() -> Subquery:
    return Subquery(_latest_renewal().values("submitted_at")[:1])


def open_period(
    *, registration: Registration, start: dt.date, end: dt.date, points_required: int
) -> tuple[PePeriod, bool]:
    """The registration's period starting ``start``, created with its figures when new.

    A new period counts the completions already dated within it (a renewal approved late, a
    completion registered before the registration was): one statement, in the caller's
    transaction.
    """
    period, created = PePeriod.objects.get_or_create(
        registration=registration,
        start=start,
        defaults={"end": end, "points_required": points_required},
    )
    if created:
        PePeriod.objects.filter(pk=period.pk).update(
            points_earned=recounted_points(), figures_changed_at=clock.now()
        )
        period.refresh_from_db(fields=["points_earned"])
    return period, created


def renewal_changed(period_id: int) -> None:
    """A renewal of the period was submitted or decided: store its latest one again."""
    PePeriod.objects.filter(pk=period_id).update(
        renewal_status=recounted_renewal_status(),
        renewal_submitted_at=recounted_renewal_submitted_at(),
        figures_changed_at=clock.now(),
    )


def _differs(stored: str, recounted: str) -> Q:
    # IS DISTINCT FROM: NULL on one side only is a difference too.
    return (
        Q(**{f"{stored}__isnull": True}, **{f"{recounted}__isnull": False})
        | Q(**{f"{stored}__isnull": False}, **{f"{recounted}__isnull": True})
        | (~Q(**{stored: F(recounted)}) & Q(**{f"{stored}__isnull": False}))
    )


def stale_periods(periods: Any = None) -> Any:
    """Periods whose stored figures differ from a recount (``periods``: all when None)."""
    queryset = PePeriod.objects.all() if periods is None else periods
    return (
        queryset.annotate(
            recounted_points=recounted_points(),
            recounted_status=recounted_renewal_status(),
            recounted_submitted_at=recounted_renewal_submitted_at(),
        )
        .filter(
            ~Q(points_earned=F("recounted_points"))
            | ~Q(renewal_status=F("recounted_status"))
            | _differs("renewal_submitted_at", "recounted_submitted_at")
        )
        .order_by("pk")
    )


def rebuild_figures(periods: Any = None) -> int:
    """Write the recount into every one of ``periods`` (all when None), without comparing
    first: after a bulk load that wrote completions, periods or renewals directly."""
    queryset = PePeriod.objects.all() if periods is None else periods
    return int(
        queryset.update(
            points_earned=recounted_points(),
            renewal_status=recounted_renewal_status(),
            renewal_submitted_at=recounted_renewal_submitted_at(),
            figures_changed_at=clock.now(),
        )
    )


def repair_figures(periods: Any = None) -> int:
    """Write the recount into ``periods`` (all when None); returns how many were wrong."""
    queryset = PePeriod.objects.all() if periods is None else periods
    wrong = list(stale_periods(queryset).values_list("pk", flat=True))
    for offset in range(0, len(wrong), UPDATE_BATCH):
        rebuild_figures(PePeriod.objects.filter(pk__in=wrong[offset : offset + UPDATE_BATCH]))
    return len(wrong)
