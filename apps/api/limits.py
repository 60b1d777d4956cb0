"""Request limits: per-token rates, body size, page size."""

from django.conf import settings
from rest_framework import exceptions, pagination, parsers, status, throttling

from apps.core.jsonfile import json_load_strict


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (per user for browser sessions); rates in settings.API_THROTTLE_RATES."""

    scope = "api"

    def get_rate(self) -> str | None:
        # Read at request time (not import time) so the rate follows the settings.
        return settings.API_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str:
        token = request.auth
        if token is not None and hasattr(token, "digest"):
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        # A counter per fixed window, raised with the cache's atomic increment (Redis INCR when shared):
        # DRF's own history is read, appended and written back, so concurrent requests on several
        # workers could each read the same history and all pass.
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        window = int(self.now // self.duration)
        counter = f"{self.key}:{window}"
        self.cache.add(counter, 0, timeout=self.duration + 1)
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired between add and incr: this request opens the window again
            self.cache.add(counter, 1, timeout=self.duration + 1)
            count = 1
        self.window_end = (window + 1) * self.duration
        return count <= self.num_requests

    def wait(self) -> float:
        return max(self.window_end - self.now, 0)


class TokenWriteRateThrottle(TokenRateThrottle):
    scope = "api_write"

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class LimitedJSONParser(parsers.JSONParser):
    """JSON bodies up to settings.API_MAX_BODY_BYTES, read by the strict loader the file imports use.

    DRF reads the raw stream, past Django's own limit. The strict loader refuses a key twice in one object,
    NaN, NUL characters and deep nesting (Python's parser would recurse until it fails with a 500).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return json_load_strict(body)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error: {exc}.") from exc


class Pages(pagination.PageNumberPagination):
    """Numbered pages; a malformed page or page_size is a 400 (DRF would silently use the default size)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        return self._bounded(request, self.page_size_query_param, default=self.page_size, maximum=self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self._bounded(request, self.page_query_param, default=1, maximum=None)
        return super().paginate_queryset(queryset, request, view)

    def _bounded(self, request, name: str, *, default: int, maximum: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        upper = f" to {maximum}" if maximum else " or more"
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1 or (maximum and int(raw) > maximum):
            raise exceptions.ValidationError({name: [f"A whole number from 1{upper}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
