"""What visitors reported, for staff to read; nothing here is edited."""

from django.contrib import admin

from guides.models import Resolution


@admin.register(Resolution)
class ResolutionAdmin(admin.ModelAdmin):
    """Read-only: what visitors reported. Nothing personal is stored."""

    list_display = ["created_at", "guide", "step_slug", "cause_slug", "fixed"]
    list_filter = ["guide", "fixed", "step_slug", "cause_slug"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
