"""config/urls.py plus the one line a new technique adds there (see README, "Adding a technique")."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns


def page(request, pk: int) -> HttpResponse:
    return HttpResponse(status=204)


throwaway_patterns = ([path("assessments/<int:pk>/throwaway/", page, name="page")], "throwaway")

urlpatterns = [*project_urlpatterns, path("", include(throwaway_patterns))]
