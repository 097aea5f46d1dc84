"""Meeting screens before and around the meeting: the list, scheduling and editing,
the meeting page (agenda, materials, warnings, comments, announcement), the monthly
pattern, materials download, the member's check-in page and calendar files. The
"run the meeting" screen and voting live in views_run.py."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import MEETINGS_MANAGE, can, orgs_where
from sotay.core.pagination import page_of
from sotay.core.services import call_service, call_with_message
from sotay.documents.models import DocumentState
from sotay.documents.queries import documents_visible_to
from sotay.meetings import calendar, night, planning, services
from sotay.meetings.access import (
    get_agenda_item_for_user,
    get_material_for_user,
    get_meeting_for_user,
)
from sotay.meetings.forms import (
    AgendaForm,
    CommentForm,
    MaterialDocumentForm,
    MaterialFileForm,
    MeetingForm,
    PatternForm,
    meeting_members,
)
from sotay.meetings.models import (
    CheckInMethod,
    MeetingPattern,
    MeetingState,
    MotionState,
    RosterEntry,
)
from sotay.meetings.queries import meetings_visible_to
from sotay.organizations.models import BRANCH_TYPES, Organization

PER_PAGE = 20
UPCOMING_MAX = 30
MAX_ORGS = 200


def _managed_orgs(user):
    """Organisations (branches and their kind) where the user may schedule meetings."""
    roots = orgs_where(user, MEETINGS_MANAGE)
    if roots is None:  # superuser: everything
        qs = Organization.objects.all()
    elif not roots:
        return Organization.objects.none()
    else:
        q = Q()
        for root in roots:
            q |= Q(path__startswith=root)
        qs = Organization.objects.filter(q)
    return qs.filter(org_type__in=BRANCH_TYPES).order_by("path").only("pk", "name", "path")


@require_GET
def home(request):
    """Upcoming and current meetings first (soonest first), then past ones by page."""
    user = request.user
    now = timezone.now()
    qs = meetings_visible_to(user).only(
        "pk", "topic", "kind", "state", "starts_at", "ends_at", "place", "online_link",
        "organization__name",
    )  # fmt: skip
    current = Q(ends_at__gte=now) | Q(state=MeetingState.IN_PROGRESS)
    upcoming = list(qs.filter(current).order_by("starts_at", "pk")[:UPCOMING_MAX])
    past = page_of(
        qs.exclude(current).order_by("-starts_at", "-pk"), request.GET.get("page"), PER_PAGE, False
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "can_schedule": can(user, MEETINGS_MANAGE),
        },
    )


def _org_for_schedule(request):
    orgs = _managed_orgs(request.user)
    chosen = request.GET.get("to-chuc") or request.POST.get("organization")
    if chosen:
        try:
            return orgs.get(pk=int(chosen)), orgs
        except (Organization.DoesNotExist, TypeError, ValueError):
            raise Http404("Không tìm thấy tổ chức.") from None
    first = list(orgs[:2])
    return (first[0] if len(first) == 1 else None), orgs


def schedule(request):
    if not can(request.user, MEETINGS_MANAGE):
        raise PermissionDenied(gettext("Bạn không có quyền lập lịch họp."))
    org, orgs = _org_for_schedule(request)
    if org is None:
        return render(request, "meetings/meeting_pick_org.html", {"orgs": orgs[:MAX_ORGS]})
    form = MeetingForm(request.POST or None, members=meeting_members(org))
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        data = form.cleaned_data
        ok, meeting = call_service(
            form,
            services.schedule_meeting,
            user=request.user,
            organization=org,
            topic=data["topic"],
            starts_at=starts_at,
            ends_at=ends_at,
            kind=data["kind"],
            place=data["place"],
            online_link=data["online_link"],
            with_thematic=data["with_thematic"],
            chair=data["chair"],
            secretary=data["secretary"],
        )
        if ok:
            messages.success(
                request,
                gettext("Đã lưu dự thảo lịch họp. Thêm chương trình, tài liệu rồi thông báo."),
            )
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "org": org, "meeting": None}
    )


def edit(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    if not services.may_run(request.user, meeting):
        raise PermissionDenied(services.DENIED)
    if meeting.state != MeetingState.DRAFT:
        messages.info(
            request, gettext("Cuộc họp đã thông báo: không sửa thời gian, địa điểm được nữa.")
        )
        return redirect("meetings:detail", pk=meeting.pk)
    local_start = timezone.localtime(meeting.starts_at)
    initial = {
        "kind": meeting.kind,
        "with_thematic": meeting.with_thematic,
        "topic": meeting.topic,
        "day": local_start.date(),
        "start": local_start.time(),
        "end": timezone.localtime(meeting.ends_at).time(),
        "place": meeting.place,
        "online_link": meeting.online_link,
        "chair": meeting.chair_id,
        "secretary": meeting.secretary_id,
    }
    form = MeetingForm(
        request.POST or None, initial=initial, members=meeting_members(meeting.organization)
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        data = form.cleaned_data
        ok, _ = call_service(
            form,
            planning.update_meeting,
            user=request.user,
            meeting=meeting,
            topic=data["topic"],
            starts_at=starts_at,
            ends_at=ends_at,
            kind=data["kind"],
            place=data["place"],
            online_link=data["online_link"],
            with_thematic=data["with_thematic"],
            chair=data["chair"],
            secretary=data["secretary"],
        )
        if ok:
            messages.success(request, gettext("Đã lưu thay đổi."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "org": meeting.organization, "meeting": meeting},
    )


def _minutes_url(meeting) -> str:
    """The minutes page, once the minutes part of the app provides it."""
    try:
        return reverse("meetings:minutes", args=[meeting.pk])
    except NoReverseMatch:
        return ""


def _materials_for(user, meeting):
    """The meeting's materials, each with whether this user may open it: an uploaded
    file follows the meeting; a library document follows the library's own scoping."""
    materials = list(meeting.materials.select_related("document").order_by("pk"))
    doc_ids = [m.document_id for m in materials if m.document_id]
    readable = (
        set(
            documents_visible_to(user)
            .filter(pk__in=doc_ids, state=DocumentState.PUBLISHED)
            .values_list("pk", flat=True)
        )
        if doc_ids
        else set()
    )
    for m in materials:
        m.readable = m.document_id is None or m.document_id in readable
        m.published = planning.published_at(m, meeting)
    return materials


