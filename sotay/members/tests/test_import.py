"""Member import: template, dry run per row and column, all-or-nothing apply, idempotence,
sync with the upstream database, upload checks."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.xlsx import check_upload
from sotay.members import imports
from sotay.members.excel import COLUMNS
from sotay.members.models import CardRecord, EventKind, Member, MemberEvent, MemberStatus

pytestmark = pytest.mark.django_db

HEADERS = list(COLUMNS.values())


def xlsx(rows, headers=HEADERS, formula_at=None) -> bytes:
    """A workbook with `headers` and `rows` (dicts keyed as COLUMNS)."""
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    keys = {label: key for key, label in COLUMNS.items()}
    for row in rows:
        ws.append([row.get(keys.get(h, h), None) for h in headers])
    if formula_at:
        ws[formula_at] = "=1+1"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(**over):
    data = {
        "org_code": "B1", "full_name": "Nguyễn Thị Hòa", "birth_date": "19/05/1985", "sex": "Nữ",
        "card_number": "79000001", "cccd": "001185000001", "phone": "0912000001",
        "admission_decided_on": "15/03/2010", "joined_on": "03/04/2010", "full_on": "03/04/2011",
        "ethnicity": "Kinh", "education": "Đại học", "political_theory": "Trung cấp",
    }  # fmt: skip
    data.update(over)
    return data


def good_rows():
    return [
        row(),
        row(full_name="Trần Văn Bảo", sex="Nam", card_number="79000002", cccd="001085000002",
            phone="0912000002", birth_date=dt.datetime(1990, 1, 2), full_on=None,
            joined_on=dt.date.today().replace(year=dt.date.today().year - 1).strftime("%d/%m/%Y"),
            admission_decided_on=None, ethnicity="tay", education="", political_theory="so cap"),
        row(org_code="B2", full_name="Lò Văn Cương", card_number="79000003", cccd="001085000003",
            phone="0912000003", sex="nam", ethnicity="Thái", status="Chính thức"),
    ]  # fmt: skip


def test_a_good_file_dry_runs_without_writing_then_applies_all_rows(world):
    data = xlsx(good_rows())
    before = Member.objects.count()
    plan = imports.plan_import(actor=world.office, data=data, mode=imports.ADD)
    assert plan.ok and plan.rows == 3 and len(plan.new) == 3
    assert Member.objects.count() == before

    imports.apply_import(actor=world.office, data=data, mode=imports.ADD, file_name="a.xlsx")
    assert Member.objects.count() == before + 3
    hoa = Member.objects.get(card_number="79000001")
    assert hoa.status == MemberStatus.FULL and hoa.full_on == dt.date(2011, 4, 3)
    assert hoa.admission_decided_on == dt.date(2010, 3, 15) and hoa.org_path == world.branch.path
    assert hoa.sex == "nu" and hoa.education == "dai_hoc" and hoa.political_theory == "trung_cap"
    bao = Member.objects.get(card_number="79000002")
    assert bao.status == MemberStatus.PROBATIONARY and bao.ethnicity == "Tày"
    assert bao.probation_ends_on == bao.joined_on.replace(year=bao.joined_on.year + 1)
    opened = MemberEvent.objects.get(member=hoa)
    assert opened.kind == EventKind.RECORD_OPENED and "Chính thức" in opened.note
    assert CardRecord.objects.filter(member=hoa, card_number="79000001").exists()
    assert AuditEntry.objects.filter(action="members.imported").count() == 3
    assert AuditEntry.objects.filter(action="members.import_applied", actor=world.office).exists()


def test_reimporting_the_same_file_changes_nothing(world):
    data = xlsx(good_rows())
    imports.apply_import(actor=world.office, data=data, mode=imports.ADD)
    count, events = Member.objects.count(), MemberEvent.objects.count()
    plan = imports.plan_import(actor=world.office, data=data, mode=imports.ADD)
    assert plan.ok and plan.new == [] and plan.unchanged == 3
    imports.apply_import(actor=world.office, data=data, mode=imports.ADD)
    assert (Member.objects.count(), MemberEvent.objects.count()) == (count, events)


BROKEN = [
    (dict(birth_date="31/02/1985"), "Ngày sinh", "không hợp lệ"),
    (dict(birth_date="19/05/2015"), "Ngày sinh", "đủ 18 tuổi"),
    (dict(org_code="ZZZ"), "Mã chi bộ", "Không có chi bộ mã “ZZZ”"),
    (dict(org_code="B3"), "Mã chi bộ", "phạm vi"),  # another commune: out of the office's scope
    (dict(org_code="C1"), "Mã chi bộ", "không phải chi bộ"),
    (dict(cccd="12345"), "Số CCCD", "đúng 12 chữ số"),
    (dict(phone="0123"), "Số điện thoại", "không hợp lệ"),
    (dict(ethnicity="Kinh Tế"), "Dân tộc", "54 dân tộc"),
    (dict(sex="Khác"), "Giới tính", "danh mục"),
    (dict(education="Siêu cấp"), "Trình độ chuyên môn", "danh mục"),
    (
        dict(admission_decided_on="15/03/2010", joined_on="01/01/2009"),
        "Ngày vào Đảng",
        "trước ngày quyết định",
    ),
    (dict(full_on=None, status="Chính thức", joined_on=None), "Ngày vào Đảng", "Thiếu"),
    (dict(status="Từ trần"), "Tình trạng", "Chỉ nhập đảng viên dự bị hoặc chính thức"),
    (dict(full_name='=HYPERLINK("http://x")'), "Họ và tên", "công thức"),
    (dict(full_name=None), "Họ và tên", "Thiếu họ và tên"),
]


@pytest.mark.parametrize("change,column,message", BROKEN)
def test_each_bad_value_is_reported_on_its_row_and_column(world, change, column, message):
    rows = good_rows()
    rows[1].update(change)
    plan = imports.plan_import(actor=world.office, data=xlsx(rows), mode=imports.ADD)
    assert not plan.ok
    hits = [p for p in plan.problems if p.row == 3 and p.column == column]
    assert hits and message in hits[0].message, plan.problems


def test_duplicates_within_the_file_and_against_the_database_are_errors(world):
    taken = world.member.member
    rows = good_rows() + [row(full_name="Người Trùng", card_number="79000001", cccd="001185999999",
                              phone="0912000009")]  # fmt: skip
    rows[1]["cccd"] = taken.cccd  # someone else's CCCD
    plan = imports.plan_import(actor=world.office, data=xlsx(rows), mode=imports.ADD)
    messages = {(p.row, p.column): p.message for p in plan.problems}
    assert "trùng với dòng 2" in messages[(5, "Số thẻ đảng viên")]
    assert "đảng viên khác" in messages[(3, "Số CCCD")]


def test_a_formula_cell_is_refused(world):
    plan = imports.plan_import(
        actor=world.office, data=xlsx(good_rows(), formula_at="N2"), mode=imports.ADD
    )
    assert any(p.row == 2 and "công thức" in p.message for p in plan.problems)


def test_a_broken_file_writes_nothing_at_all(world):
    rows = good_rows()
    rows[2]["birth_date"] = "hôm qua"
    counts = (Member.objects.count(), MemberEvent.objects.count(), AuditEntry.objects.count())
    with pytest.raises(imports.ImportRefused) as exc:
        imports.apply_import(actor=world.office, data=xlsx(rows), mode=imports.ADD)
    assert len(exc.value.plan.problems) == 1
    after = (Member.objects.count(), MemberEvent.objects.count(), AuditEntry.objects.count())
    assert after == counts


def test_missing_required_columns_are_named(world):
    data = xlsx([row()], headers=["Họ và tên", "Ngày sinh"])
    with pytest.raises(ServiceError, match="“Mã chi bộ”, “Giới tính”"):
        imports.plan_import(actor=world.office, data=data, mode=imports.ADD)


def test_headers_match_whatever_the_case_accents_and_order(world):
    headers = ["ho va ten", "MÃ CHI BỘ", "ngay sinh", "Giới tính *", "Ngày vào Đảng", "Cột lạ"]
    wb = Workbook()
    wb.active.append(headers)
    wb.active.append(["Đỗ Văn Hải", "B1", "02/09/1975", "Nam", "01/01/2000", "bỏ qua"])
    out = io.BytesIO()
    wb.save(out)
    plan = imports.plan_import(actor=world.office, data=out.getvalue(), mode=imports.ADD)
    assert plan.ok and plan.new[0]["full_name"] == "Đỗ Văn Hải"


def test_who_may_import(world):
    data = xlsx(good_rows())
    for persona in ("commune_officer", "member", "inspector", "outsider"):
        with pytest.raises(PermissionDenied):
            imports.plan_import(actor=world.persona(persona), data=data, mode=imports.ADD)


def test_a_secretary_adds_members_to_their_own_branch_only(world):
    rows = good_rows()
    plan = imports.plan_import(actor=world.secretary, data=xlsx(rows), mode=imports.ADD)
    assert [(p.row, p.column) for p in plan.problems] == [(4, "Mã chi bộ")]  # B2 is not theirs
    del rows[2]
    imports.apply_import(actor=world.secretary, data=xlsx(rows), mode=imports.ADD)
    assert Member.objects.filter(card_number__in=["79000001", "79000002"]).count() == 2
    # Syncing changes existing records: that needs members.edit.
    with pytest.raises(PermissionDenied):
        imports.plan_import(
            actor=world.secretary, data=xlsx(rows), mode=imports.SYNC, scope=world.branch
        )


def test_sync_shows_added_changed_absent_and_decided_differences(world):
    imports.apply_import(actor=world.office, data=xlsx(good_rows()), mode=imports.ADD)
    rows = good_rows()
    rows[0]["phone"] = "0987654321"  # changed field
    rows[0]["religion"] = "Phật giáo"
    rows[2]["org_code"] = "B1"  # moved branch upstream: needs a transfer decision
    del rows[1]  # Trần Văn Bảo no longer present
    rows.append(row(full_name="Mới Hoàn Toàn", card_number="79000010", cccd="001185000010",
                    phone="0912000010"))  # fmt: skip
    data = xlsx(rows)
    plan = imports.plan_import(
        actor=world.office, data=data, mode=imports.SYNC, scope=world.commune
    )
    assert plan.ok, plan.problems
    assert [v["full_name"] for v in plan.new] == ["Mới Hoàn Toàn"]
    assert len(plan.changes) == 1 and set(plan.changes[0].fields) == {"phone", "religion"}
    absent = {m.full_name for m in plan.absent}
    assert "Trần Văn Bảo" in absent and "Nguyễn Văn An" in absent  # the seeded roll too
    assert any("chuyển sinh hoạt" in p.message for p in plan.attention)

    imports.apply_import(actor=world.office, data=data, mode=imports.SYNC, scope=world.commune)
    hoa = Member.objects.get(card_number="79000001")
    assert hoa.phone == "0987654321" and hoa.religion == "Phật giáo" and hoa.version == 2
    cuong = Member.objects.get(card_number="79000003")
    assert cuong.organization == world.sibling  # not moved by a file
    assert Member.objects.get(full_name="Trần Văn Bảo").status == MemberStatus.PROBATIONARY
    edit = AuditEntry.objects.get(action="members.edited", target_id=str(hoa.pk))
    assert edit.changes["phone"] == ["0912000001", "0987654321"]


def test_a_sync_outside_the_users_scope_is_refused(world):
    with pytest.raises(PermissionDenied):
        imports.plan_import(
            actor=world.office, data=xlsx(good_rows()), mode=imports.SYNC, scope=world.commune2
        )


class Upload(SimpleUploadedFile):
    pass


def test_uploads_are_checked_by_name_size_and_content(settings):
    with pytest.raises(ServiceError, match="Chỉ nhận tệp Excel .xlsx"):
        check_upload(Upload("a.xls", b"x"))
    with pytest.raises(ServiceError, match="không phải bảng tính"):
        check_upload(Upload("a.xlsx", b"name,phone\nA,1\n"))
    with pytest.raises(ServiceError, match="quá lớn"):
        check_upload(Upload("a.xlsx", b"PK\x03\x04" + b"0" * (5 * 1024 * 1024)))
    macro = io.BytesIO()
    with zipfile.ZipFile(macro, "w") as z:
        z.writestr("[Content_Types].xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    with pytest.raises(ServiceError, match="macro"):
        check_upload(Upload("a.xlsx", macro.getvalue()))


# ----------------------------------------------------------------------------- screens


def test_template_lists_headers_example_and_allowed_values(world, login):
    response = login(world.office).get(reverse("members:import_template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in wb["Đảng viên"][1]][:3] == ["Mã chi bộ *", "Tên chi bộ", "Họ và tên *"]
    guide = [[c.value for c in r] for r in wb["Hướng dẫn"].iter_rows()]
    assert guide[3][:2] == ["Họ và tên", "Có"] and guide[3][3] == "Nguyễn Thị Hòa"
    ethnic = [r[2].value for r in wb["Danh mục"].iter_rows(min_row=2) if r[2].value]
    assert len(ethnic) == 54


def test_the_import_screen_dry_runs_then_applies(world, login):
    client = login(world.office)
    upload = SimpleUploadedFile("ds.xlsx", xlsx(good_rows()))
    response = client.post(reverse("members:import"), {"file": upload, "mode": "them"})
    assert response.status_code == 200 and response.context["plan"].ok
    token = response.context["token"]
    assert Member.objects.filter(card_number="79000001").count() == 0
    # Another user cannot apply this check.
    other = login(world.admin).post(reverse("members:apply_import"), {"token": token})
    assert other.status_code == 302 and not Member.objects.filter(card_number="79000001").exists()
    client = login(world.office)
    response = client.post(reverse("members:apply_import"), {"token": token})
    assert response.status_code == 302
    assert Member.objects.filter(card_number__in=["79000001", "79000002", "79000003"]).count() == 3
    # The token is spent with the file.
    client.post(reverse("members:apply_import"), {"token": token})
    assert Member.objects.filter(card_number="79000001").count() == 1


def test_the_import_screen_lists_errors_and_offers_no_apply(world, login):
    rows = good_rows()
    rows[0]["cccd"] = "abc"
    upload = SimpleUploadedFile("ds.xlsx", xlsx(rows))
    response = login(world.office).post(reverse("members:import"), {"file": upload, "mode": "them"})
    assert response.status_code == 400 and response.context["token"] is None
    assert "Số CCCD phải gồm đúng 12 chữ số." in response.content.decode()


def test_the_import_screen_refuses_a_non_excel_file(world, login):
    upload = SimpleUploadedFile("ds.xlsx", b"<html>not a sheet</html>")
    response = login(world.office).post(reverse("members:import"), {"file": upload, "mode": "them"})
    assert response.status_code == 400
    assert "Tệp không phải bảng tính .xlsx hợp lệ." in response.content.decode()


def test_a_secretary_is_offered_adding_only(world, login):
    response = login(world.secretary).get(reverse("members:import"))
    assert response.status_code == 200
    assert list(response.context["form"].fields["mode"].choices) == [("them", "Thêm mới")]
    upload = SimpleUploadedFile("ds.xlsx", xlsx(good_rows()))
    response = login(world.secretary).post(
        reverse("members:import"), {"file": upload, "mode": "dong-bo", "scope": "B1"}
    )
    assert response.status_code == 400 and response.context["plan"] is None


@pytest.mark.parametrize("persona", ["outsider", "commune_officer", "member", "inspector"])
def test_people_without_members_import_cannot_open_import(world, login, persona):
    client = login(world.persona(persona))
    assert client.get(reverse("members:import")).status_code == 403
    assert client.get(reverse("members:import_template")).status_code == 403
    assert client.post(reverse("members:apply_import"), {"token": "x"}).status_code == 403
