"""Tree browser (children loaded on demand with htmx), organisation page and the
management forms (rename, add child, move, merge, terms, seats)."""

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sotay.accounts.permissions import (
    ACCOUNTS_MANAGE,
    MEMBERS_VIEW,
    NOTICES_SEND,
    ORG_MANAGE,
    REPORTS_VIEW,
    ROLES_GRANT,
    can,
)
from sotay.core import staging
from sotay.core.services import call_service, call_with_message
from sotay.core.xlsx import xlsx_response
from sotay.members.models import Member, MemberStatus
from sotay.organizations import forms, imports, services
from sotay.organizations.access import find_organization_by_code, get_organization_for_user
from sotay.organizations.models import Organization, OrgType, Seat, Term
from sotay.organizations.queries import children_of, current_seats, member_counts, tree_roots_for


def _labelled(orgs: list[Organization]) -> list[Organization]:
    """Attach each node's type label, translated once per type instead of once per node."""
    labels = {value: str(label) for value, label in OrgType.choices}
    for org in orgs:
        org.type_label = labels[org.org_type]
    return orgs


def _tree_base() -> str:
    return reverse("organizations:tree")


DETAIL_CHILDREN = 30


@require_GET
def tree(request):
    roots = _labelled(list(tree_roots_for(request.user)[:200]))
    context = {"roots": roots, "base": _tree_base(), "may_import": can(request.user, ORG_MANAGE)}
    return render(request, "organizations/tree.html", context)


@require_GET
def children(request, pk: int):
    """The children of one node: a fragment for htmx, a full page without JavaScript."""
    org = get_organization_for_user(request.user, pk)
    rows = _labelled(list(children_of(org)[:1000]))
    template = (
        "organizations/_children.html" if request.htmx else "organizations/children_page.html"
    )
    return render(request, template, {"org": org, "children": rows, "base": _tree_base()})


@require_GET
def detail(request, pk: int):
    org = get_organization_for_user(request.user, pk)
    user = request.user
    counts = member_counts(org)
    children_rows = list(children_of(org)[: DETAIL_CHILDREN + 1])
    status_rows = [(label, counts[value]) for value, label in MemberStatus.choices]
    ancestors = [
        a
        for a in Organization.objects.filter(path__in=org.ancestor_paths()).order_by("depth")
        if can(user, "organizations.view", a)
    ]
    context = {
        "org": org,
        "ancestors": ancestors,
        # A phone screen shows the first DETAIL_CHILDREN; the tree/children page has all.
        "children": _labelled(children_rows[:DETAIL_CHILDREN]),
        "more_children": len(children_rows) > DETAIL_CHILDREN,
        "base": _tree_base(),
        "seats": list(current_seats(org)),
        "counts": counts,
        "status_rows": status_rows,
        "term": Term.objects.filter(organization=org, closed_on__isnull=True).first(),
        "predecessors": list(org.predecessors.all()[:50]),
        "can_manage": can(user, ORG_MANAGE, org),
        "can_accounts": can(user, ACCOUNTS_MANAGE, org),
        "can_members": can(user, MEMBERS_VIEW, org),
        "can_notify": can(user, NOTICES_SEND, org),
        "can_roles": can(user, ROLES_GRANT, org),
        "can_reports": can(user, REPORTS_VIEW, org),
    }
    return render(request, "organizations/organization_detail.html", context)


def _manageable(request, pk):
    org = get_organization_for_user(request.user, pk)
    if not can(request.user, ORG_MANAGE, org):
        raise PermissionDenied("Bạn không có quyền quản lý tổ chức này.")
    return org


def manage(request, pk: int):
    org = _manageable(request, pk)
    return render(request, "organizations/organization_manage.html", _manage_context(org))


def _manage_context(org, **forms_override):
    ctx = {
        "org": org,
        "rename_form": forms.RenameForm(initial={"name": org.name}),
        "child_form": forms.ChildForm(prefix="child"),
        "move_form": forms.TargetForm(prefix="move"),
        "merge_form": forms.TargetForm(prefix="merge"),
        "term_form": forms.TermForm(prefix="term"),
        "seat_form": forms.SeatForm(),
        "term": Term.objects.filter(organization=org, closed_on__isnull=True).first(),
        "seats": list(current_seats(org)),
    }
    ctx.update(forms_override)
    return ctx


def _rerender(request, org, **override):
    return render(
        request,
        "organizations/organization_manage.html",
        _manage_context(org, **override),
        status=400,
    )


@require_POST
def rename(request, pk: int):
    org = _manageable(request, pk)
    form = forms.RenameForm(request.POST)
    if form.is_valid():
        ok, _ = call_service(
            form,
            services.rename_organization,
            actor=request.user,
            org=org,
            name=form.cleaned_data["name"],
        )
        if ok:
            messages.success(request, "Đã đổi tên tổ chức.")
            return redirect("organizations:detail", pk=org.pk)
    return _rerender(request, org, rename_form=form)


@require_POST
def add_child(request, pk: int):
    org = _manageable(request, pk)
    form = forms.ChildForm(request.POST, prefix="child")
    if form.is_valid():
        d = form.cleaned_data
        ok, child = call_service(
            form,
            services.create_organization,
            actor=request.user,
            code=d["code"],
            name=d["name"],
            org_type=d["org_type"],
            parent=org,
        )
        if ok:
            messages.success(request, f"Đã thêm {child.name}.")
            return redirect("organizations:detail", pk=child.pk)
    return _rerender(request, org, child_form=form)


