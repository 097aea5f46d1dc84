"""Writes on accounts: sign-in with lock-out, registration and approval, one-time codes,
two-factor sign-in, role grants and API tokens. Views and the API only call these."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from sotay.accounts.models import (
    AccountStatus,
    ApiToken,
    CodePurpose,
    OneTimeCode,
    Role,
    RoleGrant,
    User,
)
from sotay.accounts.permissions import ACCOUNTS_MANAGE, ROLES_GRANT, can, forget
from sotay.audit.models import AuditEntry
from sotay.audit.services import record
from sotay.core.crypto import decrypt, encrypt
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.text import is_valid_cccd, is_valid_phone, normalize_phone
from sotay.members.models import ACTIVE_STATUSES, Member
from sotay.organizations.models import Organization

# One message for every registration mismatch: it must not reveal which field was wrong
# nor whether the person is a member at all.
REGISTRATION_MISMATCH = (
    "Thông tin không khớp với hồ sơ đảng viên nào có thể đăng ký. "
    "Vui lòng kiểm tra lại hoặc liên hệ bí thư chi bộ."
)
SIGN_IN_FAILED = "Tên đăng nhập hoặc mật khẩu không đúng."
ACCOUNT_LOCKED = (
    "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Hãy liên hệ bí thư chi bộ để mở khóa."
)
ADDRESS_BLOCKED = "Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau ít phút."
CODE_INVALID = "Mã không đúng, đã dùng hoặc đã hết hạn."
TOKEN_INVALID = "Mã truy cập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại."  # noqa: S105 - a message

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper by elderly users
TOTP_ISSUER = "Sổ tay đảng viên"


# ----- identifiers -----------------------------------------------------------------


def normalize_identifier(raw: str) -> str:
    return "".join((raw or "").split()).upper()


def find_user_by_identifier(raw: str) -> User | None:
    """A phone number or a party card number (or the username) to an account."""
    compact = "".join((raw or "").split())
    if not compact:
        return None
    ident = compact.upper()
    phone = normalize_phone(ident) if ident.lstrip("+").isdigit() else ""
    q = Q(username=compact) | Q(member__card_number=ident)
    if phone:
        q |= Q(phone=phone) | Q(username=phone)
    return User.objects.select_related("member").filter(q).order_by("pk").first()


def _path(user: User) -> str:
    """The tree path an account's audit entries are filed under (its member's branch)."""
    return user.member.org_path if user.member_id else ""


def lockout_window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.SOTAY_LOCKOUT_WINDOW_MINUTES)


def _address_blocked(ip: str, actions: tuple[str, ...]) -> bool:
    """Failures from one address in the window, read from the audit trail (indexed on
    action, ip, at) so every app process sees the same count."""
    failures = AuditEntry.objects.filter(
        action__in=actions, ip=ip, at__gte=lockout_window_start()
    ).count()
    return failures >= settings.SOTAY_LOCKOUT_ADDRESS_FAILURES


def is_locked(user: User) -> bool:
    """A lock lasts the lock-out window, or until the secretary lifts it."""
    return user.locked_at is not None and user.locked_at >= lockout_window_start()


# ----- sign-in ---------------------------------------------------------------------


def sign_in(*, identifier: str, password: str, ip: str) -> User:
    """Check a password sign-in, applying the per-address and per-account lock-outs.

    Returns the user (who may still owe a second factor); raises ServiceError with a
    message to show. Failures are recorded even though the call fails, which is why this
    function is deliberately not wrapped in a transaction.
    """
    if _address_blocked(ip, ("auth.login_failed",)):
        record(
            action="auth.login_blocked", ip=ip, target_label=normalize_identifier(identifier)[:40]
        )
        raise ServiceError(ADDRESS_BLOCKED)
    user = find_user_by_identifier(identifier)
    if user is None:
        User().set_password(password)  # same cost as a real check: no timing oracle
        record(
            action="auth.login_failed", ip=ip, target_label=normalize_identifier(identifier)[:40]
        )
        raise ServiceError(SIGN_IN_FAILED)
    org_path = _path(user)
    if is_locked(user):
        record(
            action="auth.login_failed",
            ip=ip,
            target=user,
            org_path=org_path,
            note="tài khoản đang bị khóa",
        )
        raise ServiceError(ACCOUNT_LOCKED)
    if not user.check_password(password):
        locked = _count_failure(user, ip, "sai mật khẩu")
        raise ServiceError(ACCOUNT_LOCKED if locked else SIGN_IN_FAILED)
    if not user.is_active or user.status == AccountStatus.DISABLED:
        record(
            action="auth.login_failed",
            ip=ip,
            target=user,
            org_path=org_path,
            note="tài khoản đã bị khóa",
        )
        raise ServiceError("Tài khoản đã bị khóa. Hãy liên hệ bí thư chi bộ.")
    if user.status == AccountStatus.REJECTED:
        record(
            action="auth.login_failed",
            ip=ip,
            target=user,
            org_path=org_path,
            note="đăng ký bị từ chối",
        )
        raise ServiceError(
            f"Đăng ký tài khoản đã bị từ chối. Lý do: {user.status_reason or 'không ghi'}."
        )
    return user


def _count_failure(user: User, ip: str, note: str) -> bool:
    """Count a failed password or second-factor attempt; lock the account when the limit
    is reached. Returns whether the account is now locked."""
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins"])
    locked = user.failed_logins >= settings.SOTAY_LOCKOUT_ACCOUNT_FAILURES
    if locked:
        User.objects.filter(pk=user.pk).update(locked_at=timezone.now())
        record(action="auth.locked", ip=ip, target=user, org_path=_path(user))
    record(action="auth.login_failed", ip=ip, target=user, org_path=_path(user), note=note)
    return locked


def record_sign_in(*, user: User, ip: str, method: str) -> None:
    """A complete sign-in (every factor passed): audit it and clear the failure count.
    Clearing only here keeps a correct password from resetting second-factor guesses."""
    if user.failed_logins or user.locked_at:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_at=None)
        user.failed_logins, user.locked_at = 0, None
    record(
        action="auth.login",
        actor=user,
        ip=ip,
        target=user,
        org_path=_path(user),
        note=method,
    )


def _member_scope_check(actor, user: User) -> None:
    """The actor must hold accounts.manage on the organisation of the account's member."""
    if user.member_id is None:
        if not (actor.is_superuser and actor.is_active):
            raise PermissionDenied()
        return
    if not can(actor, ACCOUNTS_MANAGE, user.member.organization):
        raise PermissionDenied()


