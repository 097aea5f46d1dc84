"""Accounts, role grants, one-time codes and API tokens.

An account belongs to at most one member record. Self-registered accounts start
`pending` and carry no rights until the branch secretary approves them.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountStatus(models.TextChoices):
    PENDING = "pending", _("Chờ phê duyệt")
    ACTIVE = "active", _("Đang hoạt động")
    REJECTED = "rejected", _("Bị từ chối")
    DISABLED = "disabled", _("Đã khóa")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **extra):
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("status", AccountStatus.ACTIVE)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. `username` is the phone number, or the card number when the
    member has no phone; either the phone or the card number signs in."""

    username = models.CharField(_("tên đăng nhập"), max_length=32, unique=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, unique=True, null=True, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    status_reason = models.CharField(_("lý do"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_at = models.DateTimeField(_("bị khóa lúc"), null=True, blank=True)
    totp_secret = models.CharField(max_length=255, blank=True)  # encrypted, see core/crypto.py
    totp_enabled_at = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        indexes = [models.Index(fields=["status"], name="user_status")]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The signed-in user may be kept in the shared cache (backends.get_user): a saved
        # password, status or name must reach the next request, not the cached copy.
        from sotay.accounts.backends import forget_session_user

        forget_session_user(self.pk)

    @property
    def is_approved(self) -> bool:
        return self.status == AccountStatus.ACTIVE

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None


class Role(models.TextChoices):
    """Roles that can be granted on an organisation (and its whole subtree)."""

    SECRETARY = "secretary", _("Bí thư chi bộ")
    OFFICER = "officer", _("Cán bộ cấp ủy")
    OFFICE = "office", _("Văn phòng / Ban Tổ chức")
    INSPECTOR = "inspector", _("Ủy ban Kiểm tra")
    ADMIN = "admin", _("Quản trị hệ thống")


class RoleGrant(models.Model):
    """An explicit role on an organisation subtree for a period (`ends_on` exclusive).
    Committee seats imply roles too without a row here (see permissions.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="role_grants"
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    starts_on = models.DateField(_("từ ngày"), default=timezone.localdate)
    ends_on = models.DateField(_("đến ngày"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        indexes = [models.Index(fields=["user", "ends_on"], name="grant_user_end")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.organization}"


class CodePurpose(models.TextChoices):
    ACTIVATION = "activation", _("Kích hoạt tài khoản")
    RESET = "reset", _("Đặt lại mật khẩu")


class OneTimeCode(models.Model):
    """A short code handed over on paper by the branch secretary. Only its keyed hash is
    stored; it works once and expires."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=12, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã dùng một lần")
        verbose_name_plural = _("mã dùng một lần")
        indexes = [models.Index(fields=["user", "used_at"], name="otc_user_used")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} – {self.user}"


class ApiToken(models.Model):
    """A bearer token for the mobile app. Stored as a SHA-256 hash; the plain token is
    shown once. Listable and revocable by its owner."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên thiết bị"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
