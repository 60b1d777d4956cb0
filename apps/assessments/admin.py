"""Assessments in the Django admin: read-only (every write goes through the services and their history),
searchable, each row linking to the assessment's page."""

from django.contrib import admin
from django.utils.html import format_html

from .models import Activity, Assessment, Evidence, Hypothesis, Marking, ScoreSnapshot


def _page_link(assessment_id: int, label: str = "open page"):
    return format_html('<a href="{}">{}</a>', Assessment(pk=assessment_id).get_absolute_url(), label)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="page")
    def page(self, obj):
        return _page_link(obj.pk if isinstance(obj, Assessment) else obj.assessment_id)


@admin.register(Marking)
class MarkingAdmin(admin.ModelAdmin):
    """The one list site admins edit here: the handling markings assessments choose from."""

    list_display = ["name", "order", "description"]
    list_editable = ["order"]
    search_fields = ["name", "description"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "team", "status", "marking", "content_version", "updated_at", "page"]
    list_filter = ["status", "marking", "team"]
    search_fields = ["title", "question", "slug", "team__name"]
    readonly_fields = ["page"]


@admin.register(Hypothesis)
class HypothesisAdmin(ReadOnlyAdmin):
    list_display = ["key", "statement", "prior", "assessment", "page"]
    list_filter = ["assessment__team"]
    search_fields = ["key", "statement", "assessment__title"]
    list_select_related = ["assessment"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "summary", "type", "credibility", "relevance", "assessment", "page"]
    list_filter = ["type", "credibility", "relevance", "assessment__team"]
    search_fields = ["key", "summary", "source", "citation", "assessment__title"]
    list_select_related = ["assessment"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "version", "created_at", "trigger", "duration_ms", "page"]
    list_filter = ["assessment__team"]
    search_fields = ["assessment__title", "trigger"]
    list_select_related = ["assessment"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "message", "actor", "assessment", "page"]
    list_filter = ["kind", "assessment__team"]
    search_fields = ["message", "assessment__title"]
    list_select_related = ["assessment", "actor"]
