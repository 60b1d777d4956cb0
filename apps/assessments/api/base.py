from rest_framework import permissions, viewsets

from ..access import assessment_for_api

MARKING_HEADER = "Handling-Marking"


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
