"""What every REST API endpoint about an assessment builds on (apps.api's own and the techniques' routes,
registered through apps.assessments.techniques): the page rules applied to API requests (team isolation,
roles, read-only tokens, the approval freeze) and the marking header."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, permissions, status, viewsets

from apps.assessments.access import assessment_for_user, write_refusal
from apps.assessments.models import Assessment

MARKING_HEADER = "Handling-Marking"


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


def row_errors(exc: DjangoValidationError, count: int) -> dict:
    """A service's "row N" errors as DRF reports a list's: keyed by the item's 0-based index."""
    rows, other = {}, {}
    for key, messages in exc.message_dict.items():
        number = key.removeprefix("row ")
        if number.isdigit() and 0 < int(number) <= count:
            rows[int(number) - 1] = {"non_field_errors": messages}
        else:
            other[key] = messages
    return {"items": rows, **other} if rows else other


class AssessmentScoped(viewsets.GenericViewSet):
    """Every endpoint under /assessments/{assessment_pk}/: fetch and authorise the assessment first.

    Reads need membership (404 otherwise); writes need an editing role (403) and an assessment that
    is not approved (409).
    """

    assessment = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            self.assessment = assessment_for_api(
                request, kwargs["assessment_pk"], write=request.method not in permissions.SAFE_METHODS
            )

    def finalize_response(self, request, response, *args, **kwargs):
        return marking_header(super().finalize_response(request, response, *args, **kwargs), self.assessment)


def marking_header(response, assessment):
    """The assessment's handling marking on every answer about it, as its pages and exports print it."""
    if assessment is not None and assessment.marking_id is not None:
        response[MARKING_HEADER] = assessment.marking.name
    return response
