"""OpenID Connect single sign-on (mozilla-django-oidc), on when OIDC_RP_CLIENT_ID is set.

The provider's answer goes through django.contrib.auth.authenticate like a password: axes' backend first
refuses a locked address, a failed exchange is a failed login for axes, and OIDCBackend refuses an account
that axes has locked. The provider's e-mail claim finds the workbench account (OIDC_CREATE_USER creates
none by default: accounts belong to teams). A user with a second factor then gives its code, as after a
password.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import second_factor


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class OIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        user = super().authenticate(request, **kwargs)
        if user is None or not self.user_can_authenticate(user):
            return None
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            # AxesMiddleware turns the callback's answer into the lockout page.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return None
        return user


class RequestView(OIDCAuthenticationRequestView):
    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)


class CallbackView(OIDCAuthenticationCallbackView):
    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def failure_url(self):
        return reverse("accounts:login")

    def login_failure(self):
        messages.error(
            self.request,
            f"Sign-in with {settings.OIDC_PROVIDER_NAME} did not succeed: the provider refused, or no "
            "workbench account has its e-mail address.",
        )
        return super().login_failure()

    def login_success(self):
        if user_has_device(self.user):
            second_factor.pending_start(self.request, self.user, next_url=self.success_url)
            return redirect("accounts:login_verify")
        return super().login_success()
