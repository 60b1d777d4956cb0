"""The page rules, applied to API requests: team isolation, roles, read-only tokens, the approval freeze."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from apps.assessments.access import assessment_for_user, write_refusal
from apps.assessments.models import Assessment


class Frozen(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This assessment is approved and frozen: a supervisor must reopen it before it can change."
    default_code = "approved"


def assessment_for_api(request, pk: int, *, write: bool = False) -> Assessment:
    """assessment_for_user (404 outside the user's teams, 403 without the role), then the freeze."""
    # The API answers the freeze with its own 409 (below) rather than the pages' 403.
    assessment = assessment_for_user(request.user, pk, write=write, while_frozen=True)
    frozen = write_refusal(assessment)
    if write and frozen is not None:
        raise Frozen(frozen)
    return assessment


def validation_detail(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def api_exception_handler(exc, context):
    # DRF turns Django's PermissionDenied into a generic message; keep the access layer's reason.
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    return exception_handler(exc, context)
