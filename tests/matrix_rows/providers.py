"""Training providers' pages (aanbieder) and the register's review of accreditation requests."""

import datetime as dt

from peregister.core import clock
from peregister.registry.models import AccreditationRequest, LearningActivity, Session
from tests import factories
from tests.conftest import World
from tests.matrix import Row, expect

ONLY_PROVIDER = expect(404, provider_admin=200)
ONLY_STAFF = expect(404, staff=200)
STAFF_EMPTY_POST = expect(404, staff=400)


def own_request(world: World) -> AccreditationRequest:
    """A submitted request of the world's provider (Opleider Vakwijs)."""
    found = AccreditationRequest.objects.filter(provider=world.provider_admin.organisation).first()
    return found or factories.AccreditationRequestFactory.create(
        provider=world.provider_admin.organisation, submitted_by=world.provider_admin.user
    )


def own_session(world: World) -> Session:
    """A session of a recognised activity of the world's provider."""
    found = Session.objects.filter(activity__offered_by=world.provider_admin.organisation).first()
    if found is not None:
        return found
    request = own_request(world)
    activity = LearningActivity.objects.create(
        title=request.title,
        provider=request.provider.name,
        kind=request.kind,
        points=2,
        recognised_from=dt.date(2020, 1, 1),
        offered_by=request.provider,
    )
    AccreditationRequest.objects.filter(pk=request.pk).update(
        status=AccreditationRequest.Status.RECOGNISED, decided_at=clock.now(), activity=activity
    )
    today = clock.today()
    return Session.objects.create(
        activity=activity, starts_on=today, ends_on=today, online=True, created_at=clock.now()
    )


PROVIDER_EMPTY_POST = expect(404, provider_admin=400)

ROWS = [
    Row("providers:requests", lambda w: "/aanbieder/activiteiten/", ONLY_PROVIDER),
    Row("providers:request_add", lambda w: "/aanbieder/activiteiten/aanvragen/", ONLY_PROVIDER),
    Row(
        "providers:request_add",
        lambda w: "/aanbieder/activiteiten/aanvragen/",
        expect(404, provider_admin=400),
        method="post",
    ),
    Row(
        "providers:request",
        lambda w: f"/aanbieder/activiteiten/{own_request(w).code}/",
        ONLY_PROVIDER,
    ),
    Row(
        "providers:session_add",
        lambda w: f"/aanbieder/activiteiten/{own_request(w).code}/uitvoeringen/",
        PROVIDER_EMPTY_POST,
        method="post",
    ),
    Row(
        "providers:attendance",
        lambda w: f"/aanbieder/uitvoeringen/{own_session(w).code}/presentie/",
        ONLY_PROVIDER,
    ),
    Row(
        "providers:attendance",
        lambda w: f"/aanbieder/uitvoeringen/{own_session(w).code}/presentie/",
        PROVIDER_EMPTY_POST,
        method="post",
    ),
    Row(
        "providers:attendance_csv",
        lambda w: f"/aanbieder/uitvoeringen/{own_session(w).code}/presentie/csv/",
        PROVIDER_EMPTY_POST,
        method="post",
    ),
    Row(
        "providers:attendance_confirm",
        lambda w: f"/aanbieder/uitvoeringen/{own_session(w).code}/presentie/bevestigen/",
        PROVIDER_EMPTY_POST,
        method="post",
    ),
    Row("backoffice:accreditations", lambda w: "/register/accreditatie/", ONLY_STAFF),
    Row(
        "backoffice:accreditation",
        lambda w: f"/register/accreditatie/{own_request(w).code}/",
        ONLY_STAFF,
    ),
    Row(
        "backoffice:accreditation_recognise",
        lambda w: f"/register/accreditatie/{own_request(w).code}/erkennen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
    Row(
        "backoffice:accreditation_reject",
        lambda w: f"/register/accreditatie/{own_request(w).code}/afwijzen/",
        STAFF_EMPTY_POST,
        method="post",
    ),
]
