"""Importing quiz questions from .xlsx, with the discipline of the member import: a dry
run lists every problem by row and column without writing anything; the apply checks
the same (staged) file again and writes all of its questions in one transaction, or
none (ImportRefused).

Columns (order, case and accents of the headers do not matter):
  Nhóm câu hỏi*, Loại câu hỏi* ("Một đáp án" / "Nhiều đáp án"), Câu hỏi*,
  Phương án A*, Phương án B*, Phương án C … F, Đáp án đúng* (letters: "B" or "A, C"),
  Giải thích.
"""

from __future__ import annotations

import hashlib
import re

from django.db import transaction

from sotay.accounts.permissions import CONTENT_PUBLISH, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.text import fold
from sotay.core.xlsx import Cell, ImportRefused, Plan, Problem, SheetWriter, as_text, read_rows
from sotay.learning import quizzes
from sotay.learning.models import Option, Programme, ProgrammeState, Question, QuestionKind

LETTERS = "ABCDEF"
COLUMNS = {
    "category": "Nhóm câu hỏi",
    "kind": "Loại câu hỏi",
    "text": "Câu hỏi",
    **{f"opt_{c}": f"Phương án {c}" for c in LETTERS},
    "answer": "Đáp án đúng",
    "explanation": "Giải thích",
}
REQUIRED = ("category", "kind", "text", "opt_A", "opt_B", "answer")
KINDS = {
    "motdapan": QuestionKind.SINGLE,
    "mot": QuestionKind.SINGLE,
    "single": QuestionKind.SINGLE,
    "nhieudapan": QuestionKind.MULTIPLE,
    "nhieu": QuestionKind.MULTIPLE,
    "multiple": QuestionKind.MULTIPLE,
}
MAX_QUESTIONS = 2000


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _check(actor, programme: Programme) -> None:
    if not can(actor, CONTENT_PUBLISH, programme.organization):
        raise PermissionDenied("Bạn không có quyền soạn câu hỏi cho chuyên đề này.")


def plan_questions(*, actor, programme: Programme, data: bytes) -> Plan:
    """The dry run: every problem by row and column; `plan.new` holds the questions
    that would be added. Writes nothing."""
    _check(actor, programme)
    plan = Plan(mode="questions", sha256=hashlib.sha256(data).hexdigest())
    _positions, rows = read_rows(data, COLUMNS, REQUIRED)
    seen: dict[str, int] = {}
    existing = {
        _key(t) for t in Question.objects.filter(programme=programme).values_list("text", flat=True)
    }
    for number, cells in rows:
        plan.rows += 1
        if plan.rows > MAX_QUESTIONS:
            plan.problems.append(Problem(number, "", f"Tệp có quá {MAX_QUESTIONS} câu hỏi."))
            break

        def bad(key: str, message: str, n=number):
            plan.problems.append(Problem(n, COLUMNS.get(key, ""), message))

        values = {}
        for key, cell in cells.items():
            if isinstance(cell, Cell) and cell.formula:
                bad(key, "Ô chứa công thức; hãy ghi giá trị.")
                values[key] = ""
            else:
                values[key] = as_text(cell.value if isinstance(cell, Cell) else cell)
        kind = KINDS.get(_key(values.get("kind", "")))
        if kind is None:
            bad("kind", "Loại câu hỏi: ghi “Một đáp án” hoặc “Nhiều đáp án”.")
        options = []
        for c in LETTERS:
            text = values.get(f"opt_{c}", "").strip()
            if text:
                options.append((c, text))
        letters = [x for x in re.split(r"[\s,;]+", values.get("answer", "").upper()) if x]
        known = {c for c, _ in options}
        if not letters:
            bad("answer", "Đáp án đúng: ghi chữ cái của phương án đúng, ví dụ B hoặc A, C.")
        elif any(x not in known for x in letters):
            wrong = ", ".join(x for x in letters if x not in known)
            bad("answer", f"Đáp án đúng: không có phương án {wrong} ở dòng này.")
        if not values.get("category", "").strip():
            bad("category", "Nhóm câu hỏi: không được để trống.")
        text = values.get("text", "").strip()
        if text:
            key = _key(text)
            if key in seen:
                bad("text", f"Câu hỏi trùng với dòng {seen[key]}.")
            elif key in existing:
                bad("text", "Câu hỏi này đã có trong ngân hàng câu hỏi.")
            seen.setdefault(key, number)
        if kind is not None and letters and all(x in known for x in letters):
            try:
                _, text, cleaned, explanation = quizzes.clean_question(
                    kind,
                    text,
                    [(t, c in letters) for c, t in options],
                    values.get("explanation", ""),
                )
            except ServiceError as exc:
                bad(exc.field if exc.field in ("text",) else "answer", exc.message)
            else:
                plan.new.append(
                    {
                        "row": number,
                        "category": values["category"].strip()[:200],
                        "kind": kind,
                        "text": text,
                        "options": cleaned,
                        "explanation": explanation,
                    }
                )
    if plan.rows == 0:
        plan.problems.append(Problem(0, "", "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    plan.problems.sort(key=lambda p: p.row)
    if plan.problems:
        plan.new = []
    return plan


def apply_questions(*, actor, programme: Programme, data: bytes, file_name: str = "") -> Plan:
    """Check the file again and add all its questions, or none."""
    plan = plan_questions(actor=actor, programme=programme, data=data)
    if not plan.ok:
        raise ImportRefused(plan)
    if programme.state != ProgrammeState.DRAFT and programme.quiz_started():
        raise ServiceError("Đã có người làm bài: không thêm câu hỏi được nữa.")
    with transaction.atomic():
        categories = {}
        for row in plan.new:
            name = row["category"]
            if name not in categories:
                categories[name] = quizzes.get_or_create_category(programme, name)
        questions = Question.objects.bulk_create(
            Question(
                programme=programme,
                category=categories[row["category"]],
                kind=row["kind"],
                text=row["text"],
                explanation=row["explanation"],
            )
            for row in plan.new
        )
        Option.objects.bulk_create(
            Option(question=q, text=t, is_correct=c)
            for q, row in zip(questions, plan.new, strict=True)
            for t, c in row["options"]
        )
        record(
            action="learning.questions_imported",
            actor=actor,
            target=programme,
            note=f"{len(plan.new)} câu hỏi từ {file_name[:100] or 'tệp Excel'}; sha256 {plan.sha256[:16]}",
        )
    return plan


def template_workbook():
    """The import template: headers and two example rows."""
    book = SheetWriter()
    sheet = book.sheet("Câu hỏi", [f"{v}{' *' if k in REQUIRED else ''}" for k, v in COLUMNS.items()],
                       [22, 16, 50, 30, 30, 30, 30, 30, 30, 14, 40])  # fmt: skip
    sheet.append(["Nội dung cơ bản", "Một đáp án", "Nghị quyết 57-NQ/TW do cơ quan nào ban hành?",
                  "Bộ Chính trị", "Quốc hội", "Chính phủ", "", "", "", "A", "Nghị quyết của Bộ Chính trị."])  # fmt: skip
    sheet.append(["Vận dụng", "Nhiều đáp án", "Đảng viên cần làm gì sau khi học tập nghị quyết?",
                  "Viết bài thu hoạch", "Liên hệ thực tiễn", "Bỏ sinh hoạt chi bộ", "", "", "", "A, B", ""])  # fmt: skip
    return book.save()
