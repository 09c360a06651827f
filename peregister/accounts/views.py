from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.forms import Form
from django.http import HttpResponse

from peregister.accounts.forms import LoginForm
from peregister.core.view_policies import authenticated, public


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: Form) -> HttpResponse:
        # A failed login is a client error: 400 with the message, like every other form.
        response = super().form_invalid(form)
        response.status_code = 400
        return response


login = public(LoginView.as_view())
logout = authenticated(auth_views.LogoutView.as_view())
