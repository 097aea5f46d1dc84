"""Editing a member's sheet: every change needs a reason and an approving reference, is
audited field by field, and is refused if someone else saved the record meanwhile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sotay.accounts.permissions import MEMBERS_EDIT, MEMBERS_LIFECYCLE, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.text import is_valid_cccd, is_valid_phone, normalize_phone
from sotay.members.models import CardRecord, CorrectionRequest, CorrectionStatus, Member, Sex
from sotay.members.reference import ETHNIC_GROUPS, Education, PoliticalTheory

TEXT_FIELDS = {
    "religion": 100, "hometown": 255, "residence": 255, "occupation": 200, "general_education": 20,
    "professional_field": 200, "academic_title": 100, "foreign_language": 100, "it_skill": 100,
    "commendations": 5000, "discipline": 5000,
}  # fmt: skip
CHOICE_FIELDS = {
    "ethnicity": set(ETHNIC_GROUPS) | {""},
    "education": set(Education.values),
    "political_theory": set(PoliticalTheory.values),
    "sex": set(Sex.values),
}
EDITABLE = {"full_name", "birth_date", "phone", "cccd", *TEXT_FIELDS, *CHOICE_FIELDS}
CONFLICT = "Hồ sơ vừa được người khác cập nhật. Hãy tải lại trang và nhập lại thay đổi."


def _clean(field: str, value: Any) -> Any:
    """Normalise one submitted value or refuse it with a message naming the field."""
    label = Member._meta.get_field(field).verbose_name
    if field == "full_name":
        value = " ".join(str(value or "").split())
        if not 3 <= len(value) <= 150:
            raise ServiceError("Họ và tên phải có từ 3 đến 150 ký tự.", field=field)
        return value
    if field == "birth_date":
        if not isinstance(value, dt.date) or value > timezone.localdate() or value.year < 1900:
            raise ServiceError("Ngày sinh không hợp lệ.", field=field)
        return value
    if field == "phone":
        value = normalize_phone(str(value or ""))
        if value and not is_valid_phone(value):
            raise ServiceError(
                "Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
                field=field,
            )
        return value
    if field == "cccd":
        value = "".join(str(value or "").split()) or None
        if value and not is_valid_cccd(value):
            raise ServiceError("Số CCCD phải gồm đúng 12 chữ số.", field=field)
        return value
    if field in CHOICE_FIELDS:
        value = str(value or "").strip()
        if value not in CHOICE_FIELDS[field]:
            raise ServiceError(f"Giá trị “{value}” không có trong danh mục {label}.", field=field)
        return value
    value = str(value or "").strip()
    if len(value) > TEXT_FIELDS[field]:
        raise ServiceError(f"Trường {label} tối đa {TEXT_FIELDS[field]} ký tự.", field=field)
    return value


@transaction.atomic
def update_record(
    *,
    actor,
    member: Member,
    changes: dict[str, Any],
    reason: str,
    approval_ref: str,
    expected_version: int,
) -> Member:
    """Apply `changes` to the member sheet. Nothing is saved if any value is refused, the
    reason or the approving reference is missing, or the record changed since
    `expected_version` was read."""
    if not can(actor, MEMBERS_EDIT, member.organization):
        raise PermissionDenied()
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ServiceError(f"Không thể sửa trường {', '.join(sorted(unknown))} ở đây.")
    reason, approval_ref = " ".join((reason or "").split()), " ".join((approval_ref or "").split())
    if len(reason) < 5:
        raise ServiceError("Hãy ghi lý do thay đổi (ít nhất 5 ký tự).", field="reason")
    if len(approval_ref) < 3:
        raise ServiceError("Hãy ghi số văn bản phê duyệt của cấp ủy.", field="approval_ref")
    cleaned = {field: _clean(field, value) for field, value in changes.items()}
    current = Member.objects.select_for_update().get(pk=member.pk)
    if current.version != expected_version:
        raise ServiceError(CONFLICT)
    before = {f: getattr(current, f) for f in cleaned}
    changed = {f: v for f, v in cleaned.items() if before[f] != v}
    if not changed:
        raise ServiceError("Không có thay đổi nào để lưu.")
    if (
        "cccd" in changed
        and changed["cccd"]
        and Member.objects.filter(cccd=changed["cccd"]).exclude(pk=member.pk).exists()
    ):
        raise ServiceError(f"Số CCCD {changed['cccd']} đã có trong hệ thống.", field="cccd")
    for field, value in changed.items():
        setattr(current, field, value)
    current.version = F("version") + 1
    current.save(update_fields=[*changed, "version", "updated_at"])
    current.refresh_from_db()
    record(
        action="members.edited", actor=actor, target=current, note=f"{reason} (phê duyệt: {approval_ref})",
        changes={f: [_show(before[f]), _show(v)] for f, v in changed.items()},
    )  # fmt: skip
    return current


def _show(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def reissue_card(
    *, actor, member: Member, card_number: str, issued_on: dt.date, reason: str, approval_ref: str
) -> CardRecord:
    """A new party card: the old number goes to the card history, the new one becomes
    current. Card numbers are unique across current and historical cards."""
    if not can(actor, MEMBERS_EDIT, member.organization):
        raise PermissionDenied()
    card = "".join((card_number or "").split()).upper()
    if not card or len(card) > 20 or not card.replace(".", "").isalnum():
        raise ServiceError("Số thẻ đảng viên không hợp lệ.", field="card_number")
    if issued_on > timezone.localdate():
        raise ServiceError("Ngày cấp thẻ không được sau hôm nay.", field="issued_on")
    if len(" ".join((reason or "").split())) < 5 or len((approval_ref or "").strip()) < 3:
        raise ServiceError("Hãy ghi lý do và số văn bản phê duyệt.", field="reason")
    if (
        Member.objects.filter(card_number=card).exists()
        or CardRecord.objects.filter(card_number=card).exclude(member=member).exists()
    ):
        raise ServiceError(f"Số thẻ đảng viên {card} đã có trong hệ thống.", field="card_number")
    current = Member.objects.select_for_update().get(pk=member.pk)
    old = current.card_number
    if old:
        history = CardRecord.objects.filter(
            member=current, card_number=old, ended_on__isnull=True
        ).first()
        if history is None:
            history = CardRecord(member=current, card_number=old)
        history.ended_on = issued_on
        history.save()
    new = CardRecord.objects.create(member=current, card_number=card, issued_on=issued_on)
    current.card_number = card
    current.version = F("version") + 1
    current.save(update_fields=["card_number", "version", "updated_at"])
    record(action="members.card_reissued", actor=actor, target=current, changes={"card_number": [old, card]},
           note=f"{reason} (phê duyệt: {approval_ref})")  # fmt: skip
    return new


@transaction.atomic
def request_correction(*, user, message: str) -> CorrectionRequest:
    """A member asks for their own record to be corrected."""
    if not user.member_id or not user.is_approved:
        raise PermissionDenied(
            "Chỉ đảng viên có tài khoản mới gửi được đề nghị sửa hồ sơ của mình."
        )
    message = (message or "").strip()
    if len(message) < 10:
        raise ServiceError(
            "Hãy ghi rõ thông tin nào sai và cần sửa thế nào (ít nhất 10 ký tự).", field="message"
        )
    if len(message) > 2000:
        raise ServiceError("Nội dung đề nghị tối đa 2.000 ký tự.", field="message")
    if (
        CorrectionRequest.objects.filter(
            member_id=user.member_id, status=CorrectionStatus.OPEN
        ).count()
        >= 5
    ):
        raise ServiceError("Đồng chí đã có 5 đề nghị đang chờ xử lý; hãy chờ chi bộ trả lời.")
    req = CorrectionRequest.objects.create(
        member_id=user.member_id, requested_by=user, message=message
    )
    record(
        action="members.correction_requested", actor=user, target=user.member, note=message[:200]
    )
    return req


@transaction.atomic
def resolve_correction(
    *, actor, correction: CorrectionRequest, done: bool, resolution: str
) -> CorrectionRequest:
    """The branch (or the office) closes a request: corrected, or not with a reason."""
    req = (
        CorrectionRequest.objects.select_for_update()
        .select_related("member__organization")
        .get(pk=correction.pk)
    )
    if not (
        can(actor, MEMBERS_LIFECYCLE, req.member.organization)
        or can(actor, MEMBERS_EDIT, req.member.organization)
    ):
        raise PermissionDenied()
    if req.status != CorrectionStatus.OPEN:
        raise ServiceError("Đề nghị này đã được xử lý.")
    resolution = " ".join((resolution or "").split())
    if not done and len(resolution) < 5:
        raise ServiceError("Hãy ghi lý do không sửa.", field="resolution")
    req.status = CorrectionStatus.DONE if done else CorrectionStatus.REJECTED
    req.resolved_by, req.resolved_at, req.resolution = actor, timezone.now(), resolution[:500]
    req.save(update_fields=["status", "resolved_by", "resolved_at", "resolution"])
    record(
        action="members.correction_resolved",
        actor=actor,
        target=req.member,
        note=f"{req.get_status_display()}: {resolution}",
    )
    from sotay.notifications.services import notify_user

    notify_user(
        user=req.requested_by,
        title=f"Đề nghị sửa hồ sơ: {req.get_status_display()}",
        body=resolution,
    )
    return req
