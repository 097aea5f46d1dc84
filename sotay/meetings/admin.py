from django.contrib import admin

from sotay.core.admin import ReadOnlyAdmin
from sotay.meetings.models import Liaison, Meeting, MeetingPattern


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    """Browse only: meetings change through the services (state rules, audit)."""

    list_display = ["topic", "organization", "kind", "state", "starts_at"]
    list_filter = ["kind", "state"]
    search_fields = ["topic"]


@admin.register(Liaison)
class LiaisonAdmin(ReadOnlyAdmin):
    """Who follows which branch for the superior committee. Assigned through
    `planning.assign_liaison` (API POST /meeting-liaisons), which checks the seat and
    overlapping periods."""

    list_display = ["organization", "member", "starts_on", "ends_on"]
    search_fields = ["organization__name", "member__full_name"]


@admin.register(MeetingPattern)
class MeetingPatternAdmin(ReadOnlyAdmin):
    list_display = ["organization", "kind", "day_of_month", "start_time", "duration_minutes"]
