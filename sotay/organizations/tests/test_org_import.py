"""Organisation import: the add-child rules row by row, parents before children, dry run
rolled back, all-or-nothing apply, idempotence."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from sotay.core.xlsx import ImportRefused
from sotay.organizations import imports
from sotay.organizations.models import Organization

pytestmark = pytest.mark.django_db

HEADERS = ["Mã tổ chức", "Tên tổ chức", "Loại tổ chức", "Mã tổ chức cấp trên"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    wb.active.append(HEADERS)
    for r in rows:
        wb.active.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# A child listed before its parent: the import sorts them.
GOOD = [
    ("B1-T1", "Tổ đảng số 1", "Tổ đảng", "B1"),
    ("C1-DB", "Đảng bộ Trường học An Hòa", "Đảng bộ cơ sở", "C1"),
    ("C1-DB-CB1", "Chi bộ Giáo viên", "Chi bộ trực thuộc", "C1-DB"),
]


def test_a_good_file_is_checked_without_writing_then_applied(world):
    before = Organization.objects.count()
    plan = imports.plan_import(actor=world.office, data=xlsx(GOOD))
    assert plan.ok and len(plan.new) == 3
    assert Organization.objects.count() == before
    imports.apply_import(actor=world.office, data=xlsx(GOOD))
    school = Organization.objects.get(code="C1-DB-CB1")
    assert school.parent_org().code == "C1-DB" and school.parent_org().parent_org() == world.commune
    again = imports.plan_import(actor=world.office, data=xlsx(GOOD))
    assert again.ok and again.new == [] and again.unchanged == 3


@pytest.mark.parametrize(
    "bad,column,message",
    [
        (("X 1", "Chi bộ X", "Chi bộ trực thuộc", "C1-DB"), "Mã tổ chức", "chỉ gồm chữ, số"),
        (("X2", "Ab", "Chi bộ trực thuộc", "C1-DB"), "Tên tổ chức", "từ 3 đến 255"),
        (
            ("X3", "Chi bộ X", "Chi bộ kiểu mới", "C1-DB"),
            "Loại tổ chức",
            "không có trong danh sách",
        ),
        (("X4", "Chi bộ X", "Đảng bộ cơ sở", "B1"), "Loại tổ chức", "không thể có tổ chức con"),
        (("X5", "Chi bộ X", "Chi bộ cơ sở", "C2"), "Mã tổ chức cấp trên", "phạm vi"),
        (("X6", "Chi bộ X", "Chi bộ cơ sở", "NOPE"), "Mã tổ chức cấp trên", "phạm vi"),
        (("B2", "Tên khác", "Chi bộ cơ sở", "C1"), "Mã tổ chức", "đã được dùng"),
        (("B1-T1", "Tổ đảng trùng", "Tổ đảng", "B1"), "Mã tổ chức", "trùng với dòng 2"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_written(world, bad, column, message):
    before = Organization.objects.count()
    with pytest.raises(ImportRefused) as exc:
        imports.apply_import(actor=world.office, data=xlsx([*GOOD, bad]))
    problems = exc.value.plan.problems
    assert [(p.row, p.column) for p in problems] == [(5, column)], problems
    assert message in problems[0].message
    assert Organization.objects.count() == before


def test_children_of_a_failed_row_are_reported_too(world):
    rows = [("P2", "Đảng bộ lạ", "Đảng bộ cơ sở", "B1"), ("P2-C", "Chi bộ con", "Chi bộ trực thuộc", "P2")]  # fmt: skip
    plan = imports.plan_import(actor=world.office, data=xlsx(rows))
    assert [p.row for p in plan.problems] == [2, 3]
    assert "bị lỗi ở dòng khác" in plan.problems[1].message


def test_a_parent_cycle_is_reported(world):
    rows = [("A1", "Chi bộ A", "Chi bộ trực thuộc", "A2"), ("A2", "Đảng bộ A", "Đảng bộ cơ sở", "A1")]  # fmt: skip
    plan = imports.plan_import(actor=world.office, data=xlsx(rows))
    assert {p.row for p in plan.problems} == {2, 3} and "Vòng lặp" in plan.problems[0].message


def test_the_screens_check_then_apply(world, login):
    client = login(world.office)
    response = client.post(reverse("organizations:import"),
                           {"file": SimpleUploadedFile("tc.xlsx", xlsx(GOOD))})  # fmt: skip
    assert response.status_code == 200 and response.context["plan"].ok
    assert not Organization.objects.filter(code="C1-DB").exists()
    response = client.post(reverse("organizations:apply_import"), {"token": response.context["token"]})  # fmt: skip
    assert response.status_code == 302 and Organization.objects.filter(code="C1-DB").exists()


def test_the_template_lists_the_kinds(world, login):
    response = login(world.office).get(reverse("organizations:import_template"))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in wb["Tổ chức"][1]] == [f"{h} *" for h in HEADERS]
    kinds = [r[0].value for r in wb["Hướng dẫn"].iter_rows(min_row=8)]
    assert "Chi bộ cơ sở" in kinds and "Tổ đảng" in kinds


@pytest.mark.parametrize("persona", ["secretary", "commune_officer", "member", "inspector"])
def test_only_organisation_managers_may_import(world, login, persona):
    client = login(world.persona(persona))
    assert client.get(reverse("organizations:import")).status_code == 403
    assert client.post(reverse("organizations:apply_import"), {"token": "x"}).status_code == 403
