"""Authentication that loads who the user is together with the user (two queries per request:
the user with the professional record, and the user's contacts with their organisations)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.backends import ModelBackend
from django.db.models import Model, Prefetch

from peregister.accounts.models import User
from peregister.accounts.roles import CONTACTS_RELATION, ROLE_RELATIONS


class UserWithRolesBackend(ModelBackend):
    """``ModelBackend`` whose ``request.user`` comes with its professional and contacts."""

    def get_user(self, user_id: Any) -> User | None:
        # The contact model is reached through the relation, not imported: accounts sits below
        # organisations.
        contacts = cast("type[Model]", User._meta.get_field(CONTACTS_RELATION).related_model)
        try:
            user = (
                User._default_manager.select_related(*ROLE_RELATIONS)
                .prefetch_related(
                    Prefetch(
                        CONTACTS_RELATION,
                        queryset=contacts._default_manager.select_related("organisation"),
                    )
                )
                .get(pk=user_id)
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
