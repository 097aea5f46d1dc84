"""Excel screens: the template, the member import (dry run, then apply) and the export of
the visible list. Exports and applied imports are audited."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sotay.accounts.permissions import (
    MEMBERS_EDIT,
    MEMBERS_EXPORT,
    MEMBERS_IMPORT,
    can,
    orgs_where,
    scope_q,
)
from sotay.audit.services import record
from sotay.core import staging
from sotay.core.errors import ServiceError
from sotay.core.xlsx import xlsx_response
from sotay.members import imports
from sotay.members.excel import export_workbook, template_workbook
from sotay.members.views import _listing
from sotay.organizations.models import Organization

# A whole city can be exported only by someone holding members.export on it; this cap
# keeps one click from producing an unreadable (and leak-sized) file.
EXPORT_LIMIT = 60_000


def _require_import(request):
    if not can(request.user, MEMBERS_IMPORT):
        raise PermissionDenied("Bạn không có quyền nhập hồ sơ đảng viên.")


@require_GET
def import_template(request):
    _require_import(request)
    return xlsx_response(template_workbook(), "mau-nhap-dang-vien.xlsx")


@require_GET
def export_members(request):
    """The list as the user filtered it, limited to where they may export."""
    if not can(request.user, MEMBERS_EXPORT):
        raise PermissionDenied("Bạn không có quyền xuất dữ liệu đảng viên.")
    _filters, _values, org, qs, described = _listing(request)
    if org is not None and not can(request.user, MEMBERS_EXPORT, org):
        raise PermissionDenied("Bạn không có quyền xuất dữ liệu đảng viên của tổ chức này.")
    qs = qs.filter(scope_q(request.user, MEMBERS_EXPORT, field="org_path"))
    count = qs.count()
    if count > EXPORT_LIMIT:
        messages.error(
            request,
            f"Danh sách có {count:,} người, quá {EXPORT_LIMIT:,} người cho một tệp; hãy lọc theo tổ chức.".replace(",", "."),
        )  # fmt: skip
        return redirect(f"{reverse('members:list')}?{request.GET.urlencode()}")
    title = f"Danh sách đảng viên – {org.name if org else 'trong phạm vi quản lý'} ({described})"
    file, rows = export_workbook(qs, title)
    record(
        action="members.exported", request=request, org_path=org.path if org else "",
        target_label=described[:255], note=f"{rows} đảng viên",
    )  # fmt: skip
    return xlsx_response(file, f"dang-vien-{timezone.localdate():%Y%m%d}.xlsx")


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx, tối đa 5 MB)")
    mode = forms.ChoiceField(
        label="Cách nhập",
        choices=list(imports.MODES.items()),
        widget=forms.RadioSelect,
        initial=imports.ADD,
    )
    scope = forms.CharField(
        label="Mã tổ chức cần đồng bộ (chỉ khi đồng bộ)", max_length=32, required=False
    )


def _scope(user, code: str) -> Organization | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    org = Organization.objects.filter(code=code).first()
    if org is None or not can(user, MEMBERS_EDIT, org):
        raise ServiceError(
            f"Không có tổ chức mã “{code}” trong phạm vi của đồng chí.", field="scope"
        )
    return org


@require_http_methods(["GET", "POST"])
def import_members(request):
    """Upload → dry run. The page lists every problem; when there is none it offers the
    apply button, which carries a token for the very file that was checked."""
    _require_import(request)
    may_sync = can(request.user, MEMBERS_EDIT)
    top = orgs_where(request.user, MEMBERS_EDIT) or [] if may_sync else []
    home = Organization.objects.filter(path=top[0]).first() if len(top) == 1 else None
    form = ImportForm(request.POST or None, request.FILES or None,
                      initial={"scope": home.code if home else ""})  # fmt: skip
    if not may_sync:
        # Adding new records only: a sync changes existing records (members.edit).
        form.fields["mode"].choices = [(imports.ADD, imports.MODES[imports.ADD])]
        del form.fields["scope"]

    def run_plan(data, cleaned):
        mode = cleaned["mode"]
        scope = _scope(request.user, cleaned["scope"]) if mode == imports.SYNC else None
        plan = imports.plan_import(actor=request.user, data=data, mode=mode, scope=scope)
        return plan, {"mode": mode, "scope": scope.pk if scope else None}

    plan, token, status = staging.check_and_stage(request, form, run_plan, kind="members")
    context = {"form": form, "plan": plan, "token": token, "modes": imports.MODES}
    return render(request, "members/member_import.html", context, status=status)


@require_POST
def apply_import(request):
    _require_import(request)

    def run_apply(data, meta):
        scope = Organization.objects.filter(pk=meta["scope"]).first() if meta["scope"] else None
        return imports.apply_import(actor=request.user, data=data, mode=meta["mode"],
                                    scope=scope, file_name=meta["name"])  # fmt: skip

    plan, refused = staging.apply_staged(request, run_apply, kind="members")
    if refused is not None:
        context = {"form": ImportForm(), "plan": refused, "token": None, "modes": imports.MODES}
        return render(request, "members/member_import.html", context, status=409)
    if plan is None:
        return redirect("members:import")
    messages.success(
        request,
        f"Đã nhập xong: thêm {len(plan.new)}, cập nhật {len(plan.changes)}, "
        f"không đổi {plan.unchanged} đảng viên.",
    )
    return redirect("members:list")
