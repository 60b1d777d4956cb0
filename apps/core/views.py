from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from .health import broker_status, database_status
from .metrics import metrics_allowed, metrics_render


@require_GET
def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links. The static URL is looked up per request:
    # with the manifest storage it exists only after collectstatic, not when the URLconf is imported.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_GET
def healthz(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value.startswith("ok") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


@require_GET
def metrics(request):
    allowed = metrics_allowed(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.headers.get("X-Forwarded-For", ""),
        authorization=request.headers.get("Authorization", ""),
    )
    if not allowed:
        refusal = "Metrics are served to the configured addresses only."
        return HttpResponse(refusal, status=403, content_type="text/plain")
    return HttpResponse(metrics_render(), content_type="text/plain; version=0.0.4; charset=utf-8")
