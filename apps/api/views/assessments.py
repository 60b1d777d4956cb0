from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from apps.assessments.api.base import (
    AssessmentScoped,
    assessment_for_api,
    marking_header,
    row_errors,
    validation_detail,
)
from apps.assessments.models import Assessment, Evidence, Hypothesis
from apps.assessments.origins import origin_key
from apps.assessments.services import (
    VersionConflict,
    assessment_create,
    duplicate_mark,
    duplicate_unmark,
    evidence_add,
    evidence_update,
    hypothesis_create,
    items_merge,
)

from ..serializers import (
    AssessmentInputSerializer,
    AssessmentSerializer,
    DuplicateMarkInputSerializer,
    DuplicateMarkSerializer,
    EvidenceBatchResultSerializer,
    EvidenceBatchSerializer,
    EvidenceFilterSerializer,
    EvidenceInputSerializer,
    EvidenceSerializer,
    EvidenceUpdateSerializer,
    HypothesisInputSerializer,
    HypothesisSerializer,
    MergeConflictSerializer,
    MergeInputSerializer,
    VersionConflictSerializer,
)


class AssessmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your teams' assessments; a new one is created in a team where you edit."""

    serializer_class = AssessmentSerializer
    queryset = Assessment.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Assessment.objects.filter(team__memberships__user=self.request.user).select_related("team", "marking")

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["roles"] = dict(self.request.user.memberships.values_list("team_id", "role"))
        return context

    def retrieve(self, request, pk: int):
        assessment = assessment_for_api(request, pk)
        return marking_header(Response(self.get_serializer(assessment).data), assessment)

    @extend_schema(request=AssessmentInputSerializer, responses={201: AssessmentSerializer})
    def create(self, request):
        """A new draft assessment in one of your teams, as the New assessment page makes it (analysts and team
        admins)."""
        serializer = AssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team = self._team(data.pop("team", None))
        assessment = assessment_create(team=team, user=request.user, **data)
        assessment = Assessment.objects.select_related("team", "marking").get(pk=assessment.pk)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)

    def _team(self, name: str | None):
        memberships = [m for m in self.request.user.memberships.select_related("team") if m.can_edit]
        if name is not None:
            memberships = [m for m in memberships if m.team.name == name]
        if not memberships:
            if name is None and not self.request.user.memberships.exists():
                raise PermissionDenied("You are in no team.")
            raise PermissionDenied("You cannot edit in that team: only analysts and team admins create assessments.")
        if len(memberships) > 1:
            raise ValidationError({"team": ["You edit in several teams: name one."]})
        return memberships[0].team