@require_GET
def detail(request, pk: int):
    user = request.user
    meeting = get_meeting_for_user(user, pk)
    runs = services.may_run(user, meeting)
    materials = _materials_for(user, meeting)
    entry = None
    member = getattr(user, "member", None)
    if member is not None and meeting.state != MeetingState.DRAFT:
        entry = (
            RosterEntry.objects.filter(meeting=meeting, member=member)
            .select_related("attendance")
            .first()
        )
    open_motions = (
        list(meeting.motions.filter(state=MotionState.OPEN).order_by("pk"))
        if meeting.state == MeetingState.IN_PROGRESS
        else []
    )
    closed_motions = services.with_results(
        list(meeting.motions.filter(state=MotionState.CLOSED).order_by("pk"))
    )
    context = {
        "meeting": meeting,
        "runs": runs,
        "agenda": list(meeting.agenda.select_related("presenter").order_by("position")),
        "materials": materials,
        "warnings": planning.warnings(meeting, materials) if runs else [],
        "comments": list(meeting.comments.order_by("created_at", "pk")) if runs else [],
        "my_comments": (
            list(meeting.comments.filter(author=user).order_by("created_at", "pk"))
            if not runs
            else []
        ),
        "may_comment": planning.may_comment(user, meeting),
        "comment_form": CommentForm(),
        "entry": entry,
        "open_motions": open_motions,
        "closed_motions": closed_motions,
        "liaison": planning.current_liaison(meeting.organization),
        "minutes_url": _minutes_url(meeting),
        "editable": runs and meeting.state in planning.EDITABLE,
        "refresh": _member_refresh(),
    }
    if context["editable"]:
        members = meeting_members(meeting.organization)
        context.update(
            agenda_form=AgendaForm(members=members, auto_id="agenda_%s"),
            members=list(members.only("pk", "full_name")),
            # several forms on one page: distinct ids keep each label on its own field
            doc_form=MaterialDocumentForm(auto_id="doc_%s"),
            file_form=MaterialFileForm(auto_id="file_%s"),
        )
    return render(request, "meetings/meeting_detail.html", context)


MEMBER_REFRESH_SECONDS = 15


def _member_refresh() -> int:
    return getattr(settings, "SOTAY_MEETING_LIVE_REFRESH", MEMBER_REFRESH_SECONDS)


@never_cache
@require_GET
def member_live(request, pk: int):
    """The member's "meeting now" block, fetched again over htmx while the meeting runs,
    so a newly opened vote appears without reloading the page."""
    user = request.user
    meeting = get_meeting_for_user(user, pk)
    member = getattr(user, "member", None)
    entry = (
        RosterEntry.objects.filter(meeting=meeting, member=member)
        .select_related("attendance")
        .first()
        if member is not None
        else None
    )
    if meeting.state != MeetingState.IN_PROGRESS or entry is None:
        return HttpResponse(
            format_html(
                '<p class="msg msg-info" id="now">{}</p>',
                gettext("Cuộc họp đã kết thúc. Cảm ơn đồng chí."),
            )
        )
    return render(
        request,
        "meetings/_member_now.html",
        {
            "meeting": meeting,
            "entry": entry,
            "open_motions": list(meeting.motions.filter(state=MotionState.OPEN).order_by("pk")),
            "refresh": _member_refresh(),
        },
    )


