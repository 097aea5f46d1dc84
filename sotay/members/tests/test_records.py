import datetime as dt

import pytest

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.members.models import CardRecord, Member
from sotay.members.records import CONFLICT, reissue_card, update_record
from sotay.members.reference import ETHNIC_GROUPS

pytestmark = pytest.mark.django_db
WHY = {"reason": "Cập nhật theo lý lịch mới", "approval_ref": "15-CV/ĐU"}


def test_the_official_list_has_54_ethnic_groups():
    assert len(ETHNIC_GROUPS) == 54 == len(set(ETHNIC_GROUPS))
    assert "Kinh" in ETHNIC_GROUPS and "Ơ Đu" in ETHNIC_GROUPS


def test_office_edits_fields_with_reason_and_each_change_is_audited(world):
    m = world.member.member
    updated = update_record(actor=world.office, member=m, changes={"ethnicity": "Tày", "political_theory": "trung_cap", "religion": "Không"},
                            expected_version=m.version, **WHY)  # fmt: skip
    assert updated.ethnicity == "Tày" and updated.version == m.version + 1
    entry = AuditEntry.objects.get(action="members.edited")
    assert entry.changes == {
        "ethnicity": ["", "Tày"],
        "political_theory": ["", "trung_cap"],
        "religion": ["", "Không"],
    }
    assert "15-CV/ĐU" in entry.note and entry.actor == world.office


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"ethnicity": "Kinh Tế"}, "ethnicity", "không có trong danh mục"),
        ({"cccd": "123"}, "cccd", "12 chữ số"),
        ({"phone": "12345"}, "phone", "Số điện thoại không hợp lệ"),
        ({"birth_date": dt.date(2100, 1, 1)}, "birth_date", "Ngày sinh không hợp lệ"),
        ({"political_theory": "tien_si"}, "political_theory", "không có trong danh mục"),
    ],
)
def test_invalid_values_name_the_field_and_save_nothing(world, changes, field, message):
    m = world.member.member
    with pytest.raises(ServiceError, match=message) as exc:
        update_record(
            actor=world.office,
            member=m,
            changes={"religion": "Phật giáo", **changes},
            expected_version=m.version,
            **WHY,
        )
    assert exc.value.field == field
    assert (
        Member.objects.get(pk=m.pk).religion == ""
        and not AuditEntry.objects.filter(action="members.edited").exists()
    )


def test_a_reason_and_an_approval_are_required(world):
    m = world.member.member
    with pytest.raises(ServiceError, match="lý do"):
        update_record(
            actor=world.office,
            member=m,
            changes={"religion": "Không"},
            expected_version=m.version,
            reason="",
            approval_ref="15-CV",
        )
    with pytest.raises(ServiceError, match="văn bản phê duyệt"):
        update_record(
            actor=world.office,
            member=m,
            changes={"religion": "Không"},
            expected_version=m.version,
            reason="Sửa sai sót",
            approval_ref="",
        )


def test_concurrent_edits_do_not_silently_overwrite(world):
    m = world.member.member
    read_by_both = m.version
    update_record(
        actor=world.office,
        member=m,
        changes={"religion": "Không"},
        expected_version=read_by_both,
        **WHY,
    )
    with pytest.raises(ServiceError, match="vừa được người khác cập nhật"):
        update_record(
            actor=world.admin,
            member=m,
            changes={"religion": "Phật giáo"},
            expected_version=read_by_both,
            **WHY,
        )
    assert Member.objects.get(pk=m.pk).religion == "Không"
    assert CONFLICT


def test_secretaries_and_other_communes_cannot_edit(world):
    m = world.member.member
    for persona in (world.secretary, world.member, world.commune_officer):
        with pytest.raises(PermissionDenied):
            update_record(
                actor=persona,
                member=m,
                changes={"religion": "Không"},
                expected_version=m.version,
                **WHY,
            )


def test_a_reissued_card_keeps_the_old_number_in_history(world):
    m = world.member.member
    old = m.card_number
    reissue_card(
        actor=world.office, member=m, card_number="93.001234", issued_on=dt.date(2025, 8, 20), **WHY
    )
    m = Member.objects.get(pk=m.pk)
    assert m.card_number == "93.001234"
    history = list(CardRecord.objects.filter(member=m).values_list("card_number", "ended_on"))
    assert history == [(old, dt.date(2025, 8, 20)), ("93.001234", None)]
    # Neither the current nor an old number can be given to someone else.
    other = world.probationary.member
    for number in ("93.001234", old):
        with pytest.raises(ServiceError, match="đã có trong hệ thống"):
            reissue_card(
                actor=world.office,
                member=other,
                card_number=number,
                issued_on=dt.date(2025, 8, 20),
                **WHY,
            )