@transaction.atomic
def unlock_account(*, actor, user: User) -> User:
    _member_scope_check(actor, user)
    if user.locked_at is None and user.failed_logins == 0:
        raise ServiceError("Tài khoản không bị khóa.")
    User.objects.filter(pk=user.pk).update(locked_at=None, failed_logins=0)
    user.locked_at, user.failed_logins = None, 0
    record(
        action="auth.unlocked",
        actor=actor,
        target=user,
        org_path=_path(user),
    )
    return user


# ----- registration ----------------------------------------------------------------


def register_account(
    *, card_number: str, cccd: str, birth_date: dt.date, phone: str, password: str, ip: str
) -> User:
    """Self-registration: the four facts must match one member record that has no
    account. The account is created pending, with no rights, for the branch secretary
    to approve. Any mismatch answers the same neutral message."""
    if _address_blocked(ip, ("auth.register_failed",)):
        raise ServiceError(ADDRESS_BLOCKED)
    card = normalize_identifier(card_number)
    cccd = "".join((cccd or "").split())
    phone = normalize_phone(phone)
    if not is_valid_phone(phone):
        raise ServiceError(
            "Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
            field="phone",
        )
    if not is_valid_cccd(cccd):
        raise ServiceError("Số CCCD phải gồm đúng 12 chữ số.", field="cccd")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc
    member = (
        Member.objects.select_related("organization")
        .filter(
            card_number=card,
            cccd=cccd,
            birth_date=birth_date,
            status__in=ACTIVE_STATUSES,
            account__isnull=True,
        )
        .first()
    )
    phone_taken = User.objects.filter(Q(phone=phone) | Q(username=phone)).exists()
    if member is None or phone_taken:
        record(action="auth.register_failed", ip=ip)
        raise ServiceError(REGISTRATION_MISMATCH)
    try:
        with transaction.atomic():
            user = User(
                username=phone,
                phone=phone,
                full_name=member.full_name,
                member=member,
                status=AccountStatus.PENDING,
            )
            user.set_password(password)
            user.save()
    except IntegrityError:
        # Two registrations for the same record raced: the unique member link won.
        record(action="auth.register_failed", ip=ip)
        raise ServiceError(REGISTRATION_MISMATCH) from None
    record(action="accounts.registered", actor=user, ip=ip, target=user, org_path=member.org_path)
    return user


