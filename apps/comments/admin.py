from django.contrib import admin

from .models import Comment, Thread


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    readonly_fields = ("author", "body", "created_at")


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("assessment", "kind", "started_by", "created_at", "resolved_at")
    list_filter = ("kind",)
    search_fields = ("assessment__title", "comments__body")
    readonly_fields = ("assessment", "kind", "evidence", "hypothesis", "target_type", "target_id", "started_by")
    inlines = [CommentInline]
