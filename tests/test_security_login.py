"""Account security around the login (OWASP ASVS 4.0.3 V2: authentication)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_there_is_no_second_login_at_the_django_admin(world: World) -> None:
    """ASVS 2.2.1 (anti-automation on every authentication path): Django's admin had its own,
    unthrottled login for staff. It is gone; the only login is the product's."""
    world.staff.set_password("correct horse battery staple")
    world.staff.save()
    client = Client()
    for path in ("/django-admin/login/", "/admin/login/", "/django-admin/"):
        response = client.post(
            path, {"username": "registerstaff", "password": "correct horse battery staple"}
        )
        assert response.status_code == 404, path
    assert "_auth_user_id" not in client.session
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    namespaces = {
        pattern.namespace
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver)
    }
    assert "admin" not in namespaces


def test_the_permission_matrix_exempts_no_namespace() -> None:
    """ASVS 4.1.5 / 1.4.1: every URL is in the matrix; nothing is left to a second policy."""
    from tests import test_permission_matrix

    assert not getattr(test_permission_matrix, "EXEMPT_NAMESPACES", set())