@transaction.atomic
def approve_registration(*, actor, user: User) -> User:
    _member_scope_check(actor, user)
    if user.status != AccountStatus.PENDING:
        raise ServiceError("Tài khoản này không ở trạng thái chờ phê duyệt.")
    user.status = AccountStatus.ACTIVE
    user.status_reason = ""
    user.decided_by = actor
    user.decided_at = timezone.now()
    user.save(update_fields=["status", "status_reason", "decided_by", "decided_at"])
    record(
        action="accounts.approved",
        actor=actor,
        target=user,
        org_path=user.member.org_path,
        changes={"status": [AccountStatus.PENDING, AccountStatus.ACTIVE]},
    )
    from sotay.notifications.services import notify_user

    notify_user(
        user=user,
        title="Tài khoản của đồng chí đã được phê duyệt",
        body="Đồng chí có thể sử dụng đầy đủ ứng dụng.",
    )
    return user


@transaction.atomic
def reject_registration(*, actor, user: User, reason: str) -> User:
    _member_scope_check(actor, user)
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ServiceError("Hãy ghi lý do từ chối (ít nhất 5 ký tự).", field="reason")
    if user.status != AccountStatus.PENDING:
        raise ServiceError("Tài khoản này không ở trạng thái chờ phê duyệt.")
    user.status = AccountStatus.REJECTED
    user.status_reason = reason[:300]
    user.decided_by = actor
    user.decided_at = timezone.now()
    # Free the member record and the phone so the person can register again correctly.
    member_path = user.member.org_path
    user.member = None
    user.phone = None
    user.username = f"rejected-{user.pk}"
    user.save(
        update_fields=[
            "status",
            "status_reason",
            "decided_by",
            "decided_at",
            "member",
            "phone",
            "username",
        ]
    )
    record(
        action="accounts.rejected",
        actor=actor,
        target=user,
        org_path=member_path,
        changes={"status": [AccountStatus.PENDING, AccountStatus.REJECTED]},
        note=reason,
    )
    return user


# ----- one-time codes (activation, password reset) ----------------------------------


def _hash_code(code: str) -> str:
    normalized = "".join(code.split()).replace("-", "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _code_row(user: User, purpose: str, issued_by) -> tuple[OneTimeCode, str]:
    code = _new_code()
    row = OneTimeCode(
        user=user,
        purpose=purpose,
        code_hash=_hash_code(code),
        issued_by=issued_by,
        expires_at=timezone.now() + dt.timedelta(hours=settings.SOTAY_ONE_TIME_CODE_HOURS),
    )
    return row, code


@transaction.atomic
def issue_reset_code(*, actor, user: User) -> str:
    """A new password-reset code for one member's account; earlier unused codes die."""
    _member_scope_check(actor, user)
    if user.status != AccountStatus.ACTIVE:
        raise ServiceError("Chỉ cấp mã cho tài khoản đang hoạt động.")
    OneTimeCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    row, code = _code_row(user, CodePurpose.RESET, actor)
    row.save()
    record(
        action="accounts.reset_code_issued",
        actor=actor,
        target=user,
        org_path=_path(user),
    )
    return code


@transaction.atomic
def create_branch_accounts(*, actor, branch: Organization) -> list[tuple[Member, User, str]]:
    """Accounts for every active member of the branch (cells included) who has none, each
    with an activation code for the printed sheet. Set-based: two bulk inserts."""
    if not can(actor, ACCOUNTS_MANAGE, branch):
        raise PermissionDenied()
    if not branch.is_branch:
        raise ServiceError("Chỉ tạo tài khoản hàng loạt cho một chi bộ.")
    members = list(
        Member.objects.filter(
            org_path__startswith=branch.path, status__in=ACTIVE_STATUSES, account__isnull=True
        ).order_by("name_sort")
    )
    if not members:
        raise ServiceError("Mọi đảng viên của chi bộ đã có tài khoản.")
    # Phones already signing someone in (as phone or as username) cannot be reused.
    phones = [normalize_phone(m.phone) for m in members if m.phone]
    taken = {
        value
        for pair in User.objects.filter(Q(phone__in=phones) | Q(username__in=phones)).values_list(
            "phone", "username"
        )
        for value in pair
        if value
    }
    users = []
    for m in members:
        phone = normalize_phone(m.phone)
        usable_phone = phone if is_valid_phone(phone) and phone not in taken else None
        if usable_phone:
            taken.add(usable_phone)
        username = usable_phone or m.card_number or f"dv{m.pk}"
        user = User(
            username=username,
            phone=usable_phone,
            full_name=m.full_name,
            member=m,
            status=AccountStatus.ACTIVE,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35.
    rows, sheet = [], []
    for m, user in zip(members, users, strict=True):
        row, code = _code_row(user, CodePurpose.ACTIVATION, actor)
        rows.append(row)
        sheet.append((m, user, code))
    OneTimeCode.objects.bulk_create(rows)
    record(
        action="accounts.bulk_created", actor=actor, target=branch, note=f"{len(users)} tài khoản"
    )
    return sheet


def redeem_code(*, identifier: str, code: str, new_password: str, ip: str) -> User:
    """Set a password with a one-time code (activation or reset). Failures count toward
    the per-address lock-out; success also lifts an account lock."""
    if _address_blocked(ip, ("auth.code_failed", "auth.login_failed")):
        raise ServiceError(ADDRESS_BLOCKED)
    user = find_user_by_identifier(identifier)
    now = timezone.now()
    row = None
    if user is not None and user.status == AccountStatus.ACTIVE:
        row = OneTimeCode.objects.filter(
            user=user, code_hash=_hash_code(code or ""), used_at__isnull=True, expires_at__gt=now
        ).first()
    if row is None:
        record(action="auth.code_failed", ip=ip, target_label=normalize_identifier(identifier)[:40])
        raise ServiceError(CODE_INVALID)
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="new_password") from exc
    with transaction.atomic():
        claimed = OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now)
        if not claimed:
            raise ServiceError(CODE_INVALID)
        user.set_password(new_password)
        user.failed_logins = 0
        user.locked_at = None
        user.save(update_fields=["password", "failed_logins", "locked_at"])
        record(
            action=f"accounts.code_redeemed.{row.purpose}",
            actor=user,
            ip=ip,
            target=user,
            org_path=_path(user),
        )
    return user


