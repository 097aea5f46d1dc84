"""Editing a member's sheet: every change needs a reason and an approving reference, is
audited field by field, and is refused if someone else saved the record meanwhile. The
portrait photo is checked by content and re-encoded before it is stored."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageOps

from sotay.accounts.permissions import MEMBERS_EDIT, MEMBERS_LIFECYCLE, can
from sotay.audit.services import record
from sotay.core.errors import Conflict, PermissionDenied, ServiceError
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


def clean_field(field: str, value: Any) -> Any:
    """Normalise one submitted value or refuse it with a message naming the field."""
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
            label = Member._meta.get_field(field).verbose_name
            raise ServiceError(f"Giá trị “{value}” không có trong danh mục {label}.", field=field)
        return value
    value = str(value or "").strip()
    if len(value) > TEXT_FIELDS[field]:
        label = Member._meta.get_field(field).verbose_name
        raise ServiceError(f"Trường {label} tối đa {TEXT_FIELDS[field]} ký tự.", field=field)
    return value


def clean_card(value: Any) -> str:
    """A party card number without spaces, upper-case; digits, letters and dots only."""
    card = "".join(str(value or "").split()).upper()
    if card and (len(card) > 20 or not card.replace(".", "").isalnum()):
        raise ServiceError(
            "Số thẻ đảng viên không hợp lệ (chỉ gồm chữ số, chữ cái, tối đa 20 ký tự).",
            field="card_number",
        )
    return card


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
    cleaned = {field: clean_field(field, value) for field, value in changes.items()}
    current = Member.objects.select_for_update().get(pk=member.pk)
    if current.version != expected_version:
        raise Conflict(CONFLICT)
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
    card = clean_card(card_number)
    if not card:
        raise ServiceError("Hãy ghi số thẻ mới.", field="card_number")
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


# ----- Portrait photo ------------------------------------------------------------------

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MIN_SIDE = 100
# Checked from the header before any pixel is decoded: a small PNG can declare a canvas
# that takes gigabytes to decode (decompression bomb).
PHOTO_MAX_SIDE = 6000
PHOTO_LONG_SIDE = 600  # a 3×4 portrait on a phone or a printed sheet; ~40–80 KB as JPEG
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")


def _refuse_photo(message: str):
    raise ServiceError(f"Ảnh chân dung: {message}", field="photo")


def _read_upload(upload) -> bytes:
    """The upload's bytes, refusing a missing, empty or too large file. The size is
    checked on what is read, not only on what the client declared."""
    if not upload:
        _refuse_photo("hãy chọn một tệp ảnh.")
    size = getattr(upload, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        _refuse_photo(f"tệp quá lớn ({size / 1024 / 1024:.1f} MB); tối đa 2 MB.")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        _refuse_photo("tệp quá lớn; tối đa 2 MB.")
    if not data:
        _refuse_photo("tệp rỗng.")
    return data


def photo_jpeg(data: bytes) -> bytes:
    """Check that `data` is a JPEG, PNG or WebP image between 100×100 and 6000×6000 and
    return it as a JPEG at most PHOTO_LONG_SIDE on its long side, turned upright by its
    EXIF orientation and carrying no metadata (phones write the GPS position there).
    The format is read from the content: the file name and the declared type are
    ignored."""
    # Pillow raises many kinds of exceptions on malformed input (OSError, SyntaxError,
    # ValueError, struct.error, DecompressionBombError…): any of them means "not a usable
    # image" here.
    kind, width, height = None, 0, 0
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            probe.verify()
    except Image.DecompressionBombError:
        _refuse_photo(f"ảnh quá lớn; tối đa {PHOTO_MAX_SIDE}×{PHOTO_MAX_SIDE} điểm ảnh.")
    except Exception:
        kind = None
    if kind not in PHOTO_FORMATS:
        _refuse_photo("tệp không phải là ảnh JPEG, PNG hoặc WebP hợp lệ.")
    if min(width, height) < PHOTO_MIN_SIDE:
        _refuse_photo(
            f"ảnh quá nhỏ ({width}×{height} điểm ảnh); cần ít nhất "
            f"{PHOTO_MIN_SIDE}×{PHOTO_MIN_SIDE}."
        )
    if max(width, height) > PHOTO_MAX_SIDE:
        _refuse_photo(
            f"ảnh quá lớn ({width}×{height} điểm ảnh); tối đa {PHOTO_MAX_SIDE}×{PHOTO_MAX_SIDE}."
        )
    try:
        with Image.open(io.BytesIO(data)) as img:
            # A JPEG can be decoded at 1/2…1/8 scale directly: faster and far less memory.
            img.draft("RGB", (PHOTO_LONG_SIDE * 2, PHOTO_LONG_SIDE * 2))
            upright = ImageOps.exif_transpose(img)
            if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
            else:
                flat = upright.convert("RGB")
            flat.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # Only what is passed here is written: no EXIF, XMP or ICC profile.
            flat.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    except Exception:
        _refuse_photo("không đọc được ảnh (tệp bị hỏng?).")
    return out.getvalue()


@transaction.atomic
def set_photo(*, actor, member: Member, upload, reason: str) -> Member:
    """Store a new portrait for `member` (members.edit on its organisation; a member asks
    for a new photo through a correction request). The photo is validated and re-encoded
    (see `photo_jpeg`); nothing is stored on refusal. The previous file is deleted once
    the change is committed; if the commit itself fails the new file stays behind
    unreferenced, under a random name."""
    if not can(actor, MEMBERS_EDIT, member.organization):
        if getattr(actor, "member_id", None) == member.pk:
            raise PermissionDenied(
                "Đồng chí không tự đổi ảnh hồ sơ được; hãy gửi đề nghị sửa hồ sơ tới chi bộ."
            )
        raise PermissionDenied()
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ServiceError("Hãy ghi lý do thay ảnh (ít nhất 5 ký tự).", field="reason")
    jpeg = photo_jpeg(_read_upload(upload))
    current = Member.objects.select_for_update().get(pk=member.pk)
    old = current.photo.name
    storage = current.photo.storage
    current.photo.save("photo.jpg", ContentFile(jpeg), save=False)  # name from photo_path
    new = current.photo.name
    try:
        current.updated_at = timezone.now()
        Member.objects.filter(pk=current.pk).update(photo=new, updated_at=current.updated_at)
        record(action="members.photo_changed", actor=actor, target=current, note=reason[:500],
               changes={"photo": [old or None, new]})  # fmt: skip
    except BaseException:
        storage.delete(new)
        raise
    if old:
        transaction.on_commit(lambda: storage.delete(old))
    return current
