"""Writes on the organisation tree: create, rename, move, merge, terms and seats.

Every function is keyword-only and atomic, checks the actor's permission through the
one policy, and writes an audit entry. Member rows carry a copy of their organisation's
path (`Member.org_path`); moves and merges rewrite it in one UPDATE per subtree.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone

from sotay.accounts.permissions import ORG_MANAGE, can, forget, invalidate_all
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.members.models import Member
from sotay.organizations.models import ALLOWED_CHILDREN, Organization, OrgType, Position, Seat, Term


def _require(actor, org: Organization) -> None:
    if actor is not None and not can(actor, ORG_MANAGE, org):
        raise PermissionDenied()


def _check_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not code or len(code) > 32 or not all(c.isalnum() or c in "-_." for c in code):
        raise ServiceError(
            "Mã tổ chức chỉ gồm chữ, số và các dấu - _ . (tối đa 32 ký tự).", field="code"
        )
    if Organization.objects.filter(code=code).exists():
        raise ServiceError(f"Mã tổ chức {code} đã được dùng.", field="code")
    return code


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) < 3 or len(name) > 255:
        raise ServiceError("Tên tổ chức phải có từ 3 đến 255 ký tự.", field="name")
    return name


def _check_child_type(parent: Organization, org_type: str) -> None:
    if org_type not in ALLOWED_CHILDREN[parent.org_type]:
        raise ServiceError(
            f"{OrgType(parent.org_type).label} không thể có tổ chức con loại {OrgType(org_type).label}.",
            field="org_type",
        )


@transaction.atomic
def create_organization(
    *,
    actor,
    code: str,
    name: str,
    org_type: str,
    parent: Organization | None,
    valid_from: dt.date | None = None,
) -> Organization:
    """Create a root (system admin only) or a child organisation."""
    if org_type not in OrgType.values:
        raise ServiceError("Loại tổ chức không hợp lệ.", field="org_type")
    code = _check_code(code)
    name = _check_name(name)
    fields = {
        "code": code,
        "name": name,
        "org_type": org_type,
        "valid_from": valid_from or timezone.localdate(),
    }
    if parent is None:
        if actor is not None and not (actor.is_superuser and actor.is_active):
            raise PermissionDenied("Chỉ quản trị hệ thống được tạo tổ chức cấp cao nhất.")
        org = Organization.create_root(**fields)
    else:
        _require(actor, parent)
        parent.refresh_from_db()
        if not parent.is_open:
            raise ServiceError("Không thể thêm tổ chức con vào tổ chức đã giải thể hoặc hợp nhất.")
        _check_child_type(parent, org_type)
        org = parent.create_child(**fields)
    record(
        action="org.created",
        actor=actor,
        target=org,
        changes={"code": [None, code], "name": [None, name]},
    )
    return org


@transaction.atomic
def rename_organization(*, actor, org: Organization, name: str) -> Organization:
    _require(actor, org)
    name = _check_name(name)
    old = org.name
    if old == name:
        return org
    org.name = name
    org.save(update_fields=["name", "updated_at"])
    record(action="org.renamed", actor=actor, target=org, changes={"name": [old, name]})
    return org


def _rewrite_member_paths(old_prefix: str, new_prefix: str) -> int:
    """Replace the path prefix on every member row of a moved subtree, in one UPDATE."""
    return Member.objects.filter(org_path__startswith=old_prefix).update(
        org_path=Concat(
            Value(new_prefix), Substr(F("org_path"), len(old_prefix) + 1, Length(F("org_path")))
        )
    )


@transaction.atomic
def move_organization(*, actor, org: Organization, new_parent: Organization) -> Organization:
    """Move `org` and its whole subtree under `new_parent`. Refuses a cycle, a closed
    target and a parent type that may not hold this kind of organisation."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    _require(actor, org)
    _require(actor, new_parent)
    if org.depth == 1:
        raise ServiceError("Không thể chuyển tổ chức cấp cao nhất.")
    if new_parent.path.startswith(org.path):
        raise ServiceError(
            "Không thể chuyển một tổ chức vào chính nó hoặc tổ chức cấp dưới của nó."
        )
    if not new_parent.is_open or not org.is_open:
        raise ServiceError("Không thể chuyển tổ chức đã giải thể hoặc hợp nhất.")
    old_parent = org.parent_org()
    if old_parent.pk == new_parent.pk:
        raise ServiceError("Tổ chức đã trực thuộc tổ chức này.")
    _check_child_type(new_parent, org.org_type)
    old_path = org.path
    Organization.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    moved = _rewrite_member_paths(old_path, org.path)
    invalidate_all()  # roles are held on paths, and these paths changed
    record(
        action="org.moved",
        actor=actor,
        target=org,
        changes={"parent": [old_parent.code, new_parent.code], "path": [old_path, org.path]},
        note=f"{moved} đảng viên theo tổ chức",
    )
    return org


