"""Input checks before any query (OWASP ASVS 4.0.3 V5.1.3/V5.1.4, V13: input validation)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from peregister.accounts.models import User
from peregister.organisations.models import Contact, Organisation
from peregister.registry.models import SelfReport
from tests import factories
from tests.conftest import World, client_for
from tests.matrix import all_rows
from tests.test_onboarding import valid_request
from tests.test_self_reports import report_post

pytestmark = pytest.mark.django_db
HUGE = "a" * 60_000


def test_a_50001_character_username_on_the_account_request_is_a_400_not_a_500() -> None:
    """ASVS 5.1.4: the length check comes before the uniqueness query (SQLite refused the LIKE
    pattern as too complex: a 500)."""
    response = Client().post("/account/aanvragen/", valid_request(username="u" * 50_001))
    assert response.status_code == 400
    assert "Gebruik hoogstens 150 tekens." in response.content.decode()
    assert not Organisation.objects.exists()


def test_adding_a_contact_with_a_60000_character_username_is_a_400(world: World) -> None:
    before = Contact.objects.count()
    response = client_for(world.administrator.user).post(
        "/werkgever/beheerders/toevoegen/",
        {
            "kind": "person",
            "name": "Nieuwe collega",
            "email": "nieuw@debrug.example",
            "role": "contact",
            "username": HUGE,
            "language": "nl",
        },
    )
    assert response.status_code == 400
    assert Contact.objects.count() == before


@pytest.mark.parametrize("field", ["new_password1", "username_or_email"])
def test_password_and_lookup_fields_have_a_length_limit(world: World, field: str) -> None:
    """ASVS 2.1.2: passwords of more than 128 characters are refused before any hashing."""
    from peregister.accounts.forms import LinkSetPasswordForm, NewLinkForm

    form = (
        LinkSetPasswordForm(world.contact_live.user, {field: "x" * 5000, "new_password2": "x"})
        if field == "new_password1"
        else NewLinkForm({field: "x" * 5000})
    )
    assert not form.is_valid()
    assert field in form.errors


class _Forms(HTMLParser):
    """The fields of every form on a page: (method, action, names)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(
                (values.get("method", "get").lower(), values.get("action", ""), set())
            )
        elif (
            tag in {"input", "textarea", "select"}
            and self.forms
            and values.get("name")
            and values.get("type") not in {"file", "submit"}
        ):
            self.forms[-1][2].add(values["name"])


def _first_persona_allowed(row: object) -> str | None:
    expected = row.expected  # type: ignore[attr-defined]
    for persona in ("staff", "administrator", "professional", "contact_live", "anonymous"):
        if expected.get(persona) == 200:
            return persona
    return None


GET_ROWS = [row for row in all_rows() if row.method == "get" and _first_persona_allowed(row)]


@pytest.mark.parametrize("row", GET_ROWS, ids=[row.url_name for row in GET_ROWS])
def test_every_form_answers_60000_characters_in_every_field_without_a_500(
    world: World, row: object
) -> None:
    """ASVS 5.1.3/5.1.4, everywhere: every field of every form on every page of the matrix
    gets 60,000 characters; length and shape are checked before any query, so no page answers
    500 (nor writes anything: counts stay)."""
    persona = _first_persona_allowed(row)
    assert persona is not None
    client = client_for(world.personas()[persona])
    path = row.path(world)  # type: ignore[attr-defined]
    page = client.get(path)
    if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
        return
    parser = _Forms()
    parser.feed(page.content.decode())
    users, organisations, reports = (
        User.objects.count(),
        Organisation.objects.count(),
        SelfReport.objects.count(),
    )
    for method, action, names in parser.forms:
        if not names or re.search(r"(uitloggen|logout|/taal/)", action):
            continue
        data = {name: HUGE for name in names if name != "csrfmiddlewaretoken"}
        target = action or path
        response = client.post(target, data) if method == "post" else client.get(target, data)
        assert response.status_code < 500, (method, target)
    assert (User.objects.count(), Organisation.objects.count(), SelfReport.objects.count()) == (
        users,
        organisations,
        reports,
    )


# --- finding 12: ASCII digits only ---------------------------------------------------------


@pytest.mark.parametrize("points", ["٣", "１２", "³", "۵"])
def test_points_in_other_scripts_are_refused(world: World, points: str) -> None:
    """ASVS 5.1.3: points are ASCII digits only (int() would read ٣ as 3)."""
    response = client_for(world.professional.user).post(
        "/eigen-activiteit/nieuw/", report_post(points_claimed=points)
    )
    assert response.status_code == 400
    assert "Vul een heel getal in." in response.content.decode()
    assert not SelfReport.objects.exists()


@pytest.mark.parametrize("points", ["٣", "１２"])
def test_staff_approval_points_in_other_scripts_are_refused(world: World, points: str) -> None:
    report = factories.SelfReportFactory(professional=world.professional)
    response = client_for(world.staff).post(
        f"/register/eigen-activiteiten/{report.code}/goedkeuren/", {"points": points}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == SelfReport.Status.SUBMITTED


def test_ascii_digits_are_the_only_digits() -> None:
    from peregister.core.numbers import ascii_digits

    assert ascii_digits("0123456789")
    for text in ("", "٣", "１２", "²", "1²", "1 2", "-1", "+1", "1.0"):
        assert not ascii_digits(text), text


def test_the_readme_does_not_promise_leading_zeros_in_the_csv() -> None:
    """Excel and LibreOffice read a CSV cell 00123 as the number 123; the README says which
    format keeps leading zeros (XLSX), as the report page does."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "text in both CSV and XLSX" not in readme
    section = readme.split("## File formats", 1)[1].split("\n## ", 1)[0]
    assert "XLSX keeps" in section