class DuplicatesMixin:
    """Duplicates of the viewset's items: mark one (analysts and team admins), clear its mark, merge it into
    another (team admins), through the same services as the pages."""

    model: type[Evidence] | type[Hypothesis]
    item_serializer: type

    def _other(self, key: str):
        other = self.model.objects.filter(assessment=self.assessment, key=key).first()  # type: ignore[attr-defined]
        if other is None:
            raise ValidationError({"into" if self.action == "merge" else "of": [f"No item with key {key}."]})  # type: ignore[attr-defined]
        return other

    @extend_schema(
        request=DuplicateMarkInputSerializer, responses={201: DuplicateMarkSerializer, 204: None}, methods=["POST"]
    )
    @extend_schema(request=None, responses={204: None}, methods=["DELETE"])
    @action(detail=True, methods=["post", "delete"])
    def duplicate(self, request, assessment_pk: int, key: str):
        """POST marks this item a duplicate of `of` (replacing its mark); DELETE clears its mark."""
        item = self.get_object()  # type: ignore[attr-defined]
        try:
            if request.method == "DELETE":
                duplicate_unmark(item=item, user=request.user)
                return Response(status=status.HTTP_204_NO_CONTENT)
            serializer = DuplicateMarkInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            mark = duplicate_mark(item=item, of=self._other(data["of"]), user=request.user, note=data.get("note", ""))
        except DjangoValidationError as exc:
            raise ValidationError(validation_detail(exc)) from exc
        return Response(DuplicateMarkSerializer(mark).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def merge(self, request, assessment_pk: int, key: str):
        """Merge this item into `into` (team admins): `into` remains and is answered; this one is gone. Each
        analyst's ratings reconcile (her differing ones listed to her alone on her matrix); comments and links
        move; the feed records it; a rescoring follows."""
        item = self.get_object()  # type: ignore[attr-defined]
        serializer = MergeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            kept = items_merge(
                kept=self._other(data["into"]),
                duplicate=item,
                user=request.user,
                kept_version=data["into_version"],
                duplicate_version=data["version"],
            )
        except VersionConflict as exc:
            current = exc.current
            return Response(
                {
                    "detail": f"{current.key} changed since you read it: read both again before merging.",  # type: ignore[attr-defined]
                    "key": current.key,  # type: ignore[attr-defined]
                    "version": current.version,  # type: ignore[attr-defined]
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            raise ValidationError(validation_detail(exc)) from exc
        return Response(self.item_serializer(kept).data)


def _merge_schema(item_serializer: type) -> dict:
    return {
        "merge": extend_schema(
            request=MergeInputSerializer, responses={200: item_serializer, 409: MergeConflictSerializer}
        )
    }


@extend_schema_view(**_merge_schema(HypothesisSerializer))
class HypothesisViewSet(DuplicatesMixin, AssessmentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The hypotheses in order; analysts and team admins add new ones."""

    serializer_class = HypothesisSerializer
    queryset = Hypothesis.objects.none()
    model = Hypothesis
    item_serializer = HypothesisSerializer
    lookup_field = "key"
    pagination_class = None

    def get_queryset(self):
        return Hypothesis.objects.filter(assessment=self.assessment)

    @extend_schema(request=HypothesisInputSerializer, responses={201: HypothesisSerializer})
    def create(self, request, assessment_pk: int):
        """Add a hypothesis, as the matrix page does (its key is the next free H number)."""
        serializer = HypothesisInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hypothesis = hypothesis_create(
                assessment=self.assessment, user=request.user, statement=serializer.validated_data["statement"]
            )
        except DjangoValidationError as exc:
            raise ValidationError(validation_detail(exc)) from exc
        return Response(HypothesisSerializer(hypothesis).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[EvidenceFilterSerializer]), **_merge_schema(EvidenceSerializer))
class EvidenceViewSet(DuplicatesMixin, AssessmentScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = EvidenceSerializer
    queryset = Evidence.objects.none()
    model = Evidence
    item_serializer = EvidenceSerializer
    lookup_field = "key"

    def get_queryset(self):
        queryset = Evidence.objects.filter(assessment=self.assessment).select_related("added_by")
        if self.action != "list":
            return queryset
        filters = EvidenceFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        if "date_after" in wanted:
            queryset = queryset.filter(date__gte=wanted["date_after"])
        if "date_before" in wanted:
            queryset = queryset.filter(date__lte=wanted["date_before"])
        if wanted.get("source"):
            queryset = queryset.filter(source__icontains=wanted["source"])
        if wanted.get("origin"):
            # The scoring rule's comparison (case and runs of spaces ignored) has no portable SQL form;
            # one assessment's origins are few enough to compare here.
            key = origin_key(wanted["origin"])
            same = [pk for pk, origin in queryset.values_list("pk", "origin") if origin_key(origin) == key]
            queryset = queryset.filter(pk__in=same)
        return queryset

    def _add(self, items: list[dict]) -> list[Evidence]:
        try:
            return evidence_add(assessment=self.assessment, user=self.request.user, items=items, via="api")
        except DjangoValidationError as exc:
            raise ValidationError(row_errors(exc, len(items))) from exc

    @extend_schema(request=EvidenceInputSerializer, responses={201: EvidenceSerializer})
    def create(self, request, assessment_pk: int):
        serializer = EvidenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        [evidence] = self._add([serializer.validated_data])
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EvidenceBatchSerializer, responses={201: EvidenceBatchResultSerializer})
    @action(detail=False, methods=["post"])
    def batch(self, request, assessment_pk: int):
        """All items or none: one invalid item rejects the batch, with errors listed per item."""
        serializer = EvidenceBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = self._add(serializer.validated_data["items"])
        version = Assessment.objects.values_list("content_version", flat=True).get(pk=self.assessment.pk)
        return Response(
            {"items": EvidenceSerializer(created, many=True).data, "content_version": version},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=EvidenceUpdateSerializer, responses={200: EvidenceSerializer, 409: VersionConflictSerializer}
    )
    def partial_update(self, request, assessment_pk: int, key: str):
        """Change some fields, sending the version you read; a stale version is answered 409 with the current item."""
        evidence = self.get_object()
        serializer = EvidenceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        expected = fields.pop("version")
        try:
            evidence = evidence_update(evidence=evidence, user=request.user, expected_version=expected, **fields)
        except VersionConflict as exc:
            return Response(
                {"detail": " ".join(exc.messages), "current": EvidenceSerializer(exc.current).data},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(EvidenceSerializer(evidence).data)
