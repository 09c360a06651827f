"""A page of one's other role (a link in an alert mail, a bookmark) answers 404 under the
current role, like any page that is not yours; for a person with several roles that page
offers the switch and then opens the same page, so the link is no dead end (issue 18)."""

from __future__ import annotations

from peregister.accounts.roles import SESSION_ROLE, contact_key
from tests.conftest import World

LIST = "/werkgever/professionals/"


def test_the_not_found_page_offers_the_other_role_and_returns_to_the_page(world: World) -> None:
    client = world.client("dual_as_professional")
    response = client.get(LIST)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Hoort deze pagina bij een andere rol?" in body
    assert 'class="role-switch-here"' in body
    assert f'<input type="hidden" name="next" value="{LIST}">' in body

    switched = client.post(
        "/account/rol-wisselen/", {"role": contact_key(world.dual_contact), "next": LIST}
    )
    assert switched.status_code == 302
    assert switched["Location"] == LIST
    assert client.session[SESSION_ROLE] == contact_key(world.dual_contact)
    assert client.get(LIST).status_code == 200


def test_a_foreign_next_address_leads_to_the_start_page(world: World) -> None:
    """ASVS 5.1.5: the switch only redirects within the site (no open redirect)."""
    client = world.client("dual_as_professional")
    for unsafe in ("https://evil.example/", "//evil.example/werkgever/", "javascript:alert(1)"):
        response = client.post(
            "/account/rol-wisselen/", {"role": contact_key(world.dual_contact), "next": unsafe}
        )
        assert response.status_code == 302
        assert response["Location"] == "/"


def test_a_person_with_one_role_sees_no_switch_on_the_not_found_page(world: World) -> None:
    body = world.client("professional").get(LIST).content.decode()
    assert "Hoort deze pagina bij een andere rol?" not in body
    assert 'class="role-switch-here"' not in body
