"""The meeting night: the secretary's "run the meeting" screen (start, the rotating QR
code, live presence and "could a vote pass", the roster with marks and reasons,
motions) and the member's vote page.

The vote page follows docs/decisions/0002-secret-ballot.md: the choice travels in the
POST body only, the view is `sensitive_post_parameters` so error reports never carry
it, and nothing here logs it."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from sotay.core.services import call_with_message
from sotay.meetings import night, quorum, services
from sotay.meetings.access import get_entry_for_user, get_meeting_for_user, get_motion_for_user
from sotay.meetings.forms import MarkForm, MotionForm
from sotay.meetings.models import (
    Ballot,
    MeetingState,
    Motion,
    MotionState,
    RosterEntry,
    Vote,
    VoterMark,
)

# The run screen's live part (QR, counts) is fetched again this often (setting
# SOTAY_MEETING_LIVE_REFRESH; 10 s shows every QR code, which changes each 30 s).
LIVE_REFRESH_SECONDS = 10


def _require_run(user, meeting) -> None:
    if not services.may_run(user, meeting):
        raise PermissionDenied(services.DENIED)


def qr_url(request, meeting, now=None) -> str:
    """What the QR code encodes: the check-in page with the current code."""
    code = services.qr_code(meeting, now)
    return request.build_absolute_uri(reverse("meetings:check_in", args=[meeting.pk])) + (
        f"?ma={code}"
    )


def _qr_svg(data: str) -> str:
    out = io.BytesIO()
    segno.make(data, error="m").save(
        out, kind="svg", border=2, omitsize=True, xmldecl=False, svgns=True, dark="#111"
    )
    return out.getvalue().decode()


def _live_context(request, meeting) -> dict:
    lines = services.roster_lines(meeting)
    summary = quorum.summary(line for _e, line in lines)
    motions = list(meeting.motions.order_by("pk"))
    open_motions = [m for m in motions if m.state == MotionState.OPEN]
    cast = _cast_counts(open_motions)
    for motion in open_motions:
        motion.cast = cast.get(motion.pk, 0)
    context = {
        "meeting": meeting,
        "summary": summary,
        "open_motions": open_motions,
        "refresh": getattr(settings, "SOTAY_MEETING_LIVE_REFRESH", LIVE_REFRESH_SECONDS),
    }
    if meeting.state == MeetingState.IN_PROGRESS:
        url = qr_url(request, meeting)
        context.update(qr_svg=_qr_svg(url), qr_link=url)
    return context


def _cast_counts(motions: list[Motion]) -> dict[int, int]:
    """How many have voted on each open motion: two grouped queries whatever the
    number of motions (counts only: nothing about choices)."""
    from django.db.models import Count

    out: dict[int, int] = {}
    open_ids = [m.pk for m in motions if m.ballot == Ballot.OPEN]
    secret_ids = [m.pk for m in motions if m.ballot == Ballot.SECRET]
    if open_ids:
        for row in (
            Vote.objects.filter(motion_id__in=open_ids).values("motion_id").annotate(n=Count("pk"))
        ):
            out[row["motion_id"]] = row["n"]
    if secret_ids:
        for row in (
            VoterMark.objects.filter(motion_id__in=secret_ids)
            .values("motion_id")
            .annotate(n=Count("pk"))
        ):
            out[row["motion_id"]] = row["n"]
    return out


@never_cache
@require_GET
def run(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    _require_run(request.user, meeting)
    context = _live_context(request, meeting)
    roster = list(
        RosterEntry.objects.filter(meeting=meeting)
        .select_related("attendance")
        .order_by("name_sort", "pk")
    )
    closed = services.with_results(
        [m for m in meeting.motions.order_by("pk") if m.state == MotionState.CLOSED]
    )
    voters = [
        e
        for e in roster
        if e.category in quorum.VOTING_CATEGORIES and e.attendance.status != "absent"
    ]
    context.update(
        roster=roster,
        closed_motions=closed,
        motion_form=MotionForm(),
        voters=voters,
        reopenable=_reopenable(closed),
        can_start=meeting.state == MeetingState.ANNOUNCED,
    )
    return render(request, "meetings/meeting_run.html", context)


def _reopenable(closed: list[Motion]) -> list[Motion]:
    """Failed motions not yet put again (a next round may be opened for them)."""
    failed = [m for m in closed if m.result == "failed"]
    if not failed:
        return []
    again = set(Motion.objects.filter(previous__in=failed).values_list("previous_id", flat=True))
    return [m for m in failed if m.pk not in again]


@never_cache
@require_GET
def live(request, pk: int):
    """The htmx fragment refreshed every LIVE_REFRESH_SECONDS: QR, counts, votes cast."""
    meeting = get_meeting_for_user(request.user, pk)
    _require_run(request.user, meeting)
    return render(request, "meetings/_run_live.html", _live_context(request, meeting))


@never_cache
@require_GET
def qr_svg(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    _require_run(request.user, meeting)
    if meeting.state != MeetingState.IN_PROGRESS:
        return HttpResponse(status=404)
    return HttpResponse(_qr_svg(qr_url(request, meeting)), content_type="image/svg+xml")


def _back(meeting, anchor: str = ""):
    return redirect(reverse("meetings:run", args=[meeting.pk]) + anchor)


@require_POST
def start(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    ok, _ = call_with_message(request, services.start_meeting, user=request.user, meeting=meeting)
    if ok:
        messages.success(request, gettext("Đã bắt đầu cuộc họp và lập danh sách triệu tập."))
    return _back(meeting)


@require_POST
def close(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    ok, _ = call_with_message(request, services.close_meeting, user=request.user, meeting=meeting)
    if ok:
        messages.success(request, gettext("Đã kết thúc cuộc họp."))
    return _back(meeting)


@require_POST
def mark(request, pk: int, entry_pk: int):
    """Present / late / absent with a reason; also how a member without a phone is
    checked in (flagged and audited by the service)."""
    entry = get_entry_for_user(request.user, pk, entry_pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Trạng thái điểm danh không hợp lệ."))
    else:
        ok, _ = call_with_message(
            request,
            services.mark_attendance,
            user=request.user,
            entry=entry,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(
                request, gettext("Đã ghi điểm danh: %(name)s.") % {"name": entry.full_name}
            )
    return _back(entry.meeting, f"#entry-{entry.pk}")


@require_POST
def reason(request, pk: int, entry_pk: int):
    entry = get_entry_for_user(request.user, pk, entry_pk)
    accepted = request.POST.get("accepted")
    if accepted not in ("1", "0"):
        messages.error(request, gettext("Hãy chọn chấp nhận hoặc không chấp nhận lý do."))
        return _back(entry.meeting, f"#entry-{entry.pk}")
    ok, _ = call_with_message(
        request, services.decide_reason, user=request.user, entry=entry, accepted=accepted == "1"
    )
    if ok:
        messages.success(
            request, gettext("Đã xét lý do vắng: %(name)s.") % {"name": entry.full_name}
        )
    return _back(entry.meeting, f"#entry-{entry.pk}")


@require_POST
def motion_open(request, pk: int):
    meeting = get_meeting_for_user(request.user, pk)
    form = MotionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Biểu quyết: hãy nhập nội dung, loại và hình thức."))
        return _back(meeting, "#motions")
    previous = None
    if request.POST.get("previous"):
        previous = get_motion_for_user(request.user, meeting.pk, request.POST["previous"])
    data = form.cleaned_data
    ok, _ = call_with_message(
        request,
        services.open_motion,
        user=request.user,
        meeting=meeting,
        title=data["title"],
        kind=data["kind"],
        options=form.options(),
        max_choices=data["max_choices"],
        ballot=data["ballot"],
        previous=previous,
    )
    if ok:
        messages.success(request, gettext("Đã mở biểu quyết."))
    return _back(meeting, "#motions")


@require_POST
def motion_close(request, pk: int, motion_pk: int):
    motion = get_motion_for_user(request.user, pk, motion_pk)
    ok, _ = call_with_message(request, services.close_motion, user=request.user, motion=motion)
    if ok:
        messages.success(request, gettext("Đã kết thúc biểu quyết: kết quả đã được chốt."))
    return _back(motion.meeting, "#motions")


@require_POST
def show_of_hands(request, pk: int, motion_pk: int):
    """The secretary records a hand vote for a member without a phone (open ballot)."""
    motion = get_motion_for_user(request.user, pk, motion_pk)
    entry = get_entry_for_user(request.user, pk, request.POST.get("entry"))
    ok, _ = call_with_message(
        request,
        services.record_show_of_hands,
        user=request.user,
        motion=motion,
        member=entry.member,
        choices=request.POST.getlist("choice"),
    )
    if ok:
        messages.success(
            request, gettext("Đã ghi biểu quyết giơ tay của %(name)s.") % {"name": entry.full_name}
        )
    return _back(motion.meeting, "#motions")


# --- the member's vote page ----------------------------------------------------------------------


def _voted(motion: Motion, member) -> bool:
    marks = VoterMark if motion.ballot == Ballot.SECRET else Vote
    return member is not None and marks.objects.filter(motion=motion, member=member).exists()


@never_cache
@sensitive_post_parameters("choice")
def vote(request, pk: int, motion_pk: int):
    if request.method == "POST":
        ok, _ = call_with_message(
            request,
            night.cast_vote,
            user=request.user,
            meeting_id=pk,
            motion_id=motion_pk,
            choices=request.POST.getlist("choice"),
        )
        if ok:
            messages.success(request, gettext("Đã ghi nhận phiếu của đồng chí. Cảm ơn đồng chí."))
        return redirect("meetings:vote", pk=pk, motion_pk=motion_pk)
    motion = get_motion_for_user(request.user, pk, motion_pk)
    member = getattr(request.user, "member", None)
    entry = (
        RosterEntry.objects.filter(meeting=motion.meeting, member=member)
        .select_related("attendance")
        .first()
        if member is not None
        else None
    )
    blocked = ""
    if entry is None:
        blocked = services.NOT_ON_ROSTER
    elif entry.category == "du_bi":
        blocked = gettext("Đảng viên dự bị không có quyền biểu quyết.")
    elif entry.category not in quorum.VOTING_CATEGORIES:
        blocked = gettext(
            "Đảng viên thuộc diện “%(category)s” không biểu quyết tại cuộc họp này."
        ) % {"category": entry.get_category_display()}
    elif entry.attendance.status == "absent":
        blocked = gettext("Đồng chí cần điểm danh có mặt trước khi biểu quyết.")
    services.with_results([motion])
    return render(
        request,
        "meetings/motion_vote.html",
        {
            "motion": motion,
            "meeting": motion.meeting,
            "voted": _voted(motion, member),
            "blocked": blocked,
        },
    )
