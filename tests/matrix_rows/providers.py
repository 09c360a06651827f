"""Training providers' pages (aanbieder) and the register's review of accreditation requests."""

import datetime as dt
import uuid

from peregister.core import clock
from peregister.providers import keys
from peregister.providers.models import ApiKey
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


def own_key(world: World) -> ApiKey:
    return keys.create_api_key(actor=world.provider_admin.user, name="Administratie")[0]


PROVIDER_EMPTY_POST = expect(404, provider_admin=400)
PROVIDER_MANAGER = expect(404, provider_admin=200)
# The API authenticates by API key only: a browser session (any persona) gets 401 JSON; the
# key's own behaviour is in test_completions_api.py.
API = expect(401, anonymous=401)
EVERYONE = expect(200, anonymous=200)

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
        "providers:session_change",
        lambda w: f"/aanbieder/uitvoeringen/{own_session(w).code}/wijzigen/",
        ONLY_PROVIDER,
    ),
    Row(
        "providers:session_change",
        lambda w: f"/aanbieder/uitvoeringen/{own_session(w).code}/wijzigen/",
        PROVIDER_EMPTY_POST,
        method="post",
    ),
    Row(
        "providers:session_cancel",
        lambda w: f"/aanbieder/uitvoeringen/{own_session(w).code}/annuleren/",
        expect(404, provider_admin=302),
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
    Row("providers:api_keys", lambda w: "/aanbieder/api-sleutels/", PROVIDER_MANAGER),
    Row(
        "providers:api_keys",
        lambda w: "/aanbieder/api-sleutels/",
        expect(404, provider_admin=400),
        method="post",
    ),
    Row(
        "providers:api_key_revoke",
        lambda w: f"/aanbieder/api-sleutels/{own_key(w).code}/intrekken/",
        expect(404, provider_admin=302),
        method="post",
    ),
    # Public: catalogue data only (see providers/agenda.py).
    Row("agenda:agenda", lambda w: "/scholingsagenda/?q=arbeidsrecht", EVERYONE),
    Row("api:list_activities", lambda w: "/api/v1/activities", API),
    Row(
        "api:list_sessions",
        lambda w: f"/api/v1/activities/{own_session(w).activity.code}/sessions",
        API,
    ),
    Row("api:post_completions", lambda w: "/api/v1/completions", API, method="post"),
    Row("api:get_batch", lambda w: f"/api/v1/completions/{uuid.uuid4()}", API),
    Row("api:openapi-json", lambda w: "/api/v1/openapi.json", EVERYONE),
    Row("api:openapi-view", lambda w: "/api/v1/docs", EVERYONE),
    Row("api:api-root", lambda w: "/api/v1/", expect(404, anonymous=404)),
    Row("api:not-found", lambda w: "/api/v1/nope", expect(404, anonymous=404)),
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
