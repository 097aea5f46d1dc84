from django.contrib import admin

from sotay.accounts.models import RoleGrant, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["username", "full_name", "status", "is_superuser", "locked_at"]
    search_fields = ["username", "full_name", "phone"]
    list_filter = ["status", "is_superuser"]
    exclude = ["password", "totp_secret"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "failed_logins",
        "totp_enabled_at",
        "totp_last_step",
        "decided_at",
    ]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organization", "starts_on", "ends_on"]
    list_filter = ["role"]
