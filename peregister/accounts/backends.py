"""Authentication that loads who the user is together with the user (one query per request)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from peregister.accounts.models import User
from peregister.accounts.roles import ROLE_RELATIONS


class UserWithRolesBackend(ModelBackend):
    """``ModelBackend`` whose ``request.user`` comes with its professional and contact."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related(*ROLE_RELATIONS).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
