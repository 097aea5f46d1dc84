"""Meetings for the mobile app: list and detail in scope, scheduling, editing and the
announcement, agenda, materials, comments on the draft, the roster and presence
summary, check-in (button or QR code), attendance marks and reasons, motions, votes,
show of hands, results after close, calendar files, the monthly pattern and the
committee member following a branch.

Same access functions and services as the pages, so the same rules: a meeting the caller
may not see answers 404, a write they may not do 403, a refused rule 400 with the
Vietnamese message. A vote's choice travels in the JSON body only and is never logged
or echoed back (docs/decisions/0002-secret-ballot.md)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.accounts.schemas import ErrorOut
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.pagination import page_of
from sotay.documents.models import DocumentState
from sotay.documents.queries import documents_visible_to
from sotay.meetings import calendar, night, planning, services
from sotay.meetings.access import (
    get_agenda_item_for_user,
    get_entry_for_user,
    get_material_for_user,
    get_meeting_for_user,
    get_motion_for_user,
)
from sotay.meetings.models import (
    Ballot,
    CheckInMethod,
    Meeting,
    MeetingState,
    Motion,
    MotionState,
    RosterEntry,
    Vote,
    VoterMark,
)
from sotay.meetings.queries import meetings_visible_to
from sotay.meetings.schemas import (
    AgendaIn,
    AgendaOut,
    AttendanceOut,
    CheckInIn,
    CommentIn,
    CommentOut,
    LiaisonIn,
    LiaisonOut,
    MarkIn,
    MaterialDocumentIn,
    MaterialOut,
    MeetingDetail,
    MeetingIn,
    MeetingPage,
    MeetingRow,
    MotionIn,
    MotionOut,
    MoveIn,
    PatternIn,
    QrOut,
    ReasonIn,
    RosterOut,
    ScheduleIn,
    ShowOfHandsIn,
    VoteIn,
)
from sotay.members.models import Member
from sotay.organizations.access import get_organization_or_404

router = Router(tags=["Sinh hoạt chi bộ"], auth=TokenAuth())

PER_PAGE = 50
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- shapes ----------------------------------------------------------------------------------


def _person(member) -> dict | None:
    return {"id": member.pk, "full_name": member.full_name} if member is not None else None


def _row(m: Meeting) -> dict:
    o = m.organization
    return {
        "id": m.pk, "organization": {"id": o.pk, "code": o.code, "name": o.name},
        "kind": m.kind, "kind_label": m.get_kind_display(), "topic": m.topic,
        "with_thematic": m.with_thematic, "starts_at": m.starts_at, "ends_at": m.ends_at,
        "place": m.place, "online_link": m.online_link, "state": m.state,
        "state_label": m.get_state_display(),
    }  # fmt: skip


def _materials(user, meeting: Meeting) -> list[dict]:
    materials = list(meeting.materials.order_by("pk"))
    ids = [m.document_id for m in materials if m.document_id]
    readable = set(
        documents_visible_to(user)
        .filter(pk__in=ids, state=DocumentState.PUBLISHED)
        .values_list("pk", flat=True)
    )
    return [
        {
            "id": m.pk, "title": m.title, "kind": "document" if m.document_id else "file",
            "document_id": m.document_id,
            "readable": m.document_id is None or m.document_id in readable,
            "content_type": m.content_type, "size": m.size,
            "published_at": planning.published_at(m, meeting),
            "url": reverse("api:meeting_material_file", args=[meeting.pk, m.pk])
            if not m.document_id
            else f"/api/v1/documents/{m.document_id}",
        }
        for m in materials
    ]  # fmt: skip


def _detail(user, meeting: Meeting) -> dict:
    runs = services.may_run(user, meeting)
    liaison = planning.current_liaison(meeting.organization)
    agenda = meeting.agenda.select_related("presenter").order_by("position")
    return {
        **_row(meeting),
        "chair": _person(meeting.chair),
        "secretary": _person(meeting.secretary),
        "liaison": _person(liaison.member) if liaison else None,
        "announced_at": meeting.announced_at,
        "started_at": meeting.started_at,
        "closed_at": meeting.closed_at,
        "may_run": runs,
        "agenda": [
            {
                "id": a.pk,
                "position": a.position,
                "title": a.title,
                "presenter": _person(a.presenter),
                "presenter_name": a.presenter_name,
            }
            for a in agenda
        ],  # fmt: skip
        "materials": _materials(user, meeting),
        "warnings": planning.warnings(meeting) if runs else [],
        "calendar_url": reverse("api:meeting_calendar", args=[meeting.pk]),
    }


def _member(pk: int | None, field: str) -> Member | None:
    if pk is None:
        return None
    member = Member.objects.filter(pk=pk).first()
    if member is None:
        raise ServiceError("Không tìm thấy đảng viên.", field)
    return member


def _require_run(user, meeting: Meeting) -> None:
    if not services.may_run(user, meeting):
        raise PermissionDenied(services.DENIED)


def _paging(page: int, per_page: int) -> None:
    if not 1 <= per_page <= PER_PAGE or page < 1:
        raise HttpError(
            422, f"Tham số phân trang không hợp lệ (per_page từ 1 đến {PER_PAGE}, page ≥ 1)."
        )


# --- meetings --------------------------------------------------------------------------------


@router.get("/meetings", response={200: MeetingPage, **ERRORS})
def meeting_list(request: HttpRequest, when: str = "upcoming", page: int = 1, per_page: int = 20):
    """Meetings the caller may see. `when=upcoming` (default): current and coming ones,
    soonest first; `when=past`: the others, newest first."""
    require_active(request)
    _paging(page, per_page)
    now = timezone.now()
    current = Q(ends_at__gte=now) | Q(state=MeetingState.IN_PROGRESS)
    qs = meetings_visible_to(request.user)
    if when == "upcoming":
        qs = qs.filter(current).order_by("starts_at", "pk")
    elif when == "past":
        qs = qs.exclude(current).order_by("-starts_at", "-pk")
    else:
        raise ServiceError("Tham số when phải là upcoming hoặc past.", "when")
    p = page_of(qs, page, per_page, count=False)
    return {"items": [_row(m) for m in p.items], "page": p.number, "per_page": per_page,
            "has_next": p.has_next}  # fmt: skip


@router.post("/meetings", response={201: MeetingDetail, **ERRORS})
def meeting_schedule(request: HttpRequest, payload: ScheduleIn):
    """A draft meeting (meetings.manage over the organisation)."""
    require_active(request)
    org = get_organization_or_404(payload.organization_id)
    meeting = services.schedule_meeting(
        user=request.user,
        organization=org,
        topic=payload.topic,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        kind=payload.kind,
        place=payload.place,
        online_link=payload.online_link,
        with_thematic=payload.with_thematic,
        chair=_member(payload.chair_id, "chair"),
        secretary=_member(payload.secretary_id, "secretary"),
    )
    return Status(201, _detail(request.user, meeting))


@router.get("/meetings/{meeting_id}", response={200: MeetingDetail, **ERRORS})
def meeting_detail(request: HttpRequest, meeting_id: int):
    require_active(request)
    return _detail(request.user, get_meeting_for_user(request.user, meeting_id))


@router.put("/meetings/{meeting_id}", response={200: MeetingDetail, **ERRORS})
def meeting_edit(request: HttpRequest, meeting_id: int, payload: MeetingIn):
    """Change a draft (all fields)."""
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    meeting = planning.update_meeting(
        user=request.user,
        meeting=meeting,
        topic=payload.topic,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        kind=payload.kind,
        place=payload.place,
        online_link=payload.online_link,
        with_thematic=payload.with_thematic,
        chair=_member(payload.chair_id, "chair"),
        secretary=_member(payload.secretary_id, "secretary"),
    )
    return _detail(request.user, meeting)


def _transition(request, meeting_id: int, func):
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    meeting = func(user=request.user, meeting=meeting)
    return _detail(request.user, Meeting.objects.select_related("organization").get(pk=meeting.pk))


@router.post("/meetings/{meeting_id}/announce", response={200: MeetingDetail, **ERRORS})
def meeting_announce(request: HttpRequest, meeting_id: int):
    """Announce: every summoned member and the branch's liaison get a notice."""
    return _transition(request, meeting_id, services.announce_meeting)


