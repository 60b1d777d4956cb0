from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "read_only", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["read_only"]
    search_fields = ["name", "user__username"]
    # Secrets are never stored; the digest identifies a token but cannot be turned back into one.
    readonly_fields = ["user", "digest", "prefix", "created_at", "last_used_at"]
