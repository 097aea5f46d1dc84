"""Screens of the minutes (biên bản), the meeting's notes (remarks, conclusions,
guests), the branch resolution, the quality self-score, its configuration and the
meeting statistics. Views parse input, call one service and render.

Reads: a meeting the user may not see answers 404 (access.get_meeting_for_user); a
management screen of a meeting the user may see but not run answers 403; a draft of the
minutes is not found (404) for readers."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sotay.accounts.permissions import REPORTS_VIEW, can, is_superadmin, orgs_where
from sotay.core.services import call_service, call_with_message
from sotay.meetings import minutes as svc
from sotay.meetings import resolution as resolutions
from sotay.meetings import scoring, stats
from sotay.meetings.access import get_meeting_for_user
from sotay.meetings.access_minutes import get_minutes_for_user, minutes_readable_by
from sotay.meetings.forms_minutes import (
    ConclusionForm,
    GuestForm,
    MinutesForm,
    NewVersionForm,
    RemarkForm,
    ResolutionForm,
    ScoreConfigForm,
    ScoreForm,
)
from sotay.meetings.minutes_pdf import render_minutes_pdf
from sotay.meetings.models import (
    SCORE_CRITERIA,
    BranchResolution,
    MeetingState,
    MinutesState,
    QualityScore,
    ResolutionState,
    RosterEntry,
    ScoreConfig,
)
from sotay.meetings.services import may_run
from sotay.organizations.models import Organization
from sotay.reports.access import get_reported_organization_for_user

NOT_RUNNER = gettext_lazy("Chỉ người điều hành hoặc thư ký cuộc họp được mở trang này.")


def _require_writer(user, meeting) -> None:
    if not may_run(user, meeting):
        raise PermissionDenied(NOT_RUNNER)


# --- notes: guests, remarks, conclusions ---------------------------------------------------


def _notes_context(meeting, remark_form=None, conclusion_form=None, guest_form=None) -> dict:
    roster = list(RosterEntry.objects.filter(meeting=meeting).order_by("name_sort", "id"))
    return {
        "meeting": meeting,
        "remarks": list(meeting.remarks.select_related("agenda_item")),
        "conclusions": list(meeting.conclusions.select_related("agenda_item")),
        "guests": list(meeting.guests.all()),
        "remark_form": remark_form or RemarkForm(meeting=meeting, roster=roster),
        "conclusion_form": conclusion_form or ConclusionForm(meeting=meeting),
        "guest_form": guest_form or GuestForm(),
        "roster": roster,
        "open": meeting.state in (MeetingState.IN_PROGRESS, MeetingState.CLOSED)
        and not meeting.minutes.filter(state=MinutesState.APPROVED).exists(),
    }


@never_cache
@require_GET
def notes(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    _require_writer(request.user, meeting)
    return render(request, "meetings/minutes_notes.html", _notes_context(meeting))


def _agenda(meeting, item_id):
    if item_id is None:
        return None
    item = meeting.agenda.filter(pk=item_id).first()
    if item is None:
        raise Http404("Không tìm thấy nội dung chương trình.")
    return item


@require_POST
def remark_add(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    _require_writer(request.user, meeting)
    roster = list(RosterEntry.objects.filter(meeting=meeting).select_related("member"))
    form = RemarkForm(request.POST, meeting=meeting, roster=roster)
    if form.is_valid():
        d = form.cleaned_data
        speaker = next((e.member for e in roster if e.member_id == d["speaker"]), None)
        ok, _ = call_service(
            form,
            svc.add_remark,
            user=request.user,
            meeting=meeting,
            text=d["text"],
            speaker=speaker,
            speaker_name=d["speaker_name"],
            agenda_item=_agenda(meeting, d["agenda_item"]),
        )
        if ok:
            messages.success(request, gettext("Đã ghi ý kiến phát biểu."))
            return redirect("meetings:minutes_notes", pk=meeting.pk)
    return render(
        request,
        "meetings/minutes_notes.html",
        _notes_context(meeting, remark_form=form),
        status=400,
    )


@require_POST
def conclusion_add(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    _require_writer(request.user, meeting)
    form = ConclusionForm(request.POST, meeting=meeting)
    if form.is_valid():
        d = form.cleaned_data
        ok, _ = call_service(
            form,
            svc.add_conclusion,
            user=request.user,
            meeting=meeting,
            text=d["text"],
            agenda_item=_agenda(meeting, d["agenda_item"]),
        )
        if ok:
            messages.success(request, gettext("Đã ghi kết luận."))
            return redirect("meetings:minutes_notes", pk=meeting.pk)
    return render(
        request,
        "meetings/minutes_notes.html",
        _notes_context(meeting, conclusion_form=form),
        status=400,
    )


@require_POST
def guest_add(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    _require_writer(request.user, meeting)
    form = GuestForm(request.POST)
    if form.is_valid():
        ok, _ = call_service(
            form, svc.add_guest, user=request.user, meeting=meeting, **form.cleaned_data
        )
        if ok:
            messages.success(request, gettext("Đã ghi khách mời."))
            return redirect("meetings:minutes_notes", pk=meeting.pk)
    return render(
        request,
        "meetings/minutes_notes.html",
        _notes_context(meeting, guest_form=form),
        status=400,
    )


def _child_or_404(qs, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("Không tìm thấy.")
    return obj


@require_POST
def remark_delete(request, pk: int, item_pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    remark = _child_or_404(meeting.remarks, item_pk)
    if call_with_message(request, svc.delete_remark, user=request.user, remark=remark)[0]:
        messages.success(request, gettext("Đã xóa ý kiến phát biểu."))
    return redirect("meetings:minutes_notes", pk=meeting.pk)


@require_POST
def conclusion_delete(request, pk: int, item_pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    conclusion = _child_or_404(meeting.conclusions, item_pk)
    ok, _ = call_with_message(
        request, svc.delete_conclusion, user=request.user, conclusion=conclusion
    )
    if ok:
        messages.success(request, gettext("Đã xóa kết luận."))
    return redirect("meetings:minutes_notes", pk=meeting.pk)


@require_POST
def guest_delete(request, pk: int, item_pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    guest = _child_or_404(meeting.guests, item_pk)
    if call_with_message(request, svc.remove_guest, user=request.user, guest=guest)[0]:
        messages.success(request, gettext("Đã bỏ khách mời."))
    return redirect("meetings:minutes_notes", pk=meeting.pk)


# --- minutes ---------------------------------------------------------------------------------


def _minutes_context(request, meeting, minutes, form=None, version_form=None) -> dict:
    user = request.user
    writer = may_run(user, meeting)
    versions = list(
        minutes_readable_by(user, meeting).only(
            "version", "state", "reason", "approved_at", "created_at", "meeting_id"
        )
    )
    editable = writer and minutes is not None and minutes.state == MinutesState.DRAFT
    return {
        "meeting": meeting,
        "minutes": minutes,
        "versions": versions,
        "writer": writer,
        "approver": svc.may_approve(user, meeting),
        "form": form or (MinutesForm(initial={"body": minutes.body}) if editable else None),
        "version_form": version_form or NewVersionForm(),
        "has_draft": any(v.state == MinutesState.DRAFT for v in versions),
        "resolution": BranchResolution.objects.filter(meeting=meeting).first(),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def minutes_page(request, pk: int):
    """The newest readable version: the editor for a draft (POST saves it), the locked
    text of an approved version."""
    meeting = get_meeting_for_user(request.user, pk)
    minutes = minutes_readable_by(request.user, meeting).order_by("-version").first()
    if minutes is None and not may_run(request.user, meeting):
        raise Http404("Cuộc họp chưa có biên bản được thông qua.")
    if request.method == "POST":
        if minutes is None:
            raise Http404("Chưa có dự thảo biên bản.")
        form = MinutesForm(request.POST)
        if form.is_valid():
            ok, _ = call_service(
                form,
                svc.edit_minutes,
                user=request.user,
                minutes=minutes,
                body=form.cleaned_data["body"],
            )
            if ok:
                messages.success(request, gettext("Đã lưu biên bản."))
                return redirect("meetings:minutes", pk=meeting.pk)
        context = _minutes_context(request, meeting, minutes, form=form)
        return render(request, "meetings/minutes_page.html", context, status=400)
    return render(
        request, "meetings/minutes_page.html", _minutes_context(request, meeting, minutes)
    )


@require_POST
def minutes_draft(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    ok, _ = call_with_message(
        request,
        svc.draft_minutes,
        user=request.user,
        meeting=meeting,
        redraft=request.POST.get("redraft") == "1",
    )
    if ok:
        messages.success(request, gettext("Đã lập dự thảo biên bản từ diễn biến cuộc họp."))
    return redirect("meetings:minutes", pk=meeting.pk)


def _current_draft(request, meeting):
    minutes = minutes_readable_by(request.user, meeting).filter(state=MinutesState.DRAFT).first()
    if minutes is None:
        raise Http404("Không có dự thảo biên bản.")
    return minutes


@require_POST
def minutes_approve(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    minutes = _current_draft(request, meeting)
    if call_with_message(request, svc.approve_minutes, user=request.user, minutes=minutes)[0]:
        messages.success(request, gettext("Biên bản đã được thông qua và khóa lại."))
    return redirect("meetings:minutes", pk=meeting.pk)


@require_POST
def minutes_new_version(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    form = NewVersionForm(request.POST)
    if form.is_valid():
        ok, _ = call_service(
            form,
            svc.new_version,
            user=request.user,
            meeting=meeting,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, gettext("Đã lập phiên bản mới của biên bản."))
            return redirect("meetings:minutes", pk=meeting.pk)
    minutes = minutes_readable_by(request.user, meeting).order_by("-version").first()
    if minutes is None:
        raise Http404("Cuộc họp chưa có biên bản.")
    context = _minutes_context(request, meeting, minutes, version_form=form)
    return render(request, "meetings/minutes_page.html", context, status=400)


@require_GET
def minutes_version(request, pk: int, version: int):
    meeting = get_meeting_for_user(request.user, pk)
    minutes = get_minutes_for_user(request.user, meeting, version)
    context = _minutes_context(request, meeting, minutes)
    context["form"] = None
    context["old_version"] = True
    return render(request, "meetings/minutes_page.html", context)


@require_GET
def minutes_pdf(request, pk: int, version: int):
    meeting = get_meeting_for_user(request.user, pk)
    minutes = get_minutes_for_user(request.user, meeting, version)
    data = render_minutes_pdf(minutes)
    day = timezone.localtime(meeting.started_at or meeting.starts_at)
    name = f"bien-ban-{meeting.pk}-{day:%Y%m%d}-v{minutes.version}.pdf"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- branch resolution -----------------------------------------------------------------------


def _require_resolution_right(user, meeting) -> None:
    if not svc.may_approve(user, meeting):
        raise PermissionDenied(resolutions.DENIED_RESOLUTION)


@never_cache
@require_http_methods(["GET", "POST"])
def resolution_page(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    _require_resolution_right(request.user, meeting)
    resolution = BranchResolution.objects.filter(meeting=meeting).first()
    form = None
    status = 200
    if resolution is not None and resolution.state == ResolutionState.DRAFT:
        initial = {"number": resolution.number, "title": resolution.title, "body": resolution.body}
        form = ResolutionForm(request.POST or None, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                ok, _ = call_service(
                    form, resolutions.edit_resolution, user=request.user, resolution=resolution,
                    **form.cleaned_data,
                )  # fmt: skip
                if ok:
                    messages.success(request, gettext("Đã lưu dự thảo nghị quyết."))
                    return redirect("meetings:resolution", pk=meeting.pk)
            status = 400
    elif request.method == "POST":
        raise Http404("Không có dự thảo nghị quyết.")
    return render(
        request,
        "meetings/minutes_resolution.html",
        {"meeting": meeting, "resolution": resolution, "form": form},
        status=status,
    )


@require_POST
def resolution_draft(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    if call_with_message(request, resolutions.draft_resolution, user=request.user, meeting=meeting)[
        0
    ]:
        messages.success(request, gettext("Đã dự thảo nghị quyết từ các kết luận."))
    return redirect("meetings:resolution", pk=meeting.pk)


@require_POST
def resolution_publish(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    resolution = BranchResolution.objects.filter(meeting=meeting).first()
    if resolution is None:
        raise Http404("Không có dự thảo nghị quyết.")
    publish = partial(resolutions.publish_resolution, request=request)
    ok, _ = call_with_message(request, publish, user=request.user, resolution=resolution)
    if ok:
        messages.success(
            request, gettext("Nghị quyết đã được ban hành vào thư viện văn bản của chi bộ.")
        )
    return redirect("meetings:resolution", pk=meeting.pk)


# --- quality self-score ----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def score_page(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    if not svc.may_approve(request.user, meeting):
        raise PermissionDenied(gettext("Bạn không có quyền chấm điểm sinh hoạt của tổ chức này."))
    score = QualityScore.objects.filter(meeting=meeting).select_related("config").first()
    config = score.config if score else scoring.config_for(scoring.meeting_day(meeting))
    initial = {**score.points(), "note": score.note} if score else None
    form = ScoreForm(request.POST or None, config=config, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            ok, _ = call_service(
                form,
                scoring.score_meeting,
                user=request.user,
                meeting=meeting,
                points={key: d[key] for key, _label in SCORE_CRITERIA},
                note=d["note"],
            )
            if ok:
                messages.success(request, gettext("Đã lưu điểm tự chấm."))
                return redirect("meetings:score", pk=meeting.pk)
        status = 400
    return render(
        request,
        "meetings/minutes_score.html",
        {"meeting": meeting, "score": score, "config": config, "form": form},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def score_config(request):
    if not is_superadmin(request.user):
        raise PermissionDenied(gettext("Chỉ quản trị hệ thống được sửa thang điểm sinh hoạt."))
    current = scoring.config_for(timezone.localdate())
    initial = {
        **current.weights(),
        "valid_from": timezone.localdate() + dt.timedelta(days=1),
        "good_from": current.good_from,
        "fair_from": current.fair_from,
        "average_from": current.average_from,
    }
    form = ScoreConfigForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            ok, _ = call_service(
                form,
                scoring.save_config,
                user=request.user,
                valid_from=d["valid_from"],
                weights={key: d[key] for key, _label in SCORE_CRITERIA},
                good_from=d["good_from"],
                fair_from=d["fair_from"],
                average_from=d["average_from"],
                note=d["note"],
            )
            if ok:
                messages.success(request, gettext("Đã lưu thang điểm."))
                return redirect("meetings:score_config")
        status = 400
    return render(
        request,
        "meetings/minutes_score_config.html",
        {
            "form": form,
            "configs": list(ScoreConfig.objects.order_by("-valid_from")),
            "criteria": SCORE_CRITERIA,
        },
        status=status,
    )


# --- statistics ------------------------------------------------------------------------------


def parse_month(value: str | None) -> tuple[int, int]:
    """ "2026-11" → (2026, 11); empty → this month; anything else → 404-free default with
    a message left to the caller (returns None)."""
    today = timezone.localdate()
    if not value:
        return today.year, today.month
    try:
        year, month = (int(part) for part in value.split("-", 1))
        dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise ValueError("Tháng không hợp lệ: nhập theo mẫu năm-tháng, ví dụ 2026-11.") from None
    if not 2000 <= year <= today.year + 1:
        raise ValueError("Tháng không hợp lệ: năm phải từ 2000 đến năm sau.")
    return year, month


@require_GET
def stats_index(request):
    roots = orgs_where(request.user, REPORTS_VIEW)
    if roots is None:
        tops = list(Organization.objects.filter(depth=1).order_by("path"))
    else:
        if not roots:
            raise PermissionDenied(gettext("Bạn không có quyền xem thống kê ở tổ chức nào."))
        tops = sorted(Organization.objects.filter(path__in=roots), key=lambda o: (o.depth, o.path))
    if len(tops) == 1:
        return redirect("meetings:stats", org_pk=tops[0].pk)
    return render(request, "meetings/stats_index.html", {"tops": tops})


@require_GET
def stats_page(request, org_pk: int):
    org = get_reported_organization_for_user(request.user, org_pk)
    status = 200
    error = ""
    try:
        year, month = parse_month(request.GET.get("thang"))
    except ValueError as exc:
        error = str(exc)
        status = 400
        today = timezone.localdate()
        year, month = today.year, today.month
    result = stats.meeting_statistics(org, year, month)
    ancestors = [
        a
        for a in Organization.objects.filter(path__in=org.ancestor_paths()).order_by("depth")
        if can(request.user, REPORTS_VIEW, a)
    ]
    return render(
        request,
        "meetings/stats_page.html",
        {
            "org": org,
            "s": result,
            "month_value": f"{year:04d}-{month:02d}",
            "error": error,
            "ancestors": ancestors,
        },
        status=status,
    )
