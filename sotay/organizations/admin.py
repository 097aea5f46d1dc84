from django.contrib import admin

from sotay.organizations.models import Organization, Seat, Term


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Browse only: tree changes go through the services (moves rewrite member paths)."""

    list_display = ["code", "name", "org_type", "depth", "valid_to"]
    search_fields = ["code", "name"]
    list_filter = ["org_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Term)
admin.site.register(Seat)
