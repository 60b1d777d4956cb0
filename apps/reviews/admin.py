from django.contrib import admin

from .models import ReviewMark


@admin.register(ReviewMark)
class ReviewMarkAdmin(admin.ModelAdmin):
    list_display = ("user", "assessment", "seen_at", "seen_version")
    search_fields = ("user__username", "assessment__title")
