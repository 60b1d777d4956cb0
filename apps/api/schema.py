"""The schema states every answer the server gives: drf-spectacular documents successes, this adds the errors."""

from rest_framework import status

ERROR = {
    "type": "object",
    "description": "`detail` says why; a 400 names each field (or item index) with its messages instead.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
WHY = {
    status.HTTP_400_BAD_REQUEST: "The request is malformed or a value is invalid; nothing changed.",
    status.HTTP_401_UNAUTHORIZED: "No valid token or session (unknown, revoked or expired token).",
    status.HTTP_403_FORBIDDEN: "Your role or a read-only token does not allow this write.",
    status.HTTP_404_NOT_FOUND: "Not found, or not in one of your teams.",
    status.HTTP_409_CONFLICT: "The assessment is frozen (approved, archived or resolved), or the version you sent "
    "is stale.",
    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE: "The request body is over the size limit.",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "Send application/json.",
    status.HTTP_429_TOO_MANY_REQUESTS: "Over the rate limit: retry after the Retry-After header's seconds.",
}
WRITES = {"post", "put", "patch", "delete"}


def error_statuses(*, path: str, method: str, operation: dict) -> list[int]:
    codes = [status.HTTP_401_UNAUTHORIZED, status.HTTP_429_TOO_MANY_REQUESTS]
    if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
        codes.append(status.HTTP_404_NOT_FOUND)
    if operation.get("parameters") and any(p["in"] == "query" for p in operation["parameters"]):
        codes.append(status.HTTP_400_BAD_REQUEST)
    if method in WRITES:
        codes += [
            status.HTTP_400_BAD_REQUEST,
            status.HTTP_403_FORBIDDEN,
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        ]
        if "{assessment_pk}" in path:
            codes.append(status.HTTP_409_CONFLICT)
    return sorted(set(codes))


def request_bodies_exact(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: request bodies refuse unknown fields, as the server does
    (apps.assessments.api.fields.NoUnknownFields), and a text that must not be blank must hold more than spaces."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
            for field in component.get("properties", {}).values():
                # Text is trimmed before it is checked, so a required text needs more than spaces.
                if field.get("type") == "string" and field.get("minLength"):
                    if "pattern" in field:
                        field.setdefault("allOf", []).append({"pattern": r"\S"})
                    else:
                        field["pattern"] = r"\S"
    return result


def errors_documented(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation lists the error statuses it can answer."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in error_statuses(path=path, method=method, operation=operation):
                responses.setdefault(
                    str(code),
                    {
                        "description": WHY[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result
