"""The Key Assumptions Check in the REST API (registered through apps.assessments.techniques)."""

from rest_framework import mixins, serializers

from apps.assessments.api.base import AssessmentScoped

from .models import Assumption


class AssumptionSerializer(serializers.ModelSerializer):
    supports = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)

    class Meta:
        model = Assumption
        fields = ["key", "statement", "rationale", "citation", "supports", "analytic_line", "could_be_untrue",
                  "less_true_now", "confidence", "impact", "status", "needs_recheck", "recheck_reason",
                  "created_at", "updated_at"]  # fmt: skip


class AssumptionViewSet(AssessmentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = AssumptionSerializer
    queryset = Assumption.objects.none()
    lookup_field = "key"
    pagination_class = None

    def get_queryset(self):
        return Assumption.objects.filter(assessment=self.assessment).prefetch_related("supports")
