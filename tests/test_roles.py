"""Who the user is arrives with request.user; the menu follows the view guards."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peregister.accounts.backends import UserWithRolesBackend
from peregister.accounts.guards import GUARDS, allowed
from peregister.accounts.roles import roles_of
from tests.conftest import World, client_for
from tests.matrix import PERSONAS

# Menu entries that stand for each guard's section (templates/includes/nav_items.html).
MENU = {
    "professional": "/mijn/inzage-werkgever/",
    "contact": "/werkgever/profiel/",
    "employer_insight": "/werkgever/professionals/",
    "organisation_manager": "/werkgever/beheerders/",
    "report": "/werkgever/rapportage/",
    "staff": "/register/organisaties/",
    "provider": "/aanbieder/activiteiten/",
    "provider_manager": "/aanbieder/api-sleutels/",
}


@pytest.mark.parametrize(
    "persona", ["professional", "contact_live", "administrator", "deputy", "staff"]
)
def test_the_backend_loads_the_roles_with_the_user(world: World, persona: str) -> None:
    user = world.personas()[persona]
    loaded = UserWithRolesBackend().get_user(user.pk)
    with CaptureQueriesContext(connection) as queries:
        roles = roles_of(loaded)
        organisation = roles.contact.organisation.name if roles.contact else None
    assert len(queries) == 0
    assert roles == roles_of(type(user).objects.get(pk=user.pk))
    if persona in ("contact_live", "administrator", "deputy"):
        assert organisation == world.organisation.name


def test_an_inactive_user_is_not_loaded(world: World) -> None:
    user = world.contact_live.user
    user.is_active = False
    user.save()
    assert UserWithRolesBackend().get_user(user.pk) is None


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_the_menu_shows_exactly_the_sections_the_guards_allow(world: World, persona: str) -> None:
    user = world.personas()[persona]
    body = client_for(user).get("/").content.decode()
    menu = body[body.index("<nav") : body.index("</nav>")]
    may = allowed(roles_of(user))
    assert set(may) == set(GUARDS) == set(MENU)
    for guard, path in MENU.items():
        assert (f'href="{path}"' in menu) == may[guard], (persona, guard)


def test_a_deactivated_contact_loses_the_employer_menu_and_pages(world: World) -> None:
    world.contact_live.active = False
    world.contact_live.save()
    client = client_for(world.contact_live.user)
    assert 'href="/werkgever/professionals/"' not in client.get("/").content.decode()
    assert client.get("/werkgever/professionals/").status_code == 404


def test_the_requests_professional_is_resolved_in_one_place() -> None:
    """``accounts.roles.request_professional`` is the one helper; views do not copy it."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "peregister"
    copies = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "request_roles(request).professional" in path.read_text()
        and path.relative_to(root).as_posix() != "accounts/roles.py"
    ]
    assert copies == []
