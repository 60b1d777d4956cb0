from django.contrib.auth import get_user_model, login
from django.http import HttpResponse
from django.urls import include, path


def login_as(request, username):
    """The provider's own sign-in, reduced to what the tests need: be this user at the provider."""
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": request.GET["email"]})
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponse("signed in at the provider")


urlpatterns = [
    path("login-as/<str:username>/", login_as),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
