"""The Key Assumptions Check in the REST API (registered through apps.assessments.techniques)."""

from rest_framework import mixins, serializers

from apps.assessments.api.base import AssessmentScoped

from .models import Assumption
from .services.assumptions import ASSUMPTION_FIELDS


class AssumptionSerializer(serializers.ModelSerializer):
    supports = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Assumption
        fields = ["key", *ASSUMPTION_FIELDS, "needs_recheck", "recheck_reason", "created_at", "updated_at"]


class AssumptionViewSet(AssessmentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = AssumptionSerializer
    queryset = Assumption.objects.none()
    lookup_field = "key"
    pagination_class = None

    def get_queryset(self):
        return Assumption.objects.filter(assessment=self.assessment).prefetch_related("supports")
