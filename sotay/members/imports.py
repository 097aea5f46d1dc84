"""Importing members from .xlsx: a dry run lists every problem by row and column, then an
all-or-nothing apply re-checks the same file and writes it in one transaction.

Two modes:
  * ADD: rows not yet in the system are added. A row whose card number or CCCD is already
    held by the same person (same name and birth date) is left alone, so importing a file
    twice changes nothing. A card number or CCCD held by someone else is an error.
  * SYNC: the file is a full export of the upstream member database (CSDL đảng viên) for
    one organisation. The plan shows who would be added, whose record would change and
    who is no longer present. Applying adds and updates record fields only: a different
    branch, status or party dates need a decision (a lifecycle event) and are listed for
    the branch to act on, never changed by a file; nor is anyone removed.

Rows are checked with the same rules as a single new record (`check_row`), and set-based:
one query for the organisations, one for the card numbers and CCCDs already taken.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from sotay.accounts.permissions import MEMBERS_EDIT, MEMBERS_IMPORT, can, invalidate_all
from sotay.audit.models import AuditEntry
from sotay.audit.services import record
from sotay.core.bulk import insert_rows
from sotay.core.dates import add_months
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.text import fold, name_sort_key
from sotay.core.xlsx import (
    LISTED,
    Cell,
    Change,
    ImportRefused,
    Plan,
    Problem,
    as_text,
    parse_date,
    read_rows,
)
from sotay.members.excel import COLUMNS, DATE_KEYS, IMPORTABLE_STATUSES, LABELLED, REQUIRED
from sotay.members.models import (
    ACTIVE_STATUSES,
    CardRecord,
    EventKind,
    Member,
    MemberEvent,
    MemberStatus,
)
from sotay.members.records import TEXT_FIELDS, clean_card, clean_field
from sotay.members.reference import ETHNIC_GROUPS
from sotay.organizations.models import Organization

ADD, SYNC = "them", "dong-bo"
MODES = {ADD: "Thêm mới", SYNC: "Đồng bộ với CSDL đảng viên"}
# Fields a sync may change. Branch, status and party dates change only by decisions.
SYNC_FIELDS = (
    "full_name", "birth_date", "sex", "phone", "card_number", "cccd", "ethnicity", "religion",
    "hometown", "residence", "occupation", "general_education", "education",
    "professional_field", "academic_title", "political_theory", "foreign_language", "it_skill",
)  # fmt: skip
DECIDED_FIELDS = ("admission_decided_on", "joined_on", "full_on")


@functools.lru_cache(maxsize=4096)  # a column holds few distinct labels ("Kinh", "Đại học")
def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


_ETHNIC = {_key(name): name for name in ETHNIC_GROUPS}
_LABELS = {
    k: {**{_key(str(label)): v for v, label in choices.choices}, **{v: v for v in choices.values}}
    for k, choices in LABELLED.items()
}
_STATUS = {_key(str(s.label)): s.value for s in MemberStatus}
_NO_RELIGION = {"khong", "khongtongiao"}


def check_row(
    values: dict, *, today: dt.date, admission_pending: bool = False
) -> tuple[dict, list[tuple[str, str]]]:
    """Clean one member's values (raw text, numbers or dates, keyed as COLUMNS). Returns
    the cleaned values and the (key, message) of every problem; identifiers are checked
    for form here and for uniqueness by the caller. `admission_pending`: a person whose
    admission is about to be recorded (no party dates yet)."""
    out: dict = {}
    errors: list[tuple[str, str]] = []

    def bad(key, message):
        errors.append((key, message))

    for key in REQUIRED:
        if values.get(key) in (None, ""):
            bad(key, f"Thiếu {COLUMNS[key].lower()}.")
    for key in DATE_KEYS:
        raw = values.get(key)
        try:
            out[key] = parse_date(raw)
        except ValueError:
            bad(key, f"Ngày “{as_text(raw)}” không hợp lệ; ghi theo dạng ngày/tháng/năm, ví dụ 19/05/1985.")  # fmt: skip
    text = {k: as_text(values.get(k)) for k in COLUMNS if k not in DATE_KEYS}
    for key, value in text.items():
        if value.startswith(("=", "+", "@")) and key != "phone":
            bad(key, "Không được bắt đầu bằng =, + hoặc @ (sẽ bị hiểu là công thức).")
            text[key] = ""
    out["org_code"] = text["org_code"].upper()
    for key in ("full_name", "phone", "cccd", *TEXT_FIELDS):
        if key in text and not (key == "full_name" and not text[key]):
            try:
                out[key] = clean_field(key, "" if text[key] == "-" else text[key])
            except ServiceError as exc:
                bad(key, exc.message)
    if fold(text.get("religion", "")).replace(" ", "") in _NO_RELIGION:
        out["religion"] = ""
    try:
        out["card_number"] = clean_card(text["card_number"])
    except ServiceError as exc:
        bad("card_number", exc.message)
    for key, table in _LABELS.items():
        if text[key]:
            out[key] = table.get(_key(text[key]), table.get(text[key]))
            if out[key] is None:
                allowed = ", ".join(str(label) for _v, label in LABELLED[key].choices)
                bad(key, f"{COLUMNS[key]} “{text[key]}” không có trong danh mục ({allowed}).")
        else:
            out[key] = ""
    if text["ethnicity"]:
        out["ethnicity"] = _ETHNIC.get(_key(text["ethnicity"]))
        if out["ethnicity"] is None:
            bad("ethnicity", f"Dân tộc “{text['ethnicity']}” không có trong danh mục 54 dân tộc.")
    else:
        out["ethnicity"] = ""
    status = text["status"]
    out["status"] = _STATUS.get(_key(status)) if status else None
    if status and out["status"] is None:
        bad("status", f"Tình trạng “{status}” không hợp lệ (Dự bị hoặc Chính thức).")
    if admission_pending and not any(out.get(k) for k in DATE_KEYS[1:]):
        out["status"] = MemberStatus.PROBATIONARY
        _check_dates({**out, "status": "pending"}, today, bad, errors)
    else:
        _check_dates(out, today, bad, errors)
    return out, errors


def _check_dates(out: dict, today: dt.date, bad, errors) -> None:
    birth, decided, joined, full = (out.get(k) for k in DATE_KEYS)
    if birth and (birth > today or birth.year < 1900 or add_months(birth, 18 * 12) > today):
        bad("birth_date", "Ngày sinh không hợp lệ (đảng viên phải đủ 18 tuổi).")
    for key in ("admission_decided_on", "joined_on", "full_on"):
        if out.get(key) and out[key] > today:
            bad(key, "Ngày không được sau hôm nay.")
    if joined and birth and joined < add_months(birth, 18 * 12):
        bad("joined_on", "Ngày vào Đảng phải từ khi đủ 18 tuổi.")
    if decided and joined and joined < decided:
        bad("joined_on", "Lễ kết nạp không thể trước ngày quyết định kết nạp.")
    if full and joined and full <= joined:
        bad("full_on", "Ngày chính thức phải sau ngày vào Đảng.")
    if full and not joined:
        bad("joined_on", "Có ngày chính thức thì phải có ngày vào Đảng.")
    status = out.get("status")
    if status is None and not any(k == "status" for k, _m in errors):
        if joined:
            out["status"] = MemberStatus.FULL if full else MemberStatus.PROBATIONARY
        elif out.get("full_name"):
            bad("joined_on", "Thiếu ngày vào Đảng (cần để biết đảng viên dự bị hay chính thức).")
    elif status == MemberStatus.PROBATIONARY and full:
        bad("status", "Đảng viên dự bị không có ngày chính thức.")
    elif status in IMPORTABLE_STATUSES and not joined:
        bad("joined_on", "Thiếu ngày vào Đảng.")


class _Lookups:
    """Everything the rows need from the database, each in one query."""

    def __init__(self, actor, rows: list[tuple[int, dict]], scope: Organization | None):
        codes = {v["org_code"] for _n, v in rows if v.get("org_code")}
        self.orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        # Adding needs members.import on the row's branch; a sync changes records, which
        # needs members.edit.
        perm = MEMBERS_IMPORT if scope is None else MEMBERS_EDIT
        self.editable = {
            code: can(actor, perm, org) and (scope is None or org.path.startswith(scope.path))
            for code, org in self.orgs.items()
        }
        self.actor, self.scope = actor, scope
        cards = [v["card_number"] for _n, v in rows if v.get("card_number")]
        cccds = [v["cccd"] for _n, v in rows if v.get("cccd")]
        members: dict[int, Member] = {}
        base = Member.objects.select_related("organization")
        if connection.vendor == "postgresql":
            # Two array parameters instead of 12,000 placeholders: half the time.
            match = RawSQL(
                "(members_member.card_number = ANY(%s) OR members_member.cccd = ANY(%s))",
                (cards, cccds),
                output_field=BooleanField(),
            )
            members.update((m.pk, m) for m in base.filter(match))
        else:
            # Chunked: SQLite allows at most 32,766 parameters in one statement.
            for i in range(0, max(len(cards), len(cccds)), 5000):
                chunk = Q(card_number__in=cards[i : i + 5000]) | Q(cccd__in=cccds[i : i + 5000])
                members.update((m.pk, m) for m in base.filter(chunk))
        self.roll = []
        if scope is not None:
            # A sync reconciles the whole roll of the organisation.
            self.roll = list(
                base.filter(org_path__startswith=scope.path, status__in=ACTIVE_STATUSES)
            )
            members.update((m.pk, m) for m in self.roll)
        self.by_card = {m.card_number: m for m in members.values() if m.card_number}
        self.by_cccd = {m.cccd: m for m in members.values() if m.cccd}
        self.old_cards = {}
        for i in range(0, len(cards), 5000):
            self.old_cards.update(
                CardRecord.objects.filter(card_number__in=cards[i : i + 5000]).values_list(
                    "card_number", "member_id"
                )
            )

    def may_edit(self, m: Member) -> bool:
        return can(self.actor, MEMBERS_EDIT, m.organization) and (
            self.scope is None or m.org_path.startswith(self.scope.path)
        )


def _same_person(m: Member, v: dict) -> bool:
    return fold(m.full_name) == fold(v.get("full_name", "")) and m.birth_date == v.get("birth_date")


def _shown(key: str, value) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if key in LABELLED:
        return str(dict(LABELLED[key].choices).get(value, value))
    if key == "status":
        return str(MemberStatus(value).label)
    return str(value)


def plan_import(*, actor, data: bytes, mode: str, scope: Organization | None = None) -> Plan:
    """Check a file without writing anything. In SYNC mode `scope` is the organisation
    whose full roll the file holds."""
    if mode not in MODES:
        raise ServiceError("Chế độ nhập không hợp lệ.", field="mode")
    if mode == SYNC:
        if scope is None:
            raise ServiceError("Hãy chọn tổ chức cần đồng bộ.", field="scope")
        if not can(actor, MEMBERS_EDIT, scope):
            raise PermissionDenied()
    elif not can(actor, MEMBERS_IMPORT):
        raise PermissionDenied()
    plan = Plan(mode=mode, sha256=hashlib.sha256(data).hexdigest())
    positions, raw_rows = read_rows(data, COLUMNS, REQUIRED)
    today = timezone.localdate()
    rows: list[tuple[int, dict]] = []
    for number, cells in raw_rows:
        plan.rows += 1
        formula = [k for k, c in cells.items() if isinstance(c, Cell) and c.formula]
        for key in formula:
            plan.problems.append(
                Problem(number, COLUMNS[key], "Ô chứa công thức; hãy ghi giá trị.")
            )
            cells[key].value = None
        values, errors = check_row({k: c.value for k, c in cells.items()}, today=today)
        for key, message in errors:
            plan.problems.append(Problem(number, COLUMNS[key], message))
        rows.append((number, values))
    if plan.rows == 0:
        plan.problems.append(Problem(0, "", "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
        return plan
    look = _Lookups(actor, rows, scope if mode == SYNC else None)
    _match_rows(plan, rows, look, set(positions), mode)
    plan.problems.sort(key=lambda p: p.row)
    return plan


def _match_rows(plan: Plan, rows, look: _Lookups, present: set[str], mode: str) -> None:
    seen_card: dict[str, int] = {}
    seen_cccd: dict[str, int] = {}
    matched_ids: set[int] = set()

    def problem(n, key, message):
        plan.problems.append(Problem(n, COLUMNS[key], message))

    for n, v in rows:
        code = v.get("org_code")
        org = look.orgs.get(code) if code else None
        if code and (org is None or not look.editable.get(code)):
            where = " trong tổ chức cần đồng bộ" if mode == SYNC else ""
            problem(n, "org_code", f"Không có chi bộ mã “{code}” thuộc phạm vi quản lý của đồng chí{where}.")  # fmt: skip
            org = None
        elif org is not None and not org.is_branch:
            problem(n, "org_code", f"“{code}” là {org.get_org_type_display().lower()}, không phải chi bộ.")  # fmt: skip
            org = None
        elif org is not None and not org.is_open:
            problem(n, "org_code", f"Chi bộ “{code}” đã thôi hoạt động.")
            org = None
        v["organization"] = org
        card, cccd = v.get("card_number"), v.get("cccd")
        for value, seen, key in ((card, seen_card, "card_number"), (cccd, seen_cccd, "cccd")):
            if value and value in seen:
                problem(n, key, f"{COLUMNS[key]} {value} trùng với dòng {seen[value]}.")
            elif value:
                seen[value] = n
        by_card = look.by_card.get(card) if card else None
        by_cccd = look.by_cccd.get(cccd) if cccd else None
        if by_card and by_cccd and by_card.pk != by_cccd.pk:
            problem(n, "cccd", "Số thẻ và số CCCD đang thuộc hai đảng viên khác nhau.")
            continue
        existing = by_card or by_cccd
        if existing is None:
            if card and look.old_cards.get(card):
                problem(n, "card_number", f"Số thẻ {card} là thẻ cũ của một đảng viên khác.")
            else:
                if v.get("status") and v["status"] not in IMPORTABLE_STATUSES:
                    problem(n, "status", "Chỉ nhập đảng viên dự bị hoặc chính thức; các tình trạng khác ghi bằng quyết định trên hồ sơ.")  # fmt: skip
                plan.new.append({**v, "row": n})
            continue
        if existing.pk in matched_ids:
            problem(n, "card_number", "Đảng viên này đã có ở một dòng khác của tệp.")
            continue
        matched_ids.add(existing.pk)
        if mode == ADD:
            if not _same_person(existing, v):
                key = "card_number" if by_card else "cccd"
                problem(n, key, f"{COLUMNS[key]} đã được dùng cho một đảng viên khác trong hệ thống.")  # fmt: skip
            else:
                plan.unchanged += 1
            continue
        _compare(plan, n, existing, v, present, look)
    if mode == SYNC:
        absent = [m for m in look.roll if m.pk not in matched_ids]
        absent.sort(key=lambda m: m.name_sort)
        plan.absent_count, plan.absent = len(absent), absent[:LISTED]


def _compare(plan: Plan, n: int, m: Member, v: dict, present: set[str], look: _Lookups) -> None:
    """A matched row in SYNC mode: record-field changes to apply, decided differences to
    list for the branch."""
    org = v.get("organization")
    if org is not None and org.pk != m.organization_id:
        where = org.name
        plan.attention.append(Problem(n, COLUMNS["org_code"], f"{m.full_name}: trong tệp ở {where}, trong hệ thống ở {m.organization.name}. Cần làm thủ tục chuyển sinh hoạt."))  # fmt: skip
    status = v.get("status")
    if status and status != m.status:
        plan.attention.append(Problem(n, COLUMNS["status"], f"{m.full_name}: tình trạng trong tệp “{_shown('status', status)}”, trong hệ thống “{_shown('status', m.status)}”. Cần quyết định của cấp có thẩm quyền."))  # fmt: skip
    for key in DECIDED_FIELDS:
        if key in present and v.get(key) and v[key] != getattr(m, key):
            plan.attention.append(Problem(n, COLUMNS[key], f"{m.full_name}: {COLUMNS[key].lower()} trong tệp {_shown(key, v[key])}, trong hệ thống {_shown(key, getattr(m, key))}."))  # fmt: skip
    if not look.may_edit(m):
        plan.attention.append(Problem(n, COLUMNS["full_name"], f"{m.full_name} đang sinh hoạt ở {m.organization.name}, ngoài phạm vi đồng bộ: không cập nhật."))  # fmt: skip
        return
    changed = {}
    for key in SYNC_FIELDS:
        if key not in present or key not in v:
            continue
        new, old = v[key], getattr(m, key)
        if key in ("card_number", "cccd"):
            new, old = new or None, old or None
            if new is None:
                continue  # an identifier is never erased by a file
        if new != old:
            changed[key] = (old, new)
    if changed:
        plan.changes.append(Change(m.pk, m.full_name, changed))
    else:
        plan.unchanged += 1


# ---------------------------------------------------------------------------- applying


def member_values(v: dict, org: Organization) -> dict:
    """Column → value of a new record from checked values; its standing follows from the
    dates (probation ends 12 months after the ceremony)."""
    joined = v.get("joined_on")
    return {
        "full_name": v["full_name"], "name_folded": fold(v["full_name"]),
        "name_sort": name_sort_key(v["full_name"]), "birth_date": v["birth_date"],
        "sex": v["sex"], "phone": v.get("phone") or "", "card_number": v.get("card_number") or None,
        "cccd": v.get("cccd") or None, "status": v.get("status") or MemberStatus.PROBATIONARY,
        "joined_on": joined, "full_on": v.get("full_on"),
        "admission_decided_on": v.get("admission_decided_on"),
        "probation_ends_on": add_months(joined, 12) if joined else None,
        "organization_id": org.pk, "org_path": org.path,
        **{k: v.get(k) or "" for k in ("ethnicity", "education", "political_theory", *TEXT_FIELDS)},
    }  # fmt: skip


_STATUS_LABELS = {value: str(label) for value, label in MemberStatus.choices}


def opening(m: dict, source: str) -> tuple[dt.date, str] | None:
    """Effective date and note of the first history entry of a record created with a
    standing it already had (`m` as from member_values); None for someone whose
    admission is about to be recorded (the admission event comes next)."""
    if m["joined_on"] is None:
        return None
    dates = [f"vào Đảng {m['joined_on']:%d/%m/%Y}"]
    if m["admission_decided_on"]:
        dates.insert(0, f"quyết định kết nạp {m['admission_decided_on']:%d/%m/%Y}")
    if m["full_on"]:
        dates.append(f"chính thức {m['full_on']:%d/%m/%Y}")
    note = f"{source}. Tình trạng: {_STATUS_LABELS[m['status']]}; {', '.join(dates)}."
    return m["full_on"] or m["joined_on"], note[:500]


@transaction.atomic
def apply_import(
    *, actor, data: bytes, mode: str, scope: Organization | None = None, file_name: str = ""
) -> Plan:
    """Check the file again (the database may have changed since the dry run) and write
    all of it, or nothing: any problem raises ImportRefused carrying the plan."""
    plan = plan_import(actor=actor, data=data, mode=mode, scope=scope)
    if not plan.ok:
        raise ImportRefused(plan)
    source = f"Nhập từ tệp {file_name or 'Excel'} ({MODES[mode].lower()})"
    now = timezone.now()
    try:
        with transaction.atomic():
            created = _add(plan, actor, source, now)
            _update(plan, actor, source, now)
    except IntegrityError:
        raise ServiceError(
            "Số thẻ hoặc số CCCD vừa được ghi cho người khác trong lúc nhập; hãy kiểm tra lại tệp."
        ) from None
    invalidate_all()
    record(
        action="members.import_applied", actor=actor, org_path=scope.path if scope else "",
        target_label=file_name[:255] or "tệp Excel",
        note=f"{MODES[mode]}: thêm {len(created)}, cập nhật {len(plan.changes)}, không đổi {plan.unchanged}; sha256 {plan.sha256[:16]}",
    )  # fmt: skip
    return plan


def _add(plan: Plan, actor, source: str, now) -> list[int]:
    """Members, their opening events, card history and audit entries, each table in one
    set-based insert (COPY on PostgreSQL)."""
    values = [member_values(v, v["organization"]) for v in plan.new]
    columns = [*values[0], "created_at", "updated_at"] if values else []
    ids = insert_rows(Member, columns, [(*m.values(), now, now) for m in values], ids=True)
    events, cards, entries = [], [], []
    for pk, m in zip(ids, values, strict=True):
        first = opening(m, source)
        if first is not None:
            events.append((pk, EventKind.RECORD_OPENED, first[0], "", "", m["organization_id"],
                           first[1], actor.pk, now))  # fmt: skip
        if m["card_number"]:
            cards.append((pk, m["card_number"], source[:300]))
        entries.append((now, "members.imported", actor.pk, str(actor), "members.member", str(pk),
                        m["full_name"], m["org_path"], {"full_name": [None, m["full_name"]]},
                        source[:500]))  # fmt: skip
    insert_rows(MemberEvent, ["member_id", "kind", "effective_on", "deciding_body",
                              "decision_number", "organization_id", "note", "recorded_by_id",
                              "recorded_at"], events)  # fmt: skip
    insert_rows(CardRecord, ["member_id", "card_number", "note"], cards)
    insert_rows(AuditEntry, ["at", "action", "actor_id", "actor_label", "target_type",
                             "target_id", "target_label", "org_path", "changes", "note"], entries)  # fmt: skip
    return ids


def _update(plan: Plan, actor, source: str, now) -> None:
    if not plan.changes:
        return
    ids = [c.member_id for c in plan.changes]
    current = {m.pk: m for m in Member.objects.select_for_update().filter(pk__in=ids)}
    entries, cards = [], []
    for c in plan.changes:
        m = current[c.member_id]
        for key, (_old, new) in c.fields.items():
            setattr(m, key, new)
        m.fill_derived()
        if "card_number" in c.fields:
            cards.append(CardRecord(member=m, card_number=m.card_number, note=source[:300]))
        entries.append(AuditEntry(
            action="members.edited", actor=actor, actor_label=str(actor), target_type="members.member",
            target_id=str(m.pk), target_label=m.full_name, org_path=m.org_path, note=source[:500],
            changes={k: [_shown(k, old), _shown(k, new)] for k, (old, new) in c.fields.items()},
        ))  # fmt: skip
    fields = sorted({k for c in plan.changes for k in c.fields} | {"name_folded", "name_sort"})
    Member.objects.bulk_update(list(current.values()), fields, batch_size=500)
    Member.objects.filter(pk__in=ids).update(version=F("version") + 1, updated_at=now)
    CardRecord.objects.bulk_create(cards)
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
