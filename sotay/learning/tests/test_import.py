"""Question import: the dry run lists problems by row and column and writes nothing;
the apply is all or nothing, from the staged file."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.xlsx import ImportRefused
from sotay.learning import imports
from sotay.learning.models import Option, Question
from sotay.learning.testing import build_programme

pytestmark = pytest.mark.django_db
HEAD = ["Nhóm câu hỏi", "Loại câu hỏi", "Câu hỏi", "Phương án A", "Phương án B", "Phương án C",
        "Đáp án đúng", "Giải thích"]  # fmt: skip


def sheet(*rows) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(HEAD)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ("Cơ bản", "Một đáp án", "Câu một?", "Đúng", "Sai", "", "A", "Vì thế."),
    ("Vận dụng", "Nhiều đáp án", "Câu hai?", "X", "Y", "Z", "A, C", ""),
]


@pytest.fixture
def draft(world):
    return build_programme(world, publish=False, quiz=False)


def test_a_dry_run_writes_nothing_and_the_apply_adds_everything(world, draft):
    data = sheet(*GOOD)
    plan = imports.plan_questions(actor=world.office, programme=draft, data=data)
    assert plan.ok and len(plan.new) == 2 and plan.rows == 2
    assert not Question.objects.filter(programme=draft).exists()
    imports.apply_questions(actor=world.office, programme=draft, data=data)
    assert Question.objects.filter(programme=draft).count() == 2
    multi = Question.objects.get(text="Câu hai?")
    assert multi.kind == "multiple"
    assert sorted(
        Option.objects.filter(question=multi, is_correct=True).values_list("text", flat=True)
    ) == ["X", "Z"]


def test_problems_are_listed_by_row_and_column_in_vietnamese(world, draft):
    data = sheet(
        GOOD[0],
        ("Cơ bản", "Ba đáp án", "Câu ba?", "A1", "B1", "", "A", ""),
        ("Cơ bản", "Một đáp án", "Câu bốn?", "A1", "B1", "", "D", ""),
        ("Cơ bản", "Một đáp án", "Câu một?", "A1", "B1", "", "A", ""),
        ("", "Một đáp án", "Câu năm?", "A1", "B1", "", "A, B", ""),
    )
    plan = imports.plan_questions(actor=world.office, programme=draft, data=data)
    found = {(p.row, p.column): p.message for p in plan.problems}
    assert "Ghi “Một đáp án” hoặc “Nhiều đáp án”".lower() in found[(3, "Loại câu hỏi")].lower()
    assert "không có phương án D" in found[(4, "Đáp án đúng")]
    assert "trùng với dòng 2" in found[(5, "Câu hỏi")]
    assert "không được để trống" in found[(6, "Nhóm câu hỏi")]
    assert "đúng một phương án" in found[(6, "Đáp án đúng")]
    with pytest.raises(ImportRefused):
        imports.apply_questions(actor=world.office, programme=draft, data=data)
    assert not Question.objects.filter(programme=draft).exists()


def test_a_malformed_file_and_missing_columns_are_refused(world, draft):
    with pytest.raises(ServiceError, match="không phải bảng tính"):
        imports.plan_questions(actor=world.office, programme=draft, data=b"PK\x03\x04garbage")
    book = Workbook()
    book.active.append(["Tên", "Tuổi"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ServiceError):
        imports.plan_questions(actor=world.office, programme=draft, data=out.getvalue())


def test_only_the_office_imports(world, draft):
    with pytest.raises(PermissionDenied):
        imports.plan_questions(actor=world.secretary, programme=draft, data=sheet(*GOOD))


def test_the_import_screens_dry_run_then_apply(world, login, draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.office)
    url = reverse("learning:question_import", args=[draft.pk])
    assert client.get(url).status_code == 200
    template = client.get(reverse("learning:question_template", args=[draft.pk]))
    assert template.status_code == 200
    page = client.post(url, {"file": SimpleUploadedFile("q.xlsx", sheet(*GOOD))})
    assert page.status_code == 200 and "sẽ thêm <strong>2</strong>" in page.content.decode()
    assert not Question.objects.filter(programme=draft).exists()
    token = page.context["token"]
    done = client.post(reverse("learning:question_import_apply", args=[draft.pk]), {"token": token})
    assert done.status_code == 302
    assert Question.objects.filter(programme=draft).count() == 2
    # The template itself imports cleanly.
    data = b"".join(template.streaming_content)
    assert imports.plan_questions(actor=world.office, programme=draft, data=data).rows == 2
    bad = client.post(
        url, {"file": SimpleUploadedFile("q.xlsx", sheet(("", "", "", "", "", "", "", "")))}
    )
    assert bad.status_code == 400 or "lỗi" in bad.content.decode()
    assert login(world.secretary).get(url).status_code == 404  # a draft: not visible
    assert login(world.outsider).get(url).status_code == 404