def change_password(*, user: User, old_password: str, new_password: str, ip: str) -> User:
    if not user.check_password(old_password):
        raise ServiceError("Mật khẩu hiện tại không đúng.", field="old_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="new_password") from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(
        action="auth.password_changed",
        actor=user,
        ip=ip,
        target=user,
        org_path=_path(user),
    )
    return user


# ----- two-factor (TOTP) -----------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def _matching_step(secret: str, code: str) -> int | None:
    """The time step a code belongs to (±1 step of clock drift), or None."""
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        at = now + dt.timedelta(seconds=30 * drift)
        if hmac.compare_digest(totp.at(at), code):
            return int(at.timestamp()) // 30
    return None


@transaction.atomic
def enable_totp(*, user: User, secret: str, code: str, ip: str) -> User:
    step = _matching_step(secret, code)
    if step is None:
        raise ServiceError(
            "Mã xác thực không đúng. Hãy nhập mã 6 số đang hiện trên ứng dụng xác thực.",
            field="code",
        )
    user.totp_secret = encrypt(secret)
    user.totp_enabled_at = timezone.now()
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])
    record(
        action="auth.2fa_enabled",
        actor=user,
        ip=ip,
        target=user,
        org_path=_path(user),
    )
    return user


def verify_totp(*, user: User, code: str, ip: str) -> None:
    """Check a second-factor code; a code is accepted once (no replay). Wrong codes count
    toward the same account and address lock-outs as wrong passwords."""
    if _address_blocked(ip, ("auth.login_failed",)):
        raise ServiceError(ADDRESS_BLOCKED)
    if is_locked(user):
        raise ServiceError(ACCOUNT_LOCKED)
    step = _matching_step(decrypt(user.totp_secret), code) if user.has_totp else None
    if step is None or step <= user.totp_last_step:
        locked = _count_failure(user, ip, "sai mã xác thực hai lớp")
        raise ServiceError(
            ACCOUNT_LOCKED if locked else "Mã xác thực không đúng hoặc đã được dùng."
        )
    updated = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    if not updated:
        raise ServiceError("Mã xác thực không đúng hoặc đã được dùng.")
    user.totp_last_step = step


def needs_second_factor(user: User) -> bool:
    from sotay.accounts.permissions import is_above_member

    return user.has_totp or (
        settings.SOTAY_REQUIRE_2FA and user.status == AccountStatus.ACTIVE and is_above_member(user)
    )


# ----- role grants -----------------------------------------------------------------


