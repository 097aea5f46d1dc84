"""Member search and the (minimal) member record. Every view of member data is audited."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import (
    MEMBERS_EDIT,
    MEMBERS_EXPORT,
    MEMBERS_IMPORT,
    MEMBERS_LIFECYCLE,
    MEMBERS_VIEW,
    can,
    orgs_where,
)
from sotay.accounts.queries import pending_registrations_for
from sotay.audit.services import record
from sotay.core import kept_pages
from sotay.core.pagination import page_of
from sotay.core.services import call_service, call_with_message
from sotay.members import lifecycle, record_page, records
from sotay.members.access import get_correction_for_user, get_member_for_user
from sotay.members.forms import CorrectionForm, EventForm, MemberFilterForm, PhotoForm
from sotay.members.models import Member
from sotay.members.queries import (
    SEARCH_CAP,
    capped,
    filter_members,
    members_visible_to,
    open_corrections_for,
    preselected,
    search_members,
    work_queues_for,
)
from sotay.notifications.queries import unread_count
from sotay.organizations.access import get_organization_for_user
from sotay.organizations.models import Organization

PER_PAGE = 30


def _listing(request):
    """The filtered, scoped member queryset of the list and its export: the filters, the
    organisation (if any) and a description for the audit trail."""
    filters = MemberFilterForm(request.GET)
    values = filters.values()
    qs = members_visible_to(request.user)
    org = None
    if request.GET.get("org"):
        org = get_organization_for_user(request.user, request.GET["org"])
        qs = qs.filter(org_path__startswith=org.path)
    qs = filter_members(search_members(qs, values["q"]), values, timezone.localdate())
    described = ", ".join(
        f"{filters.fields[k].label}: {dict(filters.fields[k].choices).get(v, v)}"
        for k, v in values.items()
        if k != "q"
    )
    if values["q"]:
        described = f"tìm '{values['q']}'" + (f", {described}" if described else "")
    return filters, values, org, qs, described or "toàn bộ"


def _below_city(user, org) -> bool:
    """Whether the list covers subtrees below the top level only (a commune, a branch)."""
    if org is not None:
        return org.depth >= 2
    roots = orgs_where(user, MEMBERS_VIEW)
    return roots is not None and all(len(p) >= 2 * Organization.steplen for p in roots)


@require_GET
def member_list(request):
    if not can(request.user, MEMBERS_VIEW):
        raise PermissionDenied("Bạn không có quyền xem danh sách đảng viên.")
    filters, values, org, qs, described = _listing(request)
    q = values["q"]
    if q:
        qs = capped(qs, q)
    elif len(values) > 1 and _below_city(request.user, org):
        qs = preselected(qs)
    qs = qs.select_related("organization").order_by("name_sort", "id")
    page = page_of(qs, request.GET.get("page"), PER_PAGE, count=False)
    at_cap = (
        bool(q)
        and not page.has_next
        and (page.number - 1) * PER_PAGE + len(page.items) >= SEARCH_CAP
    )
    record(
        action="members.listed",
        request=request,
        org_path=org.path if org else "",
        target_label=described[:255],
        note=f"trang {page.number}, {len(page.items)} đảng viên",
    )
    params = {k: v for k, v in values.items() if v}
    if org:
        params["org"] = org.pk
    context = {
        "page": page, "q": q, "org": org, "at_cap": at_cap, "cap": SEARCH_CAP,
        "filters": filters, "params": urlencode(params),
        "filtered": any(k != "q" for k in values),
        "may_export": can(request.user, MEMBERS_EXPORT, org) if org else can(request.user, MEMBERS_EXPORT),
        "may_import": can(request.user, MEMBERS_IMPORT),
    }  # fmt: skip
    template = "members/_rows.html" if request.htmx else "members/member_list.html"
    return render(request, template, context)


@require_GET
def member_detail(request, pk: int):
    """The record. On PostgreSQL, opening one is a single statement (scope check, audit
    entry, fingerprint) and the page is kept per process under that fingerprint
    (members.record_page); the member's own record, one attached elsewhere and SQLite
    take the usual path."""
    opened = record_page.open_record(request, pk) if record_page.enabled() else None
    if opened is None:
        member = get_member_for_user(request.user, pk)
        record(action="members.viewed", request=request, target=member)
        return _detail(request, member, EventForm())
    unread = unread_count(request.user)
    keepable = record_page.keepable(request)
    key = record_page.page_key(request, opened, unread)
    page = record_page.kept_page(key) if keepable else None
    if page is None:
        with record_page.snapshot():
            member = (
                Member.objects.select_related(
                    "organization", "temp_organization", "transit_organization"
                )
                .filter(pk=opened.pk)
                .first()
            )
            if member is None:  # removed since it was opened
                raise Http404("Không tìm thấy đảng viên.")
            context = _context(request, member, EventForm(), opened.may_record, opened.may_edit)
            context["unread_notices"] = unread  # the key's count, whatever the bell says meanwhile
            if not keepable:
                return render(request, "members/member_detail.html", context)
            page = kept_pages.render_marked("members/member_detail.html", context, request)
            # Kept only when the snapshot it was rendered from is what was opened.
            if record_page.fingerprint(opened.pk) == opened.fingerprint:
                record_page.keep_page(key, page)
    return kept_pages.respond(request, *page)


def _may_record(user, member) -> bool:
    return can(user, MEMBERS_LIFECYCLE, member.organization) or (
        member.transit_organization_id is not None
        and can(user, MEMBERS_LIFECYCLE, member.transit_organization)
    )


def _detail(request, member, form, status=200, correction_form=None, photo_form=None):
    context = _context(
        request, member, form, _may_record(request.user, member),
        can(request.user, MEMBERS_EDIT, member.organization), correction_form, photo_form,
    )  # fmt: skip
    return render(request, "members/member_detail.html", context, status=status)


def _context(request, member, form, may_record, may_edit, correction_form=None, photo_form=None):
    events = member.events.select_related("organization").order_by("id")
    own = request.user.member_id == member.pk
    corrections = list(member.correction_requests.order_by("-created_at")[:10]) if own else []
    return {"member": member, "events": events, "form": form, "may_record": may_record,
            "own": own, "corrections": corrections,
            "correction_form": correction_form or CorrectionForm(),
            "may_edit": may_edit, "photo_form": photo_form or PhotoForm()}  # fmt: skip


@require_POST
def record_event(request, pk: int):
    """Record one lifecycle event from the member page (secretary or office)."""
    member = get_member_for_user(request.user, pk)
    form = EventForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        organization = None
        if d["organization_code"]:
            code = d["organization_code"].strip().upper()
            organization = Organization.objects.filter(code=code).first()
            if organization is None:
                form.add_error("organization_code", f"Không có tổ chức mã {code}.")
        if not form.errors:
            ok, event = call_service(
                form, lifecycle.record_event, actor=request.user, member=member, kind=d["kind"],
                effective_on=d["effective_on"], decided_on=d["decided_on"],
                deciding_body=d["deciding_body"], decision_number=d["decision_number"],
                organization=organization, until=d["until"], note=d["note"],
            )  # fmt: skip
            if ok:
                messages.success(request, f"Đã ghi: {event.get_kind_display()}.")
                return redirect("members:detail", pk=member.pk)
    member.refresh_from_db()
    return _detail(request, member, form, status=400)


@require_GET
def work_queues(request):
    """What the branch secretary has to act on."""
    if not can(request.user, MEMBERS_LIFECYCLE):
        raise PermissionDenied("Bạn không có quyền xem việc cần làm của chi bộ.")
    queues = work_queues_for(request.user, timezone.localdate())
    registrations = list(pending_registrations_for(request.user)[:200])
    corrections = list(open_corrections_for(request.user)[:200])
    context = {**queues, "registrations": registrations, "corrections": corrections}
    return render(request, "members/work_queues.html", context)


@require_POST
def request_correction(request):
    """A member asks for their own record to be corrected."""
    form = CorrectionForm(request.POST)
    if form.is_valid():
        ok, _ = call_service(
            form,
            records.request_correction,
            user=request.user,
            message=form.cleaned_data["message"],
        )
        if ok:
            messages.success(request, "Đã gửi đề nghị sửa hồ sơ tới chi bộ.")
            return redirect("members:detail", pk=request.user.member_id)
    member = get_member_for_user(request.user, request.user.member_id)
    return _detail(request, member, EventForm(), status=400, correction_form=form)


@require_POST
def resolve_correction(request, pk: int):
    req = get_correction_for_user(request.user, pk)
    ok, _ = call_with_message(
        request, records.resolve_correction, actor=request.user, correction=req,
        done=request.POST.get("done") == "1", resolution=request.POST.get("resolution", ""),
    )  # fmt: skip
    if ok:
        messages.success(request, f"Đã xử lý đề nghị của {req.member.full_name}.")
    return redirect("members:work_queues")


@require_POST
def set_photo(request, pk: int):
    """Upload a new portrait (office or admin: members.edit); the service checks the file."""
    member = get_member_for_user(request.user, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        ok, _ = call_service(
            form, records.set_photo, actor=request.user, member=member,
            upload=form.cleaned_data["photo"], reason=form.cleaned_data["reason"],
        )  # fmt: skip
        if ok:
            messages.success(request, "Đã cập nhật ảnh chân dung.")
            return redirect("members:detail", pk=member.pk)
    return _detail(request, member, EventForm(), status=400, photo_form=form)


@require_GET
def photo(request, pk: int):
    """The portrait, to whoever may read the record. Photos are confidential like the
    record, so they never sit under the public MEDIA_URL; each read is audited."""
    return photo_response(request, get_member_for_user(request.user, pk))


def photo_response(request, member):
    """Stream `member`'s photo (already loaded through access) and audit the read; the
    page and the API both answer with this."""
    if not member.photo:
        raise Http404("Đảng viên chưa có ảnh chân dung.")
    try:
        handle = member.photo.open("rb")
    except FileNotFoundError:
        raise Http404("Không tìm thấy ảnh chân dung.") from None
    record(action="members.photo_viewed", request=request, target=member)
    response = FileResponse(handle, content_type="image/jpeg", filename="anh-chan-dung.jpg")
    # Browsers may keep it, shared caches and proxies may not. The page links it with
    # the record's update time, so a new photo is a new URL.
    response["Cache-Control"] = "private, max-age=600"
    return response
