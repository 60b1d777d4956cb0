# Apart from access.py: DRF imports permission classes while rest_framework.views is still loading.
from rest_framework import permissions


class TokenScope(permissions.BasePermission):
    """Read-only tokens may only read."""

    message = "This API token is read-only."

    def has_permission(self, request, view) -> bool:
        return request.method in permissions.SAFE_METHODS or not getattr(request.auth, "read_only", False)