@transaction.atomic
def grant_role(*, actor, user: User, org: Organization, role: str, starts_on: dt.date | None = None,
               ends_on: dt.date | None = None) -> RoleGrant:  # fmt: skip
    if role not in Role.values:
        raise ServiceError("Vai trò không hợp lệ.", field="role")
    if not can(actor, ROLES_GRANT, org):
        raise PermissionDenied()
    if role == Role.ADMIN and not actor.is_superuser:
        raise PermissionDenied("Chỉ quản trị hệ thống được cấp quyền quản trị.")
    if user.status != AccountStatus.ACTIVE:
        raise ServiceError("Chỉ cấp quyền cho tài khoản đang hoạt động.")
    starts_on = starts_on or timezone.localdate()
    if ends_on and ends_on < starts_on:
        raise ServiceError("Ngày kết thúc không thể trước ngày bắt đầu.", field="ends_on")
    grant = RoleGrant.objects.create(
        user=user,
        organization=org,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by=actor,
    )
    forget(user)
    record(action="accounts.role_granted", actor=actor, target=user, org_path=org.path,
           changes={"role": [None, f"{grant.get_role_display()} @ {org.code}"]})  # fmt: skip
    return grant


@transaction.atomic
def end_role_grant(*, actor, grant: RoleGrant, on: dt.date | None = None) -> RoleGrant:
    if not can(actor, ROLES_GRANT, grant.organization):
        raise PermissionDenied()
    on = on or timezone.localdate()
    if grant.ends_on is not None and grant.ends_on <= on:
        raise ServiceError("Quyền này đã kết thúc.")
    grant.ends_on = on
    grant.save(update_fields=["ends_on"])
    forget(grant.user)
    record(action="accounts.role_ended", actor=actor, target=grant.user, org_path=grant.organization.path,
           changes={"role": [f"{grant.get_role_display()} @ {grant.organization.code}", None]})  # fmt: skip
    return grant


# ----- API tokens ------------------------------------------------------------------


def _hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user: User, name: str, ip: str) -> tuple[ApiToken, str]:
    name = " ".join((name or "").split())[:100] or "Ứng dụng di động"
    plain = "sotay_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=_hash_token(plain),
        prefix=plain[6:14],
        expires_at=timezone.now() + dt.timedelta(days=settings.SOTAY_API_TOKEN_DAYS),
    )
    record(action="auth.token_created", actor=user, ip=ip, target=user, note=name,
           org_path=_path(user))  # fmt: skip
    return token, plain


def user_for_token(plain: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, revoked, expired).
    The token row is read by a prepared statement; the user comes from the same
    cached copy a session's request uses (`IdentifierBackend.get_user`, which also
    refuses an inactive account). Through the ORM, the token-user-member join was
    compiled and turned into models on every API request."""
    from sotay.accounts.backends import IdentifierBackend

    if not plain or not plain.startswith("sotay_"):
        return None
    row = _token_row(_hash_token(plain))
    if row is None:
        return None
    token_id, user_id, revoked_at, expires_at, last_used_at = row
    now = timezone.now()
    if revoked_at is not None or expires_at <= now:
        return None
    user = IdentifierBackend().get_user(user_id)
    if user is None:
        return None
    if last_used_at is None or now - last_used_at > dt.timedelta(minutes=5):
        # throttled: not a write per request
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


_TOKEN_FIELDS = ("id", "user_id", "revoked_at", "expires_at", "last_used_at")
_token_sql: list[str] = []  # built on first use (the quoting is the connection's)


def _token_row(key_hash: str) -> tuple | None:
    from django.db import connection

    from sotay.core import prepared

    if not prepared.enabled():  # SQLite: the ORM converts its text dates
        return ApiToken.objects.filter(key_hash=key_hash).values_list(*_TOKEN_FIELDS).first()
    if not _token_sql:
        quote = connection.ops.quote_name
        _token_sql.append(
            f"SELECT {', '.join(quote(f) for f in _TOKEN_FIELDS)} "  # noqa: S608 - model names
            f"FROM {quote(ApiToken._meta.db_table)} WHERE {quote('key_hash')} = %s"
        )
    with prepared.cursor() as cursor:
        cursor.execute(_token_sql[0], [key_hash])
        return cursor.fetchone()


@transaction.atomic
def revoke_api_token(*, user: User, token_id: int, ip: str) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        from django.http import Http404

        raise Http404("Không tìm thấy mã truy cập.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(action="auth.token_revoked", actor=user, ip=ip, target=user, note=token.name,
               org_path=_path(user))  # fmt: skip
    return token
