from django.contrib import admin

from .models import Assumption, Change, CheckRound, CollectionRequirement, EvidenceLink, Judgment


class JudgmentInline(admin.TabularInline):
    model = Judgment
    extra = 0
    raw_id_fields = ["analyst"]


class EvidenceLinkInline(admin.TabularInline):
    model = EvidenceLink
    extra = 0
    raw_id_fields = ["evidence", "created_by"]


@admin.register(Assumption)
class AssumptionAdmin(admin.ModelAdmin):
    list_display = ["key", "assessment", "confidence", "impact", "status", "needs_recheck", "owner"]
    list_filter = ["confidence", "impact", "status", "needs_recheck"]
    search_fields = ["statement", "key", "assessment__title"]
    raw_id_fields = ["assessment", "owner", "checked_by"]
    filter_horizontal = ["supports"]
    inlines = [JudgmentInline, EvidenceLinkInline]


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["assumption", "action", "actor_name", "at"]
    list_filter = ["action"]
    raw_id_fields = ["assumption", "actor"]


@admin.register(CollectionRequirement)
class CollectionRequirementAdmin(admin.ModelAdmin):
    list_display = ["assumption", "need", "due", "status"]
    list_filter = ["status"]
    raw_id_fields = ["assessment", "assumption", "created_by"]


@admin.register(CheckRound)
class CheckRoundAdmin(admin.ModelAdmin):
    list_display = ["assessment", "number", "completed_by", "completed_at"]
    raw_id_fields = ["assessment", "completed_by"]
