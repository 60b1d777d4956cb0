from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from apps.assessments.techniques import TECHNIQUES

from .views import assessments, snapshots

app_name = "api"


# No session is read or changed here: CSRF would otherwise answer a POST with its HTML 403 page.
@csrf_exempt
def not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


ASSESSMENT = r"assessments/(?P<assessment_pk>[0-9]+)"

router = SimpleRouter()
router.register("assessments", assessments.AssessmentViewSet, basename="assessment")
router.register(f"{ASSESSMENT}/hypotheses", assessments.HypothesisViewSet, basename="hypothesis")
router.register(f"{ASSESSMENT}/evidence", assessments.EvidenceViewSet, basename="evidence")
router.register(f"{ASSESSMENT}/snapshots", snapshots.SnapshotViewSet, basename="snapshot")
# Each technique's endpoints, as it registered them (apps.assessments.techniques.ApiSection).
for technique in TECHNIQUES.values():
    for route in technique.api.routes if technique.api else ():
        router.register(f"{ASSESSMENT}/{route.prefix}", route.viewset, basename=route.basename)

urlpatterns = [
    path("v1/", include(router.urls)),
    # Any other /api/v1/ address (a malformed id, say) is answered in JSON like the rest of the API, not as a page.
    re_path(r"^v1/", not_found),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up code as a script file: no inline script, no CDN.
    # (drf-spectacular's Redoc page is left out: its template loads Google Fonts.)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
