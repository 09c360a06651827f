from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from peregister.access import policies
from peregister.core import clock
from peregister.home import demo
from peregister.organisations.models import Organisation
from peregister.registry.models import PePeriod, Professional, Registration

PRIVILEGED = {"register", "beheerder", "tweede-contact", "aanvrager", "aanbieder"}


@pytest.mark.django_db
def test_demo_data_is_complete_idempotent_and_every_login_works() -> None:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    counts = (Professional.objects.count(), Organisation.objects.count())
    call_command("load_demo_data", stdout=out)
    assert (Professional.objects.count(), Organisation.objects.count()) == counts == (200, 11)
    assert "already present" in out.getvalue()

    statuses = set(Organisation.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Organisation.Status}
    assert Registration.objects.filter(status=Registration.Status.LAPSED).exists()
    today = clock.today()
    period_statuses = Counter(
        p.progress(today).status for p in PePeriod.objects.with_progress().current(today)
    )
    assert {"on_track", "behind", "met", "expired"} <= set(period_statuses)

    for login in demo.DEMO_LOGINS:
        assert login.username in out.getvalue()
        client = Client()
        response = client.post(
            "/account/inloggen/", {"username": login.username, "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302, login.username
        if login.username in PRIVILEGED:
            # Second factor mandatory: set up at the first login, before any other page.
            assert response["Location"].startswith("/account/tweede-stap/"), login.username
            assert client.get("/account/tweede-stap/instellen/").status_code == 200
        else:
            assert client.get("/").status_code == 200
    assert "two-step verification at their first login" in out.getvalue()

    regional = Professional.objects.get(
        registration_number__isnull=False, user__username="professional"
    )
    from peregister.accounts.models import User

    assert policies.can_view_dossier(User.objects.get(username="regiomanager"), regional)


@pytest.mark.django_db
def test_the_demo_provider_can_walk_the_provider_path_and_the_api() -> None:
    """``aanbieder``: beheerder of an authorised provider with a recognised activity, a session
    just held and one upcoming; after the second step it makes an API key and sees its own
    activity and sessions through the API."""
    from peregister.accounts.models import User
    from peregister.providers import keys
    from tests.conftest import client_for

    call_command("load_demo_data", stdout=StringIO())
    user = User.objects.get(username="aanbieder")
    pages = client_for(user)
    activities = pages.get("/aanbieder/activiteiten/")
    assert activities.status_code == 200
    assert "Arbeidsrecht voor intercedenten" in activities.content.decode()
    raw = keys.create_api_key(actor=user, name="demo")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = api.get("/api/v1/activities").json()
    assert [a["title"] for a in listed] == ["Arbeidsrecht voor intercedenten"]
    sessions = api.get(f"/api/v1/activities/{listed[0]['code']}/sessions").json()
    today = clock.today()
    assert sorted(s["starts_on"] < today.isoformat() for s in sessions) == [False, True]
    assert "Arbeidsrecht voor intercedenten" in Client().get("/scholingsagenda/").content.decode()
