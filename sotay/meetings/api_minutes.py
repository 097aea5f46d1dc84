"""Minutes, notes, branch resolution, quality self-score and meeting statistics for the
mobile app. Same access functions and services as the pages: a meeting the caller may
not see answers 404, a draft of the minutes is not found for readers, a forbidden write
answers 403, a refused one 400 with the service's Vietnamese message."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.accounts.permissions import is_superadmin
from sotay.accounts.schemas import ErrorOut
from sotay.meetings import minutes as svc
from sotay.meetings import resolution as resolutions
from sotay.meetings import scoring, stats
from sotay.meetings.access import get_meeting_for_user
from sotay.meetings.access_minutes import get_minutes_for_user, minutes_readable_by
from sotay.meetings.minutes_pdf import render_minutes_pdf
from sotay.meetings.models import (
    SCORE_CRITERIA,
    BranchResolution,
    Conclusion,
    MeetingGuest,
    Minutes,
    QualityScore,
    Remark,
    RosterEntry,
    ScoreConfig,
)
from sotay.meetings.schemas_minutes import (
    ConclusionIn,
    ConclusionOut,
    DraftIn,
    GuestIn,
    GuestOut,
    MeetingStatsOut,
    MinutesBodyIn,
    MinutesOut,
    MinutesSummary,
    NewVersionIn,
    NotesOut,
    RemarkIn,
    RemarkOut,
    ResolutionIn,
    ResolutionOut,
    ScoreConfigIn,
    ScoreConfigOut,
    ScoreIn,
    ScoreOut,
)
from sotay.meetings.services import may_run
from sotay.meetings.views_minutes import parse_month
from sotay.reports.access import get_reported_organization_for_user

router = Router(tags=["Biên bản, nghị quyết, chấm điểm sinh hoạt"], auth=TokenAuth())
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CRITERIA = [key for key, _label in SCORE_CRITERIA]


def _meeting(request, meeting_id: int):
    require_active(request)
    return get_meeting_for_user(request.user, meeting_id)


def _writer(request, meeting) -> None:
    if not may_run(request.user, meeting):
        raise HttpError(403, svc.DENIED_WRITE)


def _agenda(meeting, item_id):
    if item_id is None:
        return None
    item = meeting.agenda.filter(pk=item_id).first()
    if item is None:
        raise Http404("Không tìm thấy nội dung chương trình.")
    return item


def _remark(r: Remark) -> dict:
    return {"id": r.pk, "speaker_member_id": r.speaker_id, "speaker_name": r.speaker_name,
            "agenda_item_id": r.agenda_item_id, "text": r.text}  # fmt: skip


def _conclusion(c: Conclusion) -> dict:
    return {"id": c.pk, "agenda_item_id": c.agenda_item_id, "text": c.text}


def _guest(g: MeetingGuest) -> dict:
    return {"id": g.pk, "full_name": g.full_name, "position": g.position}


# --- notes ----------------------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/notes", response={200: NotesOut, **ERRORS})
def notes_endpoint(request: HttpRequest, meeting_id: int):
    """Remarks, conclusions and guests typed so far (those who write the minutes)."""
    meeting = _meeting(request, meeting_id)
    _writer(request, meeting)
    return {
        "remarks": [_remark(r) for r in meeting.remarks.all()],
        "conclusions": [_conclusion(c) for c in meeting.conclusions.all()],
        "guests": [_guest(g) for g in meeting.guests.all()],
    }


@router.post("/meetings/{meeting_id}/remarks", response={201: RemarkOut, **ERRORS})
def remark_add_endpoint(request: HttpRequest, meeting_id: int, payload: RemarkIn):
    meeting = _meeting(request, meeting_id)
    speaker = None
    if payload.speaker_member_id is not None:
        entry = (
            RosterEntry.objects.filter(meeting=meeting, member_id=payload.speaker_member_id)
            .select_related("member")
            .first()
        )
        if entry is None:
            raise HttpError(400, "Người phát biểu không có trong danh sách triệu tập của cuộc họp.")
        speaker = entry.member
    remark = svc.add_remark(
        user=request.user,
        meeting=meeting,
        text=payload.text,
        speaker=speaker,
        speaker_name=payload.speaker_name,
        agenda_item=_agenda(meeting, payload.agenda_item_id),
    )
    return Status(201, _remark(remark))


@router.delete("/meetings/{meeting_id}/remarks/{remark_id}", response={204: None, **ERRORS})
def remark_delete_endpoint(request: HttpRequest, meeting_id: int, remark_id: int):
    meeting = _meeting(request, meeting_id)
    remark = meeting.remarks.filter(pk=remark_id).first()
    if remark is None:
        raise Http404("Không tìm thấy ý kiến phát biểu.")
    svc.delete_remark(user=request.user, remark=remark)
    return Status(204, None)


@router.post("/meetings/{meeting_id}/conclusions", response={201: ConclusionOut, **ERRORS})
def conclusion_add_endpoint(request: HttpRequest, meeting_id: int, payload: ConclusionIn):
    meeting = _meeting(request, meeting_id)
    conclusion = svc.add_conclusion(
        user=request.user,
        meeting=meeting,
        text=payload.text,
        agenda_item=_agenda(meeting, payload.agenda_item_id),
    )
    return Status(201, _conclusion(conclusion))


@router.delete("/meetings/{meeting_id}/conclusions/{conclusion_id}", response={204: None, **ERRORS})
def conclusion_delete_endpoint(request: HttpRequest, meeting_id: int, conclusion_id: int):
    meeting = _meeting(request, meeting_id)
    conclusion = meeting.conclusions.filter(pk=conclusion_id).first()
    if conclusion is None:
        raise Http404("Không tìm thấy kết luận.")
    svc.delete_conclusion(user=request.user, conclusion=conclusion)
    return Status(204, None)


@router.post("/meetings/{meeting_id}/guests", response={201: GuestOut, **ERRORS})
def guest_add_endpoint(request: HttpRequest, meeting_id: int, payload: GuestIn):
    meeting = _meeting(request, meeting_id)
    guest = svc.add_guest(
        user=request.user, meeting=meeting, full_name=payload.full_name, position=payload.position
    )
    return Status(201, _guest(guest))


@router.delete("/meetings/{meeting_id}/guests/{guest_id}", response={204: None, **ERRORS})
def guest_delete_endpoint(request: HttpRequest, meeting_id: int, guest_id: int):
    meeting = _meeting(request, meeting_id)
    guest = meeting.guests.filter(pk=guest_id).first()
    if guest is None:
        raise Http404("Không tìm thấy khách mời.")
    svc.remove_guest(user=request.user, guest=guest)
    return Status(204, None)


# --- minutes --------------------------------------------------------------------------------


def _summary(m: Minutes) -> dict:
    return {"version": m.version, "state": m.state, "reason": m.reason,
            "content_hash": m.content_hash, "approved_at": m.approved_at}  # fmt: skip


def _minutes(m: Minutes) -> dict:
    return {**_summary(m), "meeting_id": m.meeting_id, "heading": svc.heading(m.meeting),
            "body": m.body}  # fmt: skip


@router.get("/meetings/{meeting_id}/minutes", response={200: list[MinutesSummary], **ERRORS})
def minutes_list_endpoint(request: HttpRequest, meeting_id: int):
    """The versions the caller may read, newest first (readers: approved ones only)."""
    meeting = _meeting(request, meeting_id)
    return [_summary(m) for m in minutes_readable_by(request.user, meeting)]


@router.post("/meetings/{meeting_id}/minutes", response={201: MinutesOut, **ERRORS})
def minutes_draft_endpoint(request: HttpRequest, meeting_id: int, payload: DraftIn):
    """Draft version 1 from the closed meeting (`redraft` replaces an unapproved v1)."""
    meeting = _meeting(request, meeting_id)
    minutes = svc.draft_minutes(user=request.user, meeting=meeting, redraft=payload.redraft)
    minutes.meeting = meeting
    return Status(201, _minutes(minutes))


@router.get("/meetings/{meeting_id}/minutes/{version}", response={200: MinutesOut, **ERRORS})
def minutes_endpoint(request: HttpRequest, meeting_id: int, version: int):
    meeting = _meeting(request, meeting_id)
    return _minutes(get_minutes_for_user(request.user, meeting, version))


@router.put("/meetings/{meeting_id}/minutes/{version}", response={200: MinutesOut, **ERRORS})
def minutes_edit_endpoint(
    request: HttpRequest, meeting_id: int, version: int, payload: MinutesBodyIn
):
    """Save the edited body of a draft; an approved version answers 400."""
    meeting = _meeting(request, meeting_id)
    minutes = get_minutes_for_user(request.user, meeting, version)
    minutes = svc.edit_minutes(user=request.user, minutes=minutes, body=payload.body)
    minutes.meeting = meeting
    return _minutes(minutes)


@router.post(
    "/meetings/{meeting_id}/minutes/{version}/approve", response={200: MinutesOut, **ERRORS}
)
def minutes_approve_endpoint(request: HttpRequest, meeting_id: int, version: int):
    meeting = _meeting(request, meeting_id)
    minutes = get_minutes_for_user(request.user, meeting, version)
    minutes = svc.approve_minutes(user=request.user, minutes=minutes)
    minutes.meeting = meeting
    return _minutes(minutes)


@router.post("/meetings/{meeting_id}/minutes-versions", response={201: MinutesOut, **ERRORS})
def minutes_new_version_endpoint(request: HttpRequest, meeting_id: int, payload: NewVersionIn):
    meeting = _meeting(request, meeting_id)
    minutes = svc.new_version(user=request.user, meeting=meeting, reason=payload.reason)
    minutes.meeting = meeting
    return Status(201, _minutes(minutes))


@router.get("/meetings/{meeting_id}/minutes/{version}/pdf", response={200: None, **ERRORS})
def minutes_pdf_endpoint(request: HttpRequest, meeting_id: int, version: int):
    meeting = _meeting(request, meeting_id)
    minutes = get_minutes_for_user(request.user, meeting, version)
    response = HttpResponse(render_minutes_pdf(minutes), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="bien-ban-{meeting.pk}-v{minutes.version}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- resolution -----------------------------------------------------------------------------


def _resolution(r: BranchResolution) -> dict:
    return {"meeting_id": r.meeting_id, "number": r.number, "symbol": r.symbol, "title": r.title,
            "body": r.body, "state": r.state, "document_id": r.document_id}  # fmt: skip


def _resolution_of(request, meeting) -> BranchResolution:
    if not svc.may_approve(request.user, meeting):
        raise HttpError(403, resolutions.DENIED_RESOLUTION)
    resolution = BranchResolution.objects.filter(meeting=meeting).first()
    if resolution is None:
        raise Http404("Cuộc họp chưa có dự thảo nghị quyết.")
    return resolution


@router.get("/meetings/{meeting_id}/resolution", response={200: ResolutionOut, **ERRORS})
def resolution_endpoint(request: HttpRequest, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    return _resolution(_resolution_of(request, meeting))


@router.post("/meetings/{meeting_id}/resolution", response={201: ResolutionOut, **ERRORS})
def resolution_draft_endpoint(request: HttpRequest, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    return Status(
        201, _resolution(resolutions.draft_resolution(user=request.user, meeting=meeting))
    )


@router.put("/meetings/{meeting_id}/resolution", response={200: ResolutionOut, **ERRORS})
def resolution_edit_endpoint(request: HttpRequest, meeting_id: int, payload: ResolutionIn):
    meeting = _meeting(request, meeting_id)
    resolution = _resolution_of(request, meeting)
    resolution = resolutions.edit_resolution(
        user=request.user,
        resolution=resolution,
        number=payload.number,
        title=payload.title,
        body=payload.body,
    )
    return _resolution(resolution)


@router.post("/meetings/{meeting_id}/resolution/publish", response={200: ResolutionOut, **ERRORS})
def resolution_publish_endpoint(request: HttpRequest, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    resolution = _resolution_of(request, meeting)
    resolution = resolutions.publish_resolution(
        user=request.user, resolution=resolution, request=request
    )
    return _resolution(resolution)


# --- quality self-score ---------------------------------------------------------------------


def _config(c: ScoreConfig) -> dict:
    return {"id": c.pk, "valid_from": c.valid_from, "weights": c.weights(),
            "good_from": c.good_from, "fair_from": c.fair_from,
            "average_from": c.average_from, "note": c.note}  # fmt: skip


def _score(meeting, score: QualityScore | None, config: ScoreConfig) -> dict:
    return {
        "meeting_id": meeting.pk,
        "points": score.points() if score else None,
        "total": score.total if score else None,
        "grade": score.grade if score else None,
        "grade_label": score.get_grade_display() if score else None,
        "note": score.note if score else "",
        "config": _config(config),
    }


def _score_right(request, meeting) -> None:
    if not svc.may_approve(request.user, meeting):
        raise HttpError(403, "Bạn không có quyền chấm điểm sinh hoạt của tổ chức này.")


@router.get("/meetings/{meeting_id}/score", response={200: ScoreOut, **ERRORS})
def score_endpoint(request: HttpRequest, meeting_id: int):
    """The self-score (null before scoring) and the configuration version it uses."""
    meeting = _meeting(request, meeting_id)
    _score_right(request, meeting)
    score = QualityScore.objects.filter(meeting=meeting).select_related("config").first()
    config = score.config if score else scoring.config_for(scoring.meeting_day(meeting))
    return _score(meeting, score, config)


@router.put("/meetings/{meeting_id}/score", response={200: ScoreOut, **ERRORS})
def score_put_endpoint(request: HttpRequest, meeting_id: int, payload: ScoreIn):
    meeting = _meeting(request, meeting_id)
    data = payload.dict()
    score = scoring.score_meeting(
        user=request.user,
        meeting=meeting,
        points={key: data[key] for key in CRITERIA},
        note=data["note"],
    )
    return _score(meeting, score, score.config)


@router.get("/meeting-score-configs", response={200: list[ScoreConfigOut], **ERRORS})
def score_configs_endpoint(request: HttpRequest):
    """Every version of the self-score weights, newest first (anyone signed in)."""
    require_active(request)
    return [_config(c) for c in ScoreConfig.objects.order_by("-valid_from")]


@router.post("/meeting-score-configs", response={201: ScoreConfigOut, **ERRORS})
def score_config_post_endpoint(request: HttpRequest, payload: ScoreConfigIn):
    require_active(request)
    if not is_superadmin(request.user):
        raise HttpError(403, "Chỉ quản trị hệ thống được sửa thang điểm sinh hoạt.")
    data = payload.dict()
    config = scoring.save_config(
        user=request.user,
        valid_from=data["valid_from"],
        weights={key: data[key] for key in CRITERIA},
        good_from=data["good_from"],
        fair_from=data["fair_from"],
        average_from=data["average_from"],
        note=data["note"],
    )
    return Status(201, _config(config))


# --- statistics -----------------------------------------------------------------------------


class MonthQuery(Schema):
    month: str = ""


def _rate(value) -> float | None:
    return None if value is None else float(value)


def _row(r: stats.Row) -> dict:
    return {
        "organization_id": r.org.pk if r.org else None, "month": r.month, "label": r.label,
        "branches": r.branches, "branches_met": r.branches_met,
        "branches_not_met": r.branches_not_met, "meetings": r.meetings,
        "expected": r.expected, "present": r.present,
        "attendance_rate": _rate(r.attendance_rate),
    }  # fmt: skip


@router.get("/meeting-statistics/{org_id}", response={200: MeetingStatsOut, **ERRORS})
def meeting_statistics_endpoint(request: HttpRequest, org_id: int, filters: Query[MonthQuery]):
    """Meetings held in the month (`month=2026-11`, default this month) in the
    organisation's subtree, branches that met and did not, attendance rate; one row per
    direct child and per month of the year."""
    require_active(request)
    try:
        org = get_reported_organization_for_user(request.user, org_id)
    except DjangoPermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    try:
        year, month = parse_month(filters.month)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    s = stats.meeting_statistics(org, year, month)
    return {
        "organization_id": org.pk,
        "year": s.year,
        "month": s.month,
        "total": _row(s.total),
        "children": [_row(r) for r in s.children],
        "months": [_row(r) for r in s.months],
        "not_met_count": s.not_met_count,
        "not_met": [{"organization_id": o.pk, "code": o.code, "name": o.name} for o in s.not_met],
    }
