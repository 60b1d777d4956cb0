"""The API's errors: Django's access and validation errors answered as DRF answers its own."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler

from apps.assessments.api.base import validation_detail


def api_exception_handler(exc, context):
    # DRF turns Django's PermissionDenied into a generic message; keep the access layer's reason.
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    return exception_handler(exc, context)