def _target(request, form, action=ORG_MANAGE):
    target = find_organization_by_code(request.user, form.cleaned_data["target_code"], action)
    if target is None:
        form.add_error(
            "target_code", "Không tìm thấy tổ chức đích trong phạm vi đồng chí được quản lý."
        )
    return target


@require_POST
def move(request, pk: int):
    org = _manageable(request, pk)
    form = forms.TargetForm(request.POST, prefix="move")
    if form.is_valid() and (target := _target(request, form)) is not None:
        ok, _ = call_service(
            form, services.move_organization, actor=request.user, org=org, new_parent=target
        )
        if ok:
            messages.success(request, f"Đã chuyển {org.name} về trực thuộc {target.name}.")
            return redirect("organizations:detail", pk=org.pk)
    return _rerender(request, org, move_form=form)


@require_POST
def merge(request, pk: int):
    org = _manageable(request, pk)
    form = forms.TargetForm(request.POST, prefix="merge")
    if form.is_valid() and (target := _target(request, form)) is not None:
        ok, _ = call_service(
            form, services.merge_organization, actor=request.user, source=org, target=target
        )
        if ok:
            messages.success(request, f"Đã hợp nhất {org.name} vào {target.name}.")
            return redirect("organizations:detail", pk=target.pk)
    return _rerender(request, org, merge_form=form)


@require_POST
def open_term(request, pk: int):
    org = _manageable(request, pk)
    form = forms.TermForm(request.POST, prefix="term")
    if form.is_valid():
        d = form.cleaned_data
        ok, _ = call_service(
            form,
            services.open_term,
            actor=request.user,
            org=org,
            name=d["name"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
        )
        if ok:
            messages.success(request, "Đã mở nhiệm kỳ mới.")
            return redirect("organizations:manage", pk=org.pk)
    return _rerender(request, org, term_form=form)


@require_POST
def close_term(request, pk: int, term_id: int):
    org = _manageable(request, pk)
    term = get_object_or_404(Term, pk=term_id, organization=org)
    ok, _ = call_with_message(request, services.close_term, actor=request.user, term=term)
    if ok:
        messages.success(request, "Đã kết thúc nhiệm kỳ.")
    return redirect("organizations:manage", pk=org.pk)


@require_POST
def assign_seat(request, pk: int):
    org = _manageable(request, pk)
    form = forms.SeatForm(request.POST)
    if form.is_valid():
        card = "".join(form.cleaned_data["card_number"].split()).upper()
        member = Member.objects.filter(card_number=card, org_path__startswith=org.path).first()
        if member is None:
            form.add_error("card_number", "Không có đảng viên với số thẻ này trong tổ chức.")
        else:
            ok, _ = call_service(
                form,
                services.assign_seat,
                actor=request.user,
                org=org,
                member=member,
                position=form.cleaned_data["position"],
            )
            if ok:
                messages.success(request, f"Đã giao chức vụ cho {member.full_name}.")
                return redirect("organizations:manage", pk=org.pk)
    return _rerender(request, org, seat_form=form)


@require_POST
def end_seat(request, pk: int, seat_id: int):
    org = _manageable(request, pk)
    seat = get_object_or_404(Seat, pk=seat_id, organization=org)
    ok, _ = call_with_message(request, services.end_seat, actor=request.user, seat=seat)
    if ok:
        messages.success(request, "Đã kết thúc chức vụ.")
    return redirect("organizations:manage", pk=org.pk)


# ------------------------------------------------------------------- Excel import


class OrgImportForm(django_forms.Form):
    file = django_forms.FileField(label="Tệp Excel (.xlsx, tối đa 5 MB)")


def _require_import(request):
    if not can(request.user, ORG_MANAGE):
        raise PermissionDenied("Bạn không có quyền thêm tổ chức.")


@require_GET
def import_template(request):
    _require_import(request)
    return xlsx_response(imports.template_workbook(), "mau-nhap-to-chuc.xlsx")


@require_http_methods(["GET", "POST"])
def import_organizations(request):
    """Upload → dry run (everything created then rolled back) → apply."""
    _require_import(request)
    form = OrgImportForm(request.POST or None, request.FILES or None)
    plan, token, status = staging.check_and_stage(
        request,
        form,
        lambda data, _cleaned: (imports.plan_import(actor=request.user, data=data), {}),
        kind="organizations",
    )
    context = {"form": form, "plan": plan, "token": token}
    return render(request, "organizations/org_import.html", context, status=status)


@require_POST
def apply_import(request):
    _require_import(request)
    plan, refused = staging.apply_staged(
        request,
        lambda data, meta: imports.apply_import(
            actor=request.user, data=data, file_name=meta["name"]
        ),
        kind="organizations",
    )
    if refused is not None:
        context = {"form": OrgImportForm(), "plan": refused, "token": None}
        return render(request, "organizations/org_import.html", context, status=409)
    if plan is None:
        return redirect("organizations:import")
    messages.success(request, f"Đã thêm {len(plan.new)} tổ chức.")
    return redirect("organizations:tree")
