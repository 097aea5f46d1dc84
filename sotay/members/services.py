"""Writes on member records (the minimal set; the registry issue adds lifecycle events,
edits with reasons and imports)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from sotay.accounts.permissions import MEMBERS_EDIT, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.members.models import CardRecord, EventKind, Member, MemberEvent
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
    admission_decided_on: dt.date | None = None,
    joined_on: dt.date | None = None,
    full_on: dt.date | None = None,
) -> Member:
    """Record one member, with the same rules as a row of an import. The standing follows
    from the party dates (full when recognised, else probationary) and is written in the
    record's first history entry; without dates the record waits for its admission event.
    Refuses malformed or duplicate identifiers with a message naming the field; nothing is
    written on refusal."""
    from sotay.members.imports import check_row, member_values, opening

    if not can(actor, MEMBERS_EDIT, organization):
        raise PermissionDenied()
    if not organization.is_open:
        raise ServiceError("Tổ chức đã thôi hoạt động.", field="organization")
    if not organization.is_branch:
        raise ServiceError("Đảng viên phải sinh hoạt ở một chi bộ.", field="organization")
    raw = {
        "org_code": organization.code, "full_name": full_name, "birth_date": birth_date,
        "sex": sex, "phone": phone, "card_number": card_number, "cccd": cccd,
        "admission_decided_on": admission_decided_on, "joined_on": joined_on, "full_on": full_on,
    }  # fmt: skip
    values, errors = check_row(raw, today=timezone.localdate(), admission_pending=True)
    if errors:
        key, message = errors[0]
        raise ServiceError(message, field=key)
    card, cccd = values["card_number"] or None, values["cccd"] or None
    if card and (
        Member.objects.filter(card_number=card).exists()
        or CardRecord.objects.filter(card_number=card).exists()
    ):
        raise ServiceError(f"Số thẻ đảng viên {card} đã có trong hệ thống.", field="card_number")
    if cccd and Member.objects.filter(cccd=cccd).exists():
        raise ServiceError(f"Số CCCD {cccd} đã có trong hệ thống.", field="cccd")
    fields = member_values(values, organization)
    member = Member(**fields)
    member.organization = organization
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        # A concurrent insert took the same card or CCCD between the check and the write.
        raise ServiceError("Số thẻ đảng viên hoặc số CCCD đã có trong hệ thống.") from None
    first = opening(fields, "Lập hồ sơ")
    if first is not None:
        MemberEvent.objects.create(member=member, kind=EventKind.RECORD_OPENED, effective_on=first[0],
                                   organization=organization, note=first[1], recorded_by=actor)  # fmt: skip
    if card:
        CardRecord.objects.create(member=member, card_number=card)
    record(
        action="members.created",
        actor=actor,
        target=member,
        changes={"full_name": [None, member.full_name]},
    )
    return member