@transaction.atomic
def merge_organization(
    *, actor, source: Organization, target: Organization, on: dt.date | None = None
) -> Organization:
    """Merge `source` into `target`: its child organisations and its members move to the
    target, its seats and role grants end, and it closes with a link to the target.
    The source stays in the tree (closed) so its history still reads."""
    from sotay.accounts.models import RoleGrant

    on = on or timezone.localdate()
    source = Organization.objects.select_for_update().get(pk=source.pk)
    target = Organization.objects.get(pk=target.pk)
    _require(actor, source)
    _require(actor, target)
    if source.pk == target.pk:
        raise ServiceError("Không thể hợp nhất một tổ chức vào chính nó.")
    if target.path.startswith(source.path):
        raise ServiceError("Không thể hợp nhất vào tổ chức cấp dưới của chính nó.")
    if not source.is_open or not target.is_open:
        raise ServiceError("Tổ chức đã giải thể hoặc hợp nhất trước đó.")
    if source.depth == 1:
        raise ServiceError("Không thể hợp nhất tổ chức cấp cao nhất.")
    children = list(Organization.objects.get_children(source).filter(valid_to__isnull=True))
    for child in children:
        _check_child_type(target, child.org_type)
    if Member.objects.filter(organization=source).exists() and not (
        target.is_branch or target.org_type == source.org_type
    ):
        raise ServiceError("Đảng viên chỉ có thể chuyển sang một chi bộ hoặc tổ chức cùng loại.")
    for child in children:
        child = Organization.objects.get(pk=child.pk)  # paths shift after each move
        old_path = child.path
        Organization.objects.move(child, Organization.objects.get(pk=target.pk), pos="last-child")
        child.refresh_from_db()
        _rewrite_member_paths(old_path, child.path)
    target.refresh_from_db()
    moved_members = Member.objects.filter(organization=source).update(
        organization=target, org_path=target.path
    )
    Seat.objects.filter(organization=source, ends_on__isnull=True).update(ends_on=on)
    Term.objects.filter(organization=source, closed_on__isnull=True).update(closed_on=on)
    RoleGrant.objects.filter(organization=source, ends_on__isnull=True).update(ends_on=on)
    invalidate_all()
    source.refresh_from_db()
    source.valid_to = on
    source.successor = target
    source.save(update_fields=["valid_to", "successor", "updated_at"])
    record(
        action="org.merged",
        actor=actor,
        target=source,
        changes={"successor": [None, target.code], "valid_to": [None, on.isoformat()]},
        note=f"{len(children)} tổ chức con và {moved_members} đảng viên chuyển sang {target.code}",
    )
    return source


@transaction.atomic
def open_term(*, actor, org: Organization, name: str, starts_on: dt.date, ends_on: dt.date) -> Term:
    _require(actor, org)
    if ends_on <= starts_on:
        raise ServiceError("Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.", field="ends_on")
    if Term.objects.filter(organization=org, closed_on__isnull=True).exists():
        raise ServiceError(
            "Tổ chức đang có nhiệm kỳ chưa kết thúc; hãy kết thúc nhiệm kỳ cũ trước."
        )
    name = " ".join((name or "").split()) or f"Nhiệm kỳ {starts_on.year}–{ends_on.year}"
    term = Term.objects.create(organization=org, name=name, starts_on=starts_on, ends_on=ends_on)
    record(action="org.term_opened", actor=actor, target=org, changes={"term": [None, name]})
    return term


@transaction.atomic
def close_term(*, actor, term: Term, on: dt.date | None = None) -> Term:
    """Close a term and end every seat still open in it."""
    on = on or timezone.localdate()
    _require(actor, term.organization)
    if term.closed_on is not None:
        raise ServiceError("Nhiệm kỳ đã kết thúc.")
    if on < term.starts_on:
        raise ServiceError("Ngày kết thúc không thể trước ngày bắt đầu nhiệm kỳ.")
    term.closed_on = on
    term.save(update_fields=["closed_on"])
    ended = Seat.objects.filter(term=term, ends_on__isnull=True).update(ends_on=on)
    invalidate_all()
    record(
        action="org.term_closed",
        actor=actor,
        target=term.organization,
        note=f"{term.name}; {ended} chức vụ kết thúc",
    )
    return term


@transaction.atomic
def assign_seat(
    *, actor, org: Organization, member: Member, position: str, starts_on: dt.date | None = None
) -> Seat:
    """Give a member a committee position in the organisation's open term."""
    _require(actor, org)
    if position not in Position.values:
        raise ServiceError("Chức vụ không hợp lệ.", field="position")
    if not org.is_open:
        raise ServiceError("Tổ chức đã giải thể hoặc hợp nhất.")
    if member.status not in ("chinh_thuc",):
        raise ServiceError("Chỉ đảng viên chính thức mới được bầu vào cấp ủy.", field="member")
    if not member.org_path.startswith(org.path):
        raise ServiceError("Đảng viên không sinh hoạt trong tổ chức này.", field="member")
    starts_on = starts_on or timezone.localdate()
    if Seat.objects.filter(
        organization=org, member=member, position=position, ends_on__isnull=True
    ).exists():
        raise ServiceError("Đảng viên đang giữ chức vụ này.", field="position")
    term = Term.objects.filter(organization=org, closed_on__isnull=True).first()
    seat = Seat.objects.create(
        organization=org, term=term, member=member, position=position, starts_on=starts_on
    )
    if hasattr(member, "account"):
        forget(member.account)
    invalidate_all()
    record(
        action="org.seat_assigned",
        actor=actor,
        target=org,
        changes={"seat": [None, f"{member.full_name}: {seat.get_position_display()}"]},
    )
    return seat


@transaction.atomic
def end_seat(*, actor, seat: Seat, on: dt.date | None = None) -> Seat:
    _require(actor, seat.organization)
    on = on or timezone.localdate()
    if seat.ends_on is not None:
        raise ServiceError("Chức vụ này đã kết thúc.")
    if on < seat.starts_on:
        raise ServiceError("Ngày kết thúc không thể trước ngày bắt đầu.")
    seat.ends_on = on
    seat.save(update_fields=["ends_on"])
    invalidate_all()
    record(
        action="org.seat_ended",
        actor=actor,
        target=seat.organization,
        changes={"seat": [f"{seat.member.full_name}: {seat.get_position_display()}", None]},
    )
    return seat
