from rest_framework import permissions, viewsets

from ..access import assessment_for_api


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