@require_POST
def announce(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    ok, _ = call_with_message(
        request, services.announce_meeting, user=request.user, meeting=meeting
    )
    if ok:
        messages.success(request, gettext("Đã thông báo lịch họp tới đảng viên được triệu tập."))
    return redirect("meetings:detail", pk=meeting.pk)


# --- agenda --------------------------------------------------------------------------------


def _agenda_fields(request, meeting):
    form = AgendaForm(request.POST, members=meeting_members(meeting.organization))
    if not form.is_valid():
        messages.error(request, gettext("Chương trình họp: hãy nhập nội dung (tối đa 500 ký tự)."))
        return None
    data = form.cleaned_data
    return {
        "title": data["title"],
        "presenter": data["presenter"],
        "presenter_name": data["presenter_name"],
    }


@require_POST
def agenda_add(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    fields = _agenda_fields(request, meeting)
    if fields is not None:
        ok, _ = call_with_message(
            request, planning.add_agenda_item, user=request.user, meeting=meeting, **fields
        )
        if ok:
            messages.success(request, gettext("Đã thêm nội dung chương trình."))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#agenda")


@require_POST
def agenda_edit(request, pk: int, item_pk: int):
    item = get_agenda_item_for_user(request.user, pk, item_pk)
    fields = _agenda_fields(request, item.meeting)
    if fields is not None:
        ok, _ = call_with_message(
            request, planning.update_agenda_item, user=request.user, item=item, **fields
        )
        if ok:
            messages.success(request, gettext("Đã sửa nội dung chương trình."))
    return redirect(reverse("meetings:detail", args=[pk]) + "#agenda")


@require_POST
def agenda_move(request, pk: int, item_pk: int, direction: str):
    item = get_agenda_item_for_user(request.user, pk, item_pk)
    call_with_message(
        request,
        planning.move_agenda_item,
        user=request.user,
        item=item,
        offset=-1 if direction == "len" else 1,
    )
    return redirect(reverse("meetings:detail", args=[pk]) + "#agenda")


@require_POST
def agenda_remove(request, pk: int, item_pk: int):
    item = get_agenda_item_for_user(request.user, pk, item_pk)
    ok, _ = call_with_message(request, planning.remove_agenda_item, user=request.user, item=item)
    if ok:
        messages.success(request, gettext("Đã bỏ nội dung chương trình."))
    return redirect(reverse("meetings:detail", args=[pk]) + "#agenda")


# --- materials -----------------------------------------------------------------------------


@require_POST
def material_add(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    back = redirect(reverse("meetings:detail", args=[meeting.pk]) + "#materials")
    if "file" in request.FILES:
        form = MaterialFileForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, gettext("Tệp tài liệu: hãy chọn một tệp PDF hoặc DOCX."))
            return back
        upload = form.cleaned_data["file"]
        if upload.size > planning.MAX_ATTACHMENT_BYTES:
            messages.error(request, gettext("Tệp tài liệu: dung lượng tối đa 20 MB."))
            return back
        ok, _ = call_with_message(
            request,
            planning.add_material_file,
            user=request.user,
            meeting=meeting,
            data=upload.read(),
            filename=upload.name,
            title=form.cleaned_data["title"],
        )
    else:
        form = MaterialDocumentForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Văn bản: hãy nhập mã số văn bản trong thư viện."))
            return back
        document = (
            documents_visible_to(request.user).filter(pk=form.cleaned_data["document"]).first()
        )
        if document is None:
            messages.error(request, gettext("Không tìm thấy văn bản này trong thư viện của bạn."))
            return back
        ok, _ = call_with_message(
            request,
            planning.add_material_document,
            user=request.user,
            meeting=meeting,
            document=document,
            title=form.cleaned_data["title"],
        )
    if ok:
        messages.success(request, gettext("Đã thêm tài liệu."))
    return back


@require_POST
def material_remove(request, pk: int, material_pk: int):
    material = get_material_for_user(request.user, pk, material_pk)
    ok, _ = call_with_message(
        request, planning.remove_material, user=request.user, material=material
    )
    if ok:
        messages.success(request, gettext("Đã bỏ tài liệu."))
    return redirect(reverse("meetings:detail", args=[pk]) + "#materials")


@require_GET
def material_file(request, pk: int, material_pk: int):
    material = get_material_for_user(request.user, pk, material_pk)
    if material.document_id:
        return redirect("documents:detail", pk=material.document_id)
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("Không tìm thấy tệp tài liệu.") from None
    response = FileResponse(
        handle,
        content_type=material.content_type,
        filename=material.original_name,
        as_attachment=material.content_type != "application/pdf",
    )
    response["Cache-Control"] = "private, max-age=600"
    return response


# --- comments --------------------------------------------------------------------------------


@require_POST
def comment(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Góp ý: hãy nhập nội dung (tối đa 2.000 ký tự)."))
    else:
        ok, _ = call_with_message(
            request,
            planning.add_comment,
            user=request.user,
            meeting=meeting,
            body=form.cleaned_data["body"],
        )
        if ok:
            messages.success(request, gettext("Đã gửi góp ý tới chi ủy."))
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#comments")


# --- monthly pattern --------------------------------------------------------------------------


def pattern(request):
    if not can(request.user, MEETINGS_MANAGE):
        raise PermissionDenied(gettext("Bạn không có quyền lập lịch họp."))
    org, orgs = _org_for_schedule(request)
    if org is None:
        return render(
            request,
            "meetings/meeting_pick_org.html",
            {"orgs": orgs[:MAX_ORGS], "target": "meetings:pattern"},
        )
    existing = MeetingPattern.objects.filter(organization=org).order_by("kind").first()
    initial = {}
    if existing is not None:
        initial = {
            "kind": existing.kind,
            "day_of_month": existing.day_of_month,
            "start_time": existing.start_time,
            "duration_minutes": existing.duration_minutes,
            "topic": existing.topic,
            "place": existing.place,
            "online_link": existing.online_link,
        }
    form = PatternForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, saved = call_service(
            form,
            planning.save_pattern,
            user=request.user,
            organization=org,
            kind=data["kind"],
            day_of_month=data["day_of_month"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            topic=data["topic"],
            place=data["place"],
            online_link=data["online_link"],
        )
        if ok:
            ok, created = call_service(
                form, planning.draft_from_pattern, user=request.user, pattern=saved,
                months=data["months"],
            )  # fmt: skip
        if ok:
            if created:
                messages.success(
                    request,
                    gettext("Đã lập %(count)d dự thảo lịch họp: %(days)s.")
                    % {
                        "count": len(created),
                        "days": ", ".join(
                            timezone.localtime(m.starts_at).strftime("%d/%m/%Y") for m in created
                        ),
                    },
                )
            else:
                messages.info(
                    request, gettext("Các tháng này đã có lịch họp: không lập thêm dự thảo.")
                )
            return redirect("meetings:index")
    return render(request, "meetings/pattern_form.html", {"form": form, "org": org})


# --- the member's check-in page ------------------------------------------------------------------


def check_in(request, pk: int):
    """GET shows the check-in button (opened from the QR code, `?ma=<code>`, it also
    exchanges the code for a short ticket); POST checks the signed-in member in."""
    user = request.user
    if request.method == "POST":
        ok, _ = call_with_message(
            request,
            night.check_in,
            user=user,
            meeting_id=pk,
            method=CheckInMethod.QR if request.POST.get("ticket") else CheckInMethod.PHONE,
            ticket=request.POST.get("ticket", "")[:500],
        )
        if ok:
            messages.success(request, gettext("Đã điểm danh: đồng chí có mặt tại cuộc họp."))
        return redirect("meetings:check_in", pk=pk)
    meeting = get_meeting_for_user(user, pk)
    member = getattr(user, "member", None)
    ticket, code_error = "", ""
    code = request.GET.get("ma", "")[:64]
    entry = None
    if member is not None:
        entry = (
            RosterEntry.objects.filter(meeting=meeting, member=member)
            .select_related("attendance")
            .first()
        )
    if code:
        try:
            ticket = services.qr_ticket(user=user, meeting=meeting, code=code)
        except services.ServiceError as exc:
            code_error = exc.message
    return render(
        request,
        "meetings/check_in.html",
        {
            "meeting": meeting,
            "entry": entry,
            "ticket": ticket,
            "code_error": code_error,
            "window_open": services.check_in_open(meeting),
        },
    )


# --- calendar ----------------------------------------------------------------------------------


@require_GET
def ics(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    if meeting.state == MeetingState.DRAFT:
        raise Http404("Không tìm thấy cuộc họp.")
    body = calendar.ics_for([meeting], request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cuoc-hop-{meeting.pk}.ics"'
    return response


@require_GET
def ics_feed(request):
    """The user's upcoming announced meetings (next 120 days) in one calendar file."""
    now = timezone.now()
    meetings = list(
        meetings_visible_to(request.user)
        .exclude(state=MeetingState.DRAFT)
        .filter(
            ends_at__gte=now - dt.timedelta(days=1), starts_at__lte=now + dt.timedelta(days=120)
        )
        .order_by("starts_at")[:100]
    )
    body = calendar.ics_for(meetings, request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lich-sinh-hoat.ics"'
    return response
