"""Writes on member records (the minimal set; the registry issue adds lifecycle events,
edits with reasons and imports)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from sotay.accounts.permissions import MEMBERS_EDIT, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.text import is_valid_cccd, is_valid_phone, normalize_phone
from sotay.members.models import Member, MemberStatus, Sex
from sotay.organizations.models import Organization


@transaction.atomic
def create_member(
    *,
    actor,
    organization: Organization,
    full_name: str,
    birth_date: dt.date,
    sex: str,
    phone: str = "",
    card_number: str = "",
    cccd: str = "",
    status: str = MemberStatus.FULL,
    joined_on: dt.date | None = None,
) -> Member:
    """Record one member. Refuses malformed or duplicate identifiers with a message
    naming the field; nothing is written on refusal."""
    if not can(actor, MEMBERS_EDIT, organization):
        raise PermissionDenied()
    if not organization.is_open:
        raise ServiceError("Tổ chức đã thôi hoạt động.", field="organization")
    full_name = " ".join((full_name or "").split())
    if len(full_name) < 3 or len(full_name) > 150:
        raise ServiceError("Họ và tên phải có từ 3 đến 150 ký tự.", field="full_name")
    if sex not in Sex.values:
        raise ServiceError("Giới tính không hợp lệ.", field="sex")
    if status not in (MemberStatus.FULL, MemberStatus.PROBATIONARY):
        raise ServiceError(
            "Đảng viên mới chỉ có thể ở tình trạng dự bị hoặc chính thức.", field="status"
        )
    today = timezone.localdate()
    if birth_date > today or birth_date.year < 1900 or (today.year - birth_date.year) < 18:
        raise ServiceError(
            "Ngày sinh không hợp lệ (đảng viên phải đủ 18 tuổi).", field="birth_date"
        )
    if joined_on and (joined_on > today or joined_on < birth_date):
        raise ServiceError("Ngày vào Đảng không hợp lệ.", field="joined_on")
    phone = normalize_phone(phone) if phone else ""
    if phone and not is_valid_phone(phone):
        raise ServiceError(
            "Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
            field="phone",
        )
    card = "".join((card_number or "").split()).upper() or None
    if card and (len(card) > 20 or not card.replace(".", "").isalnum()):
        raise ServiceError("Số thẻ đảng viên không hợp lệ.", field="card_number")
    cccd = "".join((cccd or "").split()) or None
    if cccd and not is_valid_cccd(cccd):
        raise ServiceError("Số CCCD phải gồm đúng 12 chữ số.", field="cccd")
    if card and Member.objects.filter(card_number=card).exists():
        raise ServiceError(f"Số thẻ đảng viên {card} đã có trong hệ thống.", field="card_number")
    if cccd and Member.objects.filter(cccd=cccd).exists():
        raise ServiceError(f"Số CCCD {cccd} đã có trong hệ thống.", field="cccd")
    try:
        with transaction.atomic():
            member = Member.objects.create(
                full_name=full_name, birth_date=birth_date, sex=sex, phone=phone, card_number=card, cccd=cccd,
                status=status, joined_on=joined_on, organization=organization,
            )  # fmt: skip
    except IntegrityError:
        # A concurrent insert took the same card or CCCD between the check and the write.
        raise ServiceError("Số thẻ đảng viên hoặc số CCCD đã có trong hệ thống.") from None
    record(
        action="members.created",
        actor=actor,
        target=member,
        changes={"full_name": [None, full_name]},
    )
    return member
