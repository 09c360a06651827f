"""A registration's status on a day by the period rule, whether or not ``close_periods`` ran.

The stored ``Registration.status`` changes when the daily ``close_periods`` runs. Between the
end of a period that ran out short and that run, it still says *actief*. What the register
tells someone else about a registration (a PE-verklaring) must not depend on when the job ran,
so ``standings`` applies the rule of ``registry.periods`` itself: an active registration whose
current period is *verlopen* has lapsed from the day after that period's end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from peregister.core import clock
from peregister.registry.models import PePeriod, Registration
from peregister.registry.periods import PeriodStatus


@dataclass(frozen=True)
class Standing:
    status: str  # a Registration.Status value
    since: dt.datetime | None = None  # when it stopped being active, when known
    ran_out_on: dt.date | None = None  # lapsed by the rule: the end of the period that ran out

    @property
    def active(self) -> bool:
        return self.status == Registration.Status.ACTIVE


def standings(registrations: Iterable[Registration], on: dt.date) -> dict[int, Standing]:
    """Each registration's standing on ``on``, by primary key; one query whatever the number."""
    chosen = {registration.pk: registration for registration in registrations}
    stored_active = [pk for pk, r in chosen.items() if r.status == Registration.Status.ACTIVE]
    ran_out: dict[int, dt.date] = {}
    if stored_active:
        ran_out = dict(
            PePeriod.objects.current(on)
            .filter(registration_id__in=stored_active)
            .with_status(on)
            .filter(period_status=PeriodStatus.EXPIRED)
            .values_list("registration_id", "end")
        )
    result = {}
    for pk, registration in chosen.items():
        if pk in ran_out:
            end = ran_out[pk]
            result[pk] = Standing(
                Registration.Status.LAPSED,
                since=clock.start_of_day(end + dt.timedelta(days=1)),
                ran_out_on=end,
            )
        elif registration.status == Registration.Status.ACTIVE:
            result[pk] = Standing(Registration.Status.ACTIVE)
        else:
            result[pk] = Standing(registration.status, since=registration.status_changed_at)
    return result


def standing(registration: Registration, on: dt.date) -> Standing:
    return standings([registration], on)[registration.pk]
