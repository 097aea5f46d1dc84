from django.contrib import admin

from sotay.core.admin import ReadOnlyAdmin
from sotay.organizations.models import Organization, Seat, Term


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    """Browse only: tree changes go through the services (moves rewrite member paths)."""

    list_display = ["code", "name", "org_type", "depth", "valid_to"]
    search_fields = ["code", "name"]
    list_filter = ["org_type"]


admin.site.register(Term)
admin.site.register(Seat)
