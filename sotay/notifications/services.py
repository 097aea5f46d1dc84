"""Sending notices. A notice to a subtree is one Notice row plus one INSERT … SELECT of
receipts for every active account attached there: set-based, whatever the size."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from sotay.accounts.models import AccountStatus
from sotay.accounts.permissions import NOTICES_SEND, can
from sotay.audit.services import record
from sotay.core.cache import bump, forget_user
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.notifications.models import Notice, Receipt
from sotay.organizations.models import Organization


def _clean(title: str, body: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    body = (body or "").strip()
    if len(title) < 3:
        raise ServiceError("Tiêu đề thông báo phải có ít nhất 3 ký tự.", field="title")
    if len(title) > 200:
        raise ServiceError("Tiêu đề thông báo tối đa 200 ký tự.", field="title")
    if len(body) > 5000:
        raise ServiceError("Nội dung thông báo tối đa 5.000 ký tự.", field="body")
    return title, body


@transaction.atomic
def send_notice(*, actor, org: Organization, title: str, body: str = "", url: str = "") -> Notice:
    """Notify every active account whose member is attached in `org`'s subtree."""
    if actor is not None and not can(actor, NOTICES_SEND, org):
        raise PermissionDenied()
    title, body = _clean(title, body)
    if url and not url.startswith("/"):
        raise ServiceError("Liên kết phải là một trang trong hệ thống.", field="url")
    notice = Notice.objects.create(title=title, body=body, url=url, organization=org, sender=actor)
    from sotay.accounts.models import User
    from sotay.members.models import Member

    user_t, member_t, receipt_t = User._meta.db_table, Member._meta.db_table, Receipt._meta.db_table
    # Prefix match on the path copied onto member rows; the path alphabet is [0-9A-Z] so
    # it needs no LIKE escaping.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {receipt_t} (notice_id, user_id, read_at) "  # noqa: S608 - table names from models
            f"SELECT %s, u.id, NULL FROM {user_t} u JOIN {member_t} m ON m.id = u.member_id "
            "WHERE m.org_path LIKE %s AND u.status = %s AND u.is_active",
            [notice.pk, org.path + "%", AccountStatus.ACTIVE],
        )
        count = cursor.rowcount
    notice.recipient_count = max(count, 0)
    notice.save(update_fields=["recipient_count"])
    transaction.on_commit(lambda: bump("unread"))
    record(
        action="notices.sent",
        actor=actor,
        target=org,
        note=f"{title} → {notice.recipient_count} người nhận",
    )
    return notice


@transaction.atomic
def notify_user(*, user, title: str, body: str = "", url: str = "") -> Notice:
    """A notice to one person (approvals, system messages)."""
    title, body = _clean(title, body)
    notice = Notice.objects.create(title=title, body=body, url=url, recipient_count=1)
    Receipt.objects.create(notice=notice, user=user)
    transaction.on_commit(lambda: forget_user("unread", user.pk))
    return notice


def mark_read(*, user, receipt: Receipt) -> Receipt:
    if receipt.user_id != user.pk:
        raise PermissionDenied()
    if receipt.read_at is None:
        receipt.read_at = timezone.now()
        receipt.save(update_fields=["read_at"])
        transaction.on_commit(lambda: forget_user("unread", user.pk))
    return receipt


def mark_all_read(*, user) -> int:
    updated = Receipt.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    transaction.on_commit(lambda: forget_user("unread", user.pk))
    return updated


@transaction.atomic
def notify_users(
    *,
    users,
    title: str,
    body: str = "",
    url: str = "",
    org: Organization | None = None,
    sender=None,
) -> Notice:
    """One notice to every active account in the `users` queryset (any filter over
    accounts, e.g. the members summoned to a meeting): one Notice row and one
    INSERT … SELECT of receipts, whatever the number. The caller checks permission."""
    from sotay.accounts.models import User

    title, body = _clean(title, body)
    if url and not url.startswith("/"):
        raise ServiceError("Liên kết phải là một trang trong hệ thống.", field="url")
    notice = Notice.objects.create(title=title, body=body, url=url, organization=org, sender=sender)
    ids = (
        users.filter(status=AccountStatus.ACTIVE, is_active=True)
        .order_by()
        .annotate(recipient_id=F("pk"))
        .values("recipient_id")
        .distinct()
    )
    sql, params = ids.query.sql_with_params()
    receipt_t = Receipt._meta.db_table
    if users.model is not User:
        raise TypeError("notify_users takes a queryset of accounts")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {receipt_t} (notice_id, user_id, read_at) "  # noqa: S608 - table name from the model, the rest parameters
            f"SELECT %s, sub.recipient_id, NULL FROM ({sql}) sub",
            [notice.pk, *params],
        )
        count = cursor.rowcount
    notice.recipient_count = max(count, 0)
    notice.save(update_fields=["recipient_count"])
    transaction.on_commit(lambda: bump("unread"))
    return notice