@router.post("/meetings/{meeting_id}/start", response={200: MeetingDetail, **ERRORS})
def meeting_start(request: HttpRequest, meeting_id: int):
    """Start: the roster snapshot is taken and check-in opens."""
    return _transition(request, meeting_id, services.start_meeting)


@router.post("/meetings/{meeting_id}/close", response={200: MeetingDetail, **ERRORS})
def meeting_close(request: HttpRequest, meeting_id: int):
    return _transition(request, meeting_id, services.close_meeting)


@router.get("/meetings/{meeting_id}/calendar.ics", url_name="meeting_calendar")
def meeting_calendar(request: HttpRequest, meeting_id: int):
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    if meeting.state == MeetingState.DRAFT:
        raise Http404("Không tìm thấy cuộc họp.")
    body = calendar.ics_for([meeting], request.build_absolute_uri("/"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# --- agenda ---------------------------------------------------------------------------------------


def _agenda(meeting) -> list[dict]:
    return [
        {"id": a.pk, "position": a.position, "title": a.title,
         "presenter": _person(a.presenter), "presenter_name": a.presenter_name}
        for a in meeting.agenda.select_related("presenter").order_by("position")
    ]  # fmt: skip


@router.post("/meetings/{meeting_id}/agenda", response={201: list[AgendaOut], **ERRORS})
def agenda_add(request: HttpRequest, meeting_id: int, payload: AgendaIn):
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    planning.add_agenda_item(
        user=request.user,
        meeting=meeting,
        title=payload.title,
        presenter=_member(payload.presenter_id, "presenter"),
        presenter_name=payload.presenter_name,
    )
    return Status(201, _agenda(meeting))


@router.put("/meetings/{meeting_id}/agenda/{item_id}", response={200: list[AgendaOut], **ERRORS})
def agenda_edit(request: HttpRequest, meeting_id: int, item_id: int, payload: AgendaIn):
    require_active(request)
    item = get_agenda_item_for_user(request.user, meeting_id, item_id)
    planning.update_agenda_item(
        user=request.user,
        item=item,
        title=payload.title,
        presenter=_member(payload.presenter_id, "presenter"),
        presenter_name=payload.presenter_name,
    )
    return _agenda(item.meeting)


@router.post(
    "/meetings/{meeting_id}/agenda/{item_id}/move", response={200: list[AgendaOut], **ERRORS}
)
def agenda_move(request: HttpRequest, meeting_id: int, item_id: int, payload: MoveIn):
    require_active(request)
    item = get_agenda_item_for_user(request.user, meeting_id, item_id)
    planning.move_agenda_item(user=request.user, item=item, offset=payload.offset)
    return _agenda(item.meeting)


@router.delete("/meetings/{meeting_id}/agenda/{item_id}", response={200: list[AgendaOut], **ERRORS})
def agenda_remove(request: HttpRequest, meeting_id: int, item_id: int):
    require_active(request)
    item = get_agenda_item_for_user(request.user, meeting_id, item_id)
    planning.remove_agenda_item(user=request.user, item=item)
    return _agenda(item.meeting)


# --- materials -----------------------------------------------------------------------------------


@router.post("/meetings/{meeting_id}/materials", response={201: list[MaterialOut], **ERRORS})
def material_link(request: HttpRequest, meeting_id: int, payload: MaterialDocumentIn):
    """Link a published library document the caller may read."""
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    document = documents_visible_to(request.user).filter(pk=payload.document_id).first()
    if document is None:
        raise Http404("Không tìm thấy văn bản.")
    planning.add_material_document(
        user=request.user, meeting=meeting, document=document, title=payload.title
    )
    return Status(201, _materials(request.user, meeting))


@router.post("/meetings/{meeting_id}/materials/file", response={201: list[MaterialOut], **ERRORS})
def material_upload(
    request: HttpRequest, meeting_id: int, file: File[UploadedFile], title: str = ""
):
    """Upload a PDF or DOCX (multipart field `file`, at most 20 MB; the type is read
    from the content)."""
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    if file.size > planning.MAX_ATTACHMENT_BYTES:
        raise ServiceError("Tệp tài liệu: dung lượng tối đa 20 MB.", "file")
    planning.add_material_file(
        user=request.user, meeting=meeting, data=file.read(), filename=file.name or "", title=title
    )
    return Status(201, _materials(request.user, meeting))


@router.get("/meetings/{meeting_id}/materials/{material_id}/file", url_name="meeting_material_file")
def material_file(request: HttpRequest, meeting_id: int, material_id: int):
    require_active(request)
    material = get_material_for_user(request.user, meeting_id, material_id)
    if material.document_id or not material.file:
        raise Http404("Tài liệu này là văn bản trong thư viện.")
    from django.http import FileResponse

    return FileResponse(
        material.file.open("rb"),
        content_type=material.content_type,
        filename=material.original_name,
        as_attachment=material.content_type != "application/pdf",
    )


@router.delete(
    "/meetings/{meeting_id}/materials/{material_id}", response={200: list[MaterialOut], **ERRORS}
)
def material_remove(request: HttpRequest, meeting_id: int, material_id: int):
    require_active(request)
    material = get_material_for_user(request.user, meeting_id, material_id)
    planning.remove_material(user=request.user, material=material)
    return _materials(request.user, material.meeting)


# --- comments on the draft ----------------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/comments", response={200: list[CommentOut], **ERRORS})
def comment_list(request: HttpRequest, meeting_id: int):
    """Who runs the meeting reads every comment; a member reads their own."""
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    qs = meeting.comments.order_by("created_at", "pk")
    if not services.may_run(request.user, meeting):
        qs = qs.filter(author=request.user)
    return [
        {"id": c.pk, "author_name": c.author_name, "body": c.body, "created_at": c.created_at}
        for c in qs
    ]


@router.post("/meetings/{meeting_id}/comments", response={201: CommentOut, **ERRORS})
def comment_add(request: HttpRequest, meeting_id: int, payload: CommentIn):
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    c = planning.add_comment(user=request.user, meeting=meeting, body=payload.body)
    out = {"id": c.pk, "author_name": c.author_name, "body": c.body, "created_at": c.created_at}
    return Status(201, out)


# --- roster, check-in, attendance -------------------------------------------------------------------------


def _presence(meeting) -> dict:
    s = services.presence_summary(meeting)

    def split(x):
        return {**x.__dict__, "total": x.total}

    return {
        "summoned": split(s.summoned), "present": split(s.present),
        "absent_with_accepted_reason": s.absent_with_accepted_reason,
        "absent_without_reason": s.absent_without_reason, "denominator": s.denominator,
        "eligible_present": s.eligible_present, "majority_needed": s.majority_needed,
        "two_thirds_needed": s.two_thirds_needed, "majority_possible": s.majority_possible,
        "two_thirds_possible": s.two_thirds_possible,
    }  # fmt: skip


@router.get("/meetings/{meeting_id}/roster", response={200: RosterOut, **ERRORS})
def roster(request: HttpRequest, meeting_id: int):
    """The roster with attendance and the presence summary (who runs the meeting)."""
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    _require_run(request.user, meeting)
    lines = RosterEntry.objects.filter(meeting=meeting).select_related("attendance")
    return {
        "presence": _presence(meeting),
        "lines": [
            {
                "id": e.pk, "member_id": e.member_id, "full_name": e.full_name,
                "category": e.category, "category_label": e.get_category_display(),
                "status": e.attendance.status, "reason": e.attendance.reason,
                "reason_accepted": e.attendance.reason_accepted,
                "checked_in_at": e.attendance.checked_in_at, "method": e.attendance.method,
                "by_secretary": e.attendance.by_secretary,
            }
            for e in lines.order_by("name_sort", "pk")
        ],
    }  # fmt: skip


@router.get("/meetings/{meeting_id}/qr", response={200: QrOut, **ERRORS})
def qr(request: HttpRequest, meeting_id: int):
    """The current check-in code and the URL the QR encodes (for a tablet showing it)."""
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    _require_run(request.user, meeting)
    if meeting.state != MeetingState.IN_PROGRESS:
        raise ServiceError("Cuộc họp chưa bắt đầu hoặc đã kết thúc.", "state")
    code = services.qr_code(meeting)
    url = request.build_absolute_uri(reverse("meetings:check_in", args=[meeting.pk]))
    return {"code": code, "url": f"{url}?ma={code}", "period_seconds": services.QR_PERIOD}


def _attendance(a) -> dict:
    return {"status": a.status, "status_label": a.get_status_display(),
            "checked_in_at": a.checked_in_at, "method": a.method}  # fmt: skip


@router.post("/meetings/{meeting_id}/check-in", response={200: AttendanceOut, **ERRORS})
def check_in(request: HttpRequest, meeting_id: int, payload: CheckInIn):
    """The caller checks in: with `code` (scanned from the QR), else as the button."""
    require_active(request)
    a = night.check_in(
        user=request.user,
        meeting_id=meeting_id,
        method=CheckInMethod.QR if payload.code else CheckInMethod.PHONE,
        code=payload.code[:64],
    )
    return _attendance(a)


@router.post(
    "/meetings/{meeting_id}/roster/{entry_id}/mark", response={200: AttendanceOut, **ERRORS}
)
def mark(request: HttpRequest, meeting_id: int, entry_id: int, payload: MarkIn):
    """Mark present / late / absent with a reason (also checks in a member without a
    phone; flagged and audited)."""
    require_active(request)
    entry = get_entry_for_user(request.user, meeting_id, entry_id)
    a = services.mark_attendance(
        user=request.user, entry=entry, status=payload.status, reason=payload.reason
    )
    return _attendance(a)


@router.post(
    "/meetings/{meeting_id}/roster/{entry_id}/reason", response={200: AttendanceOut, **ERRORS}
)
def reason(request: HttpRequest, meeting_id: int, entry_id: int, payload: ReasonIn):
    require_active(request)
    entry = get_entry_for_user(request.user, meeting_id, entry_id)
    return _attendance(
        services.decide_reason(user=request.user, entry=entry, accepted=payload.accepted)
    )


# --- motions and votes ---------------------------------------------------------------------------------


def _motion(user, motion: Motion, runs: bool, voted: bool | None = None) -> dict:
    """`voted`: whether the user has voted, when the caller knows (it has just voted)."""
    closed = motion.state == MotionState.CLOSED
    if voted is None:
        member = getattr(user, "member", None)
        marks = VoterMark if motion.ballot == Ballot.SECRET else Vote
        voted = member is not None and marks.objects.filter(motion=motion, member=member).exists()
    return {
        "id": motion.pk, "title": motion.title, "kind": motion.kind, "ballot": motion.ballot,
        "options": motion.options, "max_choices": motion.max_choices, "round": motion.round,
        "threshold": motion.threshold, "state": motion.state,
        "votes_cast": motion.frozen_votes_cast if closed else (services.votes_cast(motion) if runs else None),
        "voted": voted, "closed_at": motion.closed_at,
        "eligible": motion.frozen_eligible if closed else None,
        "denominator": motion.frozen_denominator if closed else None,
        "counts": motion.frozen_counts if closed else None,
        "result": motion.result, "elected": services.elected(motion) if closed else [],
    }  # fmt: skip


@router.get("/meetings/{meeting_id}/motions", response={200: list[MotionOut], **ERRORS})
def motion_list(request: HttpRequest, meeting_id: int):
    """Motions of the meeting; counts only once closed."""
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    runs = services.may_run(request.user, meeting)
    return [_motion(request.user, m, runs) for m in meeting.motions.order_by("pk")]


@router.get("/meetings/{meeting_id}/motions/{motion_id}", response={200: MotionOut, **ERRORS})
def motion_detail(request: HttpRequest, meeting_id: int, motion_id: int):
    require_active(request)
    motion = get_motion_for_user(request.user, meeting_id, motion_id)
    return _motion(request.user, motion, services.may_run(request.user, motion.meeting))


@router.post("/meetings/{meeting_id}/motions", response={201: MotionOut, **ERRORS})
def motion_open(request: HttpRequest, meeting_id: int, payload: MotionIn):
    require_active(request)
    meeting = get_meeting_for_user(request.user, meeting_id)
    previous = (
        get_motion_for_user(request.user, meeting_id, payload.previous_id)
        if payload.previous_id
        else None
    )
    motion = services.open_motion(
        user=request.user,
        meeting=meeting,
        title=payload.title,
        kind=payload.kind,
        options=payload.options,
        max_choices=payload.max_choices,
        ballot=payload.ballot,
        previous=previous,
    )
    return Status(201, _motion(request.user, motion, True))


@router.post(
    "/meetings/{meeting_id}/motions/{motion_id}/close", response={200: MotionOut, **ERRORS}
)
def motion_close(request: HttpRequest, meeting_id: int, motion_id: int):
    """Close: the eligible list, denominator, counts and result are frozen."""
    require_active(request)
    motion = get_motion_for_user(request.user, meeting_id, motion_id)
    motion = services.close_motion(user=request.user, motion=motion)
    return _motion(request.user, motion, True)


@router.post("/meetings/{meeting_id}/motions/{motion_id}/vote", response={200: MotionOut, **ERRORS})
def motion_vote(request: HttpRequest, meeting_id: int, motion_id: int, payload: VoteIn):
    """The caller votes: `choices` are indexes into `options`. The answer says only
    that the vote was taken."""
    require_active(request)
    night.cast_vote(
        user=request.user, meeting_id=meeting_id, motion_id=motion_id, choices=payload.choices
    )
    motion = get_motion_for_user(request.user, meeting_id, motion_id)
    runs = services.may_run(request.user, motion.meeting)
    return _motion(request.user, motion, runs, voted=True)


@router.post(
    "/meetings/{meeting_id}/motions/{motion_id}/show-of-hands",
    response={200: MotionOut, **ERRORS},
)
def motion_show_of_hands(
    request: HttpRequest, meeting_id: int, motion_id: int, payload: ShowOfHandsIn
):
    """Record a hand vote for a member without a phone (open ballots; audited)."""
    require_active(request)
    motion = get_motion_for_user(request.user, meeting_id, motion_id)
    entry = get_entry_for_user(request.user, meeting_id, payload.entry_id)
    services.record_show_of_hands(
        user=request.user, motion=motion, member=entry.member, choices=payload.choices
    )
    return _motion(request.user, motion, True)


# --- pattern and liaison --------------------------------------------------------------------------------


@router.post("/meeting-patterns", response={201: list[MeetingRow], **ERRORS})
def pattern(request: HttpRequest, payload: PatternIn):
    """Set the monthly pattern and draft the next `months` meetings (months that
    already have a meeting of the kind are skipped)."""
    require_active(request)
    org = get_organization_or_404(payload.organization_id)
    saved = planning.save_pattern(
        user=request.user,
        organization=org,
        kind=payload.kind,
        day_of_month=payload.day_of_month,
        start_time=payload.start_time,
        duration_minutes=payload.duration_minutes,
        topic=payload.topic,
        place=payload.place,
        online_link=payload.online_link,
    )
    created = planning.draft_from_pattern(user=request.user, pattern=saved, months=payload.months)
    return Status(
        201, [_row(Meeting.objects.select_related("organization").get(pk=m.pk)) for m in created]
    )


@router.post("/meeting-liaisons", response={201: LiaisonOut, **ERRORS})
def liaison_assign(request: HttpRequest, payload: LiaisonIn):
    """Name the superior committee member who follows a branch (organizations.manage)."""
    require_active(request)
    org = get_organization_or_404(payload.organization_id)
    member = _member(payload.member_id, "member")
    liaison = planning.assign_liaison(
        user=request.user,
        organization=org,
        member=member,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    out = {"id": liaison.pk, "organization_id": org.pk, "member": _person(member),
           "starts_on": liaison.starts_on, "ends_on": liaison.ends_on}  # fmt: skip
    return Status(201, out)
