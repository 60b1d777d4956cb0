from django.contrib import admin
from django.urls import include, path

from apps.accounts.views import LoginView
from apps.core.views import favicon, healthz, metrics

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # The admin signs in through the workbench's own login page (lockout, second factor).
    path("admin/login/", LoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    # OpenID Connect sign-in (404 unless OIDC_RP_CLIENT_ID is set): /accounts/oidc/authenticate/, callback/.
    path("accounts/oidc/", include("mozilla_django_oidc.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("accounts/api-tokens/", include("apps.api.token_urls")),
    path("api/", include("apps.api.urls")),
    path("", include("apps.assessments.urls")),
    path("", include("apps.comments.urls")),
    path("", include("apps.ach.urls")),
    path("", include("apps.key_assumptions.urls")),
    path("", include("apps.indicators.urls")),
    path("", include("apps.quality.urls")),
    path("", include("apps.reviews.urls")),
]
