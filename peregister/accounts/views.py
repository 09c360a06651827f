from __future__ import annotations

from django.contrib.auth import views as auth_views

from peregister.accounts.forms import LoginForm
from peregister.core.view_policies import authenticated, public

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
logout = authenticated(auth_views.LogoutView.as_view())
