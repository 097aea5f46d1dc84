"""Importing organisations from .xlsx (a committee sets up its branches in one go).

Every row goes through `services.create_organization`, parents before children, so an
import obeys exactly the rules of the add-child form (code format, name, which kind may
hold which, organizations.manage on the parent). The dry run does the whole import in a
transaction and rolls it back; the apply does it again and keeps it only if no row
failed. A row whose code already exists with the same name and parent is left alone, so
importing a file twice changes nothing.
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.text import fold
from sotay.core.xlsx import ImportRefused, Plan, Problem, SheetWriter, as_text, read_rows
from sotay.organizations.models import ALLOWED_CHILDREN, Organization, OrgType
from sotay.organizations.services import create_organization

COLUMNS = {
    "code": "Mã tổ chức",
    "name": "Tên tổ chức",
    "org_type": "Loại tổ chức",
    "parent_code": "Mã tổ chức cấp trên",
}
REQUIRED = tuple(COLUMNS)
# The same words for a missing parent and one outside the user's scope.
_NOT_FOUND = "Không có tổ chức mã “{}” trong phạm vi đồng chí quản lý."
_TYPES = {fold(str(label)): value for value, label in OrgType.choices}


def template_workbook():
    out = SheetWriter()
    out.sheet("Tổ chức", [f"{label} *" for label in COLUMNS.values()], [16, 40, 28, 20])
    guide = out.sheet("Hướng dẫn", ["Cột", "Cách ghi", "Ví dụ"], [22, 70, 30])
    guide.append(["Mã tổ chức", "Duy nhất; chữ, số và - _ . (tối đa 32 ký tự).", "CB0101"])
    guide.append(["Tên tổ chức", "Tên đầy đủ, 3–255 ký tự.", "Chi bộ Khu phố 1"])
    guide.append(["Loại tổ chức", "Một loại trong danh sách dưới đây.", "Chi bộ cơ sở"])
    guide.append(["Mã tổ chức cấp trên", "Mã một tổ chức đã có, hoặc ở dòng trên của tệp.", "DB01"])
    guide.append([])
    guide.append(["Loại tổ chức", "Được có tổ chức con loại"])
    for value, label in OrgType.choices:
        allowed = ", ".join(str(OrgType(c).label) for c in sorted(ALLOWED_CHILDREN[value]))
        guide.append([str(label), allowed or "(không có)"])
    return out.save()


class _DryRun(Exception):
    pass


def plan_import(*, actor, data: bytes) -> Plan:
    """Check a file: run it and roll everything back."""
    try:
        with transaction.atomic():
            plan = _run(actor, data)
            raise _DryRun
    except _DryRun:
        return plan


@transaction.atomic
def apply_import(*, actor, data: bytes, file_name: str = "") -> Plan:
    plan = _run(actor, data)
    if not plan.ok:
        raise ImportRefused(plan)
    from sotay.audit.services import record

    record(
        action="org.import_applied", actor=actor, target_label=file_name[:255] or "tệp Excel",
        note=f"thêm {len(plan.new)}, không đổi {plan.unchanged}; sha256 {plan.sha256[:16]}",
    )  # fmt: skip
    return plan


def _run(actor, data: bytes) -> Plan:
    plan = Plan(mode="them", sha256=hashlib.sha256(data).hexdigest())
    _positions, raw = read_rows(data, COLUMNS, REQUIRED)
    rows = []
    for number, cells in raw:
        plan.rows += 1
        v = {k: as_text(c.value) for k, c in cells.items()}
        for key, cell in cells.items():
            if cell.formula:
                plan.problems.append(Problem(number, COLUMNS[key], "Ô chứa công thức; hãy ghi giá trị."))  # fmt: skip
        for key in REQUIRED:
            if not v.get(key):
                plan.problems.append(Problem(number, COLUMNS[key], f"Thiếu {COLUMNS[key].lower()}."))  # fmt: skip
        v["code"], v["parent_code"] = v["code"].upper(), v["parent_code"].upper()
        rows.append((number, v))
    if not plan.rows:
        plan.problems.append(Problem(0, "", "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    if plan.problems:
        return plan
    first_row = {}
    for number, v in rows:
        if v["code"] in first_row:
            plan.problems.append(Problem(number, COLUMNS["code"], f"Mã {v['code']} trùng với dòng {first_row[v['code']]}."))  # fmt: skip
        first_row.setdefault(v["code"], number)
    failed: set[str] = set()
    for number, v in _parents_first(rows, first_row, plan):
        _one(actor, number, v, plan, failed)
    plan.problems.sort(key=lambda p: p.row)
    return plan


def _parents_first(rows, first_row, plan):
    """Rows ordered so a parent created by the file comes before its children; rows in a
    cycle are reported."""
    pending = {v["code"]: (n, v) for n, v in rows if first_row.get(v["code"]) == n}
    done: set[str] = set()
    ordered = []
    while pending:
        ready = [c for c, (_n, v) in pending.items() if v["parent_code"] not in pending or v["parent_code"] in done]  # fmt: skip
        if not ready:
            for _code, (n, v) in sorted(pending.items(), key=lambda kv: kv[1][0]):
                plan.problems.append(Problem(n, COLUMNS["parent_code"], f"Vòng lặp cấp trên: {v['parent_code']} lại nằm dưới {v['code']}."))  # fmt: skip
            break
        for code in sorted(ready, key=lambda c: pending[c][0]):
            ordered.append(pending.pop(code))
            done.add(code)
    return ordered


def _one(actor, number: int, v: dict, plan: Plan, failed: set[str]) -> None:
    def problem(key, message):
        plan.problems.append(Problem(number, COLUMNS[key], message))
        failed.add(v["code"])

    org_type = _TYPES.get(fold(v["org_type"]))
    if org_type is None:
        return problem("org_type", f"Loại tổ chức “{v['org_type']}” không có trong danh sách (xem trang Hướng dẫn).")  # fmt: skip
    if v["parent_code"] in failed:
        return problem("parent_code", f"Tổ chức cấp trên {v['parent_code']} bị lỗi ở dòng khác.")
    parent = Organization.objects.filter(code=v["parent_code"]).first()
    existing = Organization.objects.filter(code=v["code"]).first()
    if existing is not None:
        same = (
            fold(existing.name) == fold(v["name"])
            and parent is not None
            and existing.path.startswith(parent.path)
            and existing.depth == parent.depth + 1
        )
        if same:
            plan.unchanged += 1
            return None
        return problem("code", f"Mã {v['code']} đã được dùng cho một tổ chức khác (khác tên hoặc cấp trên).")  # fmt: skip
    if parent is None:
        return problem("parent_code", _NOT_FOUND.format(v["parent_code"]))
    try:
        with transaction.atomic():
            create_organization(actor=actor, code=v["code"], name=v["name"], org_type=org_type,
                                parent=parent)  # fmt: skip
    except PermissionDenied:
        return problem("parent_code", _NOT_FOUND.format(v["parent_code"]))
    except ServiceError as exc:
        key = {"code": "code", "name": "name", "org_type": "org_type"}.get(exc.field, "parent_code")
        return problem(key, exc.message)
    plan.new.append({"code": v["code"], "name": v["name"], "parent": v["parent_code"], "row": number})  # fmt: skip
    return None
