from django.contrib import admin

from .models import Membership, Team


# Memberships change on the team's members page (View on site), through the services that keep the last
# team admin and record each change; here they are read-only.
class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role"]
    readonly_fields = ["user", "role"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "team__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
