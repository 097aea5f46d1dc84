import datetime as dt

import pytest

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.members.models import Member
from sotay.members.services import create_member

pytestmark = pytest.mark.django_db


def base(world, **over):
    data = {
        "actor": world.office,
        "organization": world.branch,
        "full_name": "  Nguyễn   Thị  Hoa ",
        "birth_date": dt.date(1985, 4, 30),
        "sex": "nu",
        "phone": "+84 912 345 678",
        "card_number": "12.345678",
        "cccd": "001185012345",
    }
    data.update(over)
    return data


def test_office_records_a_member_with_normalised_fields(world):
    m = create_member(**base(world))
    assert (
        m.full_name == "Nguyễn Thị Hoa"
        and m.phone == "0912345678"
        and m.org_path == world.branch.path
    )
    assert m.name_folded == "nguyen thi hoa"
    assert AuditEntry.objects.filter(action="members.created", target_id=str(m.pk)).exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("cccd", "12345", "đúng 12 chữ số"),
        ("phone", "0123", "Số điện thoại không hợp lệ"),
        ("birth_date", dt.date(2015, 1, 1), "đủ 18 tuổi"),
        ("full_name", "A", "từ 3 đến 150"),
        ("sex", "x", "Giới tính"),
        ("card_number", "12/34", "Số thẻ đảng viên không hợp lệ"),
    ],
)
def test_malformed_fields_are_refused(world, field, value, message):
    before = Member.objects.count()
    with pytest.raises(ServiceError, match=message) as exc:
        create_member(**base(world, **{field: value}))
    assert exc.value.field == field
    assert Member.objects.count() == before


def test_duplicate_card_number_and_cccd_are_refused(world):
    existing = world.member.member
    with pytest.raises(ServiceError, match="đã có trong hệ thống"):
        create_member(**base(world, card_number=existing.card_number))
    with pytest.raises(ServiceError, match="đã có trong hệ thống"):
        create_member(**base(world, cccd=existing.cccd))


def test_secretaries_and_other_offices_cannot_record_members(world):
    with pytest.raises(PermissionDenied):
        create_member(**base(world, actor=world.secretary))
    with pytest.raises(PermissionDenied):
        create_member(**base(world, organization=world.branch3))
