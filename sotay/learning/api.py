"""Study programmes for the mobile app: the same queries, access functions and
services as the pages, so the same scoping (404 outside it, 403 for a write the caller
may not make) and the same refusals. Questions go out without their answers until the
attempt is submitted (and revealed by the quiz's policy)."""

from __future__ import annotations

import tempfile

from django.core.files import File
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.accounts.schemas import ErrorOut
from sotay.core.errors import ServiceError
from sotay.core.xlsx import MAX_UPLOAD_BYTES, ImportRefused, check_upload
from sotay.learning import imports, media, quizzes, reports, services
from sotay.learning.access import (
    get_attempt_for_user,
    get_lesson_for_user,
    get_programme_for_user,
    get_reviewed_member,
)
from sotay.learning.models import Attempt, Option, ProgrammeProgress, Quiz, Reflection
from sotay.learning.queries import (
    assigned_programmes,
    is_assigned,
    lessons_with_progress,
    programmes_visible_to,
)
from sotay.learning.schemas import (
    AnswerIn,
    AttemptOut,
    Created,
    LessonDetail,
    OfflineIn,
    OverrideIn,
    PositionIn,
    PositionOut,
    ProgrammeDetail,
    ProgrammeIn,
    ProgrammeRow,
    QuestionImportOut,
    QuestionIn,
    QuizIn,
    ReflectionIn,
    ReportOut,
    ReviewIn,
    SubmitIn,
    TextLessonIn,
)
from sotay.organizations.access import get_organization_or_404

router = Router(tags=["Học tập"], auth=TokenAuth())
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}  # fmt: skip


def _user(request: HttpRequest):
    require_active(request)
    return request.user


def _row(p, assigned_ids: dict) -> dict:
    return {
        "id": p.pk, "title": p.title, "organization": p.organization.name,
        "audience_level": p.audience_level, "opens_on": p.opens_on, "closes_on": p.closes_on,
        "state": p.state, "assigned": p.pk in assigned_ids,
        "standing": assigned_ids.get(p.pk, "not_started"),
    }  # fmt: skip


@router.get("/learning/programmes", response={200: list[ProgrammeRow], **ERRORS})
def list_programmes(request):
    """Assigned programmes first (nearest deadline first), then the others visible."""
    user = _user(request)
    assigned = list(assigned_programmes(user).select_related("organization"))
    ids = {p.pk: p.standing for p in assigned}
    others = list(
        programmes_visible_to(user).exclude(pk__in=list(ids)).order_by("-opens_on", "-pk")[:100]
    )
    return [_row(p, ids) for p in [*assigned, *others]]


def _file_url(programme, lesson) -> str | None:
    if not lesson.file:
        return None
    return reverse("learning:lesson_file", args=[programme.pk, lesson.pk])


def _attempt_row(a: Attempt) -> dict:
    return {
        "id": a.pk, "number": a.number, "started_at": a.started_at, "deadline": a.deadline,
        "submitted_at": a.submitted_at, "closed_late": a.closed_late, "score": a.score,
    }  # fmt: skip


@router.get("/learning/programmes/{pk}", response={200: ProgrammeDetail, **ERRORS})
def programme_detail(request, pk: int):
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    assigned = is_assigned(user, programme)
    member = user.member if assigned else None
    lessons = [
        {
            "id": lesson.pk,
            "position": lesson.position,
            "title": lesson.title,
            "kind": lesson.kind,
            "opened": bool(lesson.opened),
            "finished": bool(lesson.finished),
            "position_seconds": float(lesson.saved_position or 0),
            "file_url": _file_url(programme, lesson),
        }  # fmt: skip
        for lesson in lessons_with_progress(programme, member)
    ]
    quiz = Quiz.objects.filter(programme=programme).prefetch_related("quotas").first()
    attempts, quiz_out = [], None
    if quiz is not None:
        allowed = quiz.max_attempts
        if member is not None:
            attempts = list(
                Attempt.objects.filter(quiz=quiz, member_id=member.pk).order_by("number")
            )
            allowed, _ = quizzes.allowance(quiz, member)
        quiz_out = {
            "question_count": quiz.question_count, "time_limit_minutes": quiz.time_limit_minutes,
            "max_attempts": quiz.max_attempts, "attempts_left": max(allowed - len(attempts), 0),
            "pass_mark": quiz.pass_mark, "grading": quiz.grading, "reveal": quiz.reveal,
        }  # fmt: skip
    standing = (
        ProgrammeProgress.objects.filter(programme=programme, member_id=member.pk).first()
        if member
        else None
    )
    reflection = (
        Reflection.objects.filter(programme=programme, member_id=member.pk).first()
        if member
        else None
    )
    return {
        "id": programme.pk, "title": programme.title, "summary": programme.summary,
        "organization": programme.organization.name, "audience_level": programme.audience_level,
        "opens_on": programme.opens_on, "closes_on": programme.closes_on, "state": programme.state,
        "assigned": assigned, "lessons": lessons, "quiz": quiz_out,
        "attempts": [_attempt_row(a) for a in attempts],
        "standing": standing and {
            "status": standing.status, "lessons_done": standing.lessons_done,
            "quiz_score": standing.quiz_score, "quiz_passed": standing.quiz_passed,
            "reflection_accepted": standing.reflection_accepted, "paper": standing.paper,
        },
        "reflection": reflection and {
            "state": reflection.state, "comment": reflection.comment,
            "submitted_at": reflection.submitted_at, "has_file": bool(reflection.file),
        },
        "document_ids": list(programme.documents.filter(state="published").values_list("pk", flat=True)),
    }  # fmt: skip


@router.get("/learning/programmes/{pk}/lessons/{lesson_pk}", response={200: LessonDetail, **ERRORS})
def lesson_detail(request, pk: int, lesson_pk: int):
    """The lesson; opening it as an assigned member records the progress (a text or PDF
    lesson counts as finished)."""
    user = _user(request)
    lesson = get_lesson_for_user(user, pk, lesson_pk)
    item = (
        services.open_lesson(user=user, lesson=lesson)
        if is_assigned(user, lesson.programme)
        else None
    )
    return {
        "id": lesson.pk, "title": lesson.title, "kind": lesson.kind, "body_html": lesson.body,
        "file_url": _file_url(lesson.programme, lesson), "content_type": lesson.content_type,
        "size": lesson.size, "position_seconds": item.position if item else 0.0,
        "finished": bool(item and item.finished_at),
    }  # fmt: skip


@router.post(
    "/learning/programmes/{pk}/lessons/{lesson_pk}/position", response={200: PositionOut, **ERRORS}
)
def lesson_position(request, pk: int, lesson_pk: int, payload: PositionIn):
    user = _user(request)
    lesson = get_lesson_for_user(user, pk, lesson_pk)
    item = services.save_position(
        user=user, lesson=lesson, position=payload.position, finished=payload.finished
    )
    return {"position": item.position, "finished": item.finished_at is not None}


# ------------------------------------------------------------------------- quiz


def _attempt_out(user, attempt: Attempt) -> dict:
    items = list(attempt.items.select_related("question"))
    options = {
        o.pk: o
        for o in Option.objects.filter(question_id__in=[i.question_id for i in items]).only(
            "pk", "text", "question_id", "is_correct"
        )
    }
    questions = [
        {
            "position": i.position,
            "question_id": i.question_id,
            "kind": i.question.kind,
            "text": i.question.text,
            "selected": list(i.selected),
            "options": [
                {"id": pk, "text": options[pk].text} for pk in i.option_order if pk in options
            ],
        }  # fmt: skip
        for i in items
    ]
    answers = None
    if quizzes.answers_revealed(attempt):
        answers = [
            {
                "position": i.position,
                "question_id": i.question_id,
                "text": i.question.text,
                "selected": list(i.selected),
                "credit": i.credit,
                "explanation": i.question.explanation,
                "options": [
                    {"id": pk, "text": options[pk].text, "correct": options[pk].is_correct}
                    for pk in i.option_order
                    if pk in options
                ],
            }  # fmt: skip
            for i in items
        ]
    quiz = attempt.quiz
    return {
        "id": attempt.pk, "programme_id": quiz.programme_id, "number": attempt.number,
        "deadline": attempt.deadline,
        "seconds_left": max(int((attempt.deadline - timezone.now()).total_seconds()), 0) if attempt.is_open else 0,
        "submitted_at": attempt.submitted_at, "closed_late": attempt.closed_late, "score": attempt.score,
        "passed": None if attempt.score is None else attempt.score >= quiz.pass_mark,
        "questions": questions, "answers": answers,
    }  # fmt: skip


@router.post("/learning/programmes/{pk}/attempts", response={201: AttemptOut, **ERRORS})
def start_attempt(request, pk: int):
    """Start an attempt (or get the one still open)."""
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    quiz = Quiz.objects.filter(programme=programme).first()
    if quiz is None:
        raise Http404("Chuyên đề không có bài trắc nghiệm.")
    quiz.programme = programme
    attempt = quizzes.start_attempt(user=user, quiz=quiz, request=request)
    return Status(201, _attempt_out(user, attempt))


@router.get("/learning/attempts/{pk}", response={200: AttemptOut, **ERRORS})
def get_attempt(request, pk: int):
    user = _user(request)
    attempt = quizzes.close_if_expired(attempt=get_attempt_for_user(user, pk))
    return _attempt_out(user, attempt)


@router.put("/learning/attempts/{pk}/answers/{question_id}", response={200: AttemptOut, **ERRORS})
def save_answer(request, pk: int, question_id: int, payload: AnswerIn):
    user = _user(request)
    attempt = get_attempt_for_user(user, pk)
    quizzes.save_answer(
        user=user, attempt=attempt, question_id=question_id, option_ids=payload.options
    )
    return _attempt_out(user, attempt)


@router.post("/learning/attempts/{pk}/submit", response={200: AttemptOut, **ERRORS})
def submit_attempt(request, pk: int, payload: SubmitIn):
    """Submit, with any answers not yet saved. After the deadline the attempt closes
    at the deadline and answers sent now are ignored."""
    user = _user(request)
    attempt = get_attempt_for_user(user, pk)
    attempt = quizzes.submit_attempt(
        user=user, attempt=attempt, answers=payload.answers, request=request
    )
    return _attempt_out(user, attempt)


# -------------------------------------------------------------------- reflection


@router.post("/learning/programmes/{pk}/reflection", response={200: Created, **ERRORS})
def submit_reflection(request, pk: int, payload: ReflectionIn):
    """A written reflection (sanitised). Files are uploaded on the page."""
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    reflection = services.submit_reflection(
        user=user, programme=programme, body=payload.body, request=request
    )
    return {"id": reflection.pk}


def _spooled_body(request, limit: int, spool, filename: str) -> File:
    """The raw request body as a file, refused (413) when Content-Length announces more
    than `limit` or more than that arrives."""
    message = f"Tệp quá lớn: dung lượng tối đa {limit // 1048576} MB."
    if media.declared_too_big(request, limit - media.ENVELOPE):
        raise HttpError(413, message)
    size = 0
    while chunk := request.read(media.CHUNK):
        size += len(chunk)
        if size > limit:
            raise HttpError(413, message)
        spool.write(chunk)
    spool.seek(0)
    upload = File(spool, name=filename[:200] or "tep")
    upload.size = size
    return upload


@router.post("/learning/programmes/{pk}/reflection-file", response={200: Created, **ERRORS})
def upload_reflection(request, pk: int, filename: str = "bai-thu-hoach"):
    """A reflection as a PDF or DOCX file: the raw request body (sniffed, size-limited)."""
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    with tempfile.TemporaryFile() as spool:
        upload = _spooled_body(request, media.limit_bytes("reflection"), spool, filename)
        reflection = services.submit_reflection(user=user, programme=programme, upload=upload,
                                                request=request)  # fmt: skip
    return {"id": reflection.pk}


# --------------------------------------------------------------- the secretary


@router.post(
    "/learning/programmes/{pk}/members/{member_pk}/review", response={200: Created, **ERRORS}
)
def review_reflection(request, pk: int, member_pk: int, payload: ReviewIn):
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    member = get_reviewed_member(user, programme, member_pk)
    reflection = Reflection.objects.filter(programme=programme, member=member).first()
    if reflection is None:
        raise Http404("Đảng viên chưa nộp bài thu hoạch.")
    services.review_reflection(actor=user, reflection=reflection, accepted=payload.accepted,
                               comment=payload.comment, request=request)  # fmt: skip
    return {"id": reflection.pk}


@router.post(
    "/learning/programmes/{pk}/members/{member_pk}/offline", response={200: Created, **ERRORS}
)
def record_offline(request, pk: int, member_pk: int, payload: OfflineIn):
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    member = get_reviewed_member(user, programme, member_pk)
    entry = services.record_offline_study(
        actor=user, programme=programme, member=member, studied_on=payload.studied_on,
        paper_score=payload.paper_score, note=payload.note, request=request,
    )  # fmt: skip
    return {"id": entry.pk}


@router.post(
    "/learning/programmes/{pk}/members/{member_pk}/override", response={200: Created, **ERRORS}
)
def grant_override(request, pk: int, member_pk: int, payload: OverrideIn):
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    member = get_reviewed_member(user, programme, member_pk)
    quiz = Quiz.objects.filter(programme=programme).first()
    if quiz is None:
        raise Http404("Chuyên đề không có bài trắc nghiệm.")
    quiz.programme = programme
    override = quizzes.grant_override(
        actor=user, quiz=quiz, member=member, request=request, **payload.dict()
    )
    return {"id": override.pk}


# --------------------------------------------------------------------- reports


def _report_row(r) -> dict:
    return {
        "organization_id": r.org.pk, "organization": r.org.name, "assigned": r.assigned,
        "started": r.started, "completed": r.completed, "passed": r.passed, "average": r.average,
        "reflections_accepted": r.reflections, "paper": r.paper,
    }  # fmt: skip


@router.get("/learning/programmes/{pk}/report", response={200: ReportOut, **ERRORS})
def report(request, pk: int, org: int | None = None):
    """Figures for an organisation of the audience in the caller's reports.view scope;
    member names only at a branch, for members.view there."""
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    organization = reports.report_org_for_user(user, programme, org)
    data = reports.programme_report(programme, organization)
    members = reports.member_rows(user, programme, organization)
    return {
        "programme_id": programme.pk, "total": _report_row(data.total),
        "children": [_report_row(r) for r in data.children],
        "distribution": [{"label": label, "count": n} for label, n in data.bands],
        "members": None if members is None else [
            {
                "member_id": m["member"].pk, "full_name": m["member"].full_name, "status": m["status"],
                "lessons_done": m["lessons_done"], "score": m["score"], "passed": m["passed"],
                "paper": m["paper"], "reflection": m["reflection"], "overdue": m["overdue"],
            }
            for m in members
        ],
        "counted_at": data.counted_at,
    }  # fmt: skip


# ------------------------------------------------------------------- the office


@router.post("/learning/programmes", response={201: Created, **ERRORS})
def create_programme(request, payload: ProgrammeIn):
    user = _user(request)
    org = get_organization_or_404(payload.organization_id)
    programme = services.create_programme(
        actor=user, organization=org, title=payload.title, summary=payload.summary,
        audience_level=payload.audience_level, opens_on=payload.opens_on, closes_on=payload.closes_on,
        request=request,
    )  # fmt: skip
    return Status(201, {"id": programme.pk})


@router.post("/learning/programmes/{pk}/lessons", response={201: Created, **ERRORS})
def add_text_lesson(request, pk: int, payload: TextLessonIn):
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    lesson = services.add_lesson(actor=user, programme=programme, title=payload.title, kind="text",
                                 body=payload.body_html, request=request)  # fmt: skip
    return Status(201, {"id": lesson.pk})


@router.delete("/learning/programmes/{pk}/lessons/{lesson_pk}", response={200: Created, **ERRORS})
def remove_lesson(request, pk: int, lesson_pk: int):
    """Drop a lesson of a programme nobody has started (the office, like the page)."""
    user = _user(request)
    lesson = get_lesson_for_user(user, pk, lesson_pk)
    services.remove_lesson(actor=user, lesson=lesson, request=request)
    return {"id": lesson_pk}


@router.post("/learning/programmes/{pk}/lesson-files", response={201: Created, **ERRORS})
def upload_lesson(request, pk: int, title: str, kind: str, filename: str = "tep"):
    """A PDF, audio or video lesson: the file is the raw request body. Refused before
    reading when Content-Length passes the kind's limit, and while reading when more
    arrives than announced or allowed."""
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    if kind not in ("pdf", "audio", "video"):
        raise ServiceError("Loại bài: pdf, audio hoặc video.", "kind")
    with tempfile.TemporaryFile() as spool:
        upload = _spooled_body(request, media.limit_bytes(kind), spool, filename)
        lesson = services.add_lesson(actor=user, programme=programme, title=title, kind=kind,
                                     upload=upload, request=request)  # fmt: skip
    return Status(201, {"id": lesson.pk})


@router.post("/learning/programmes/{pk}/questions", response={201: Created, **ERRORS})
def add_question(request, pk: int, payload: QuestionIn):
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    options = [(text, i in set(payload.correct)) for i, text in enumerate(payload.options)]
    question = quizzes.add_question(actor=user, programme=programme, category=payload.category,
                                    kind=payload.kind, text=payload.text, options=options,
                                    explanation=payload.explanation, request=request)  # fmt: skip
    return Status(201, {"id": question.pk})


def _import_out(plan, applied: bool) -> dict:
    return {
        "applied": applied,
        "rows": plan.rows,
        "questions": len(plan.new),
        "problems": [
            {"row": p.row, "column": p.column, "message": p.message} for p in plan.problems
        ],
    }


@router.post(
    "/learning/programmes/{pk}/question-import",
    response={**ERRORS, 200: QuestionImportOut, 409: QuestionImportOut},
)
def import_questions(request, pk: int, apply: bool = False, filename: str = "cau-hoi.xlsx"):
    """Questions from an .xlsx in the page's template (the raw request body, checked like
    any spreadsheet upload: name, size, content, macros). Without `apply`: the dry run,
    every problem by row and column, nothing written. With `apply=true`: the same checks
    again, then every question or none — 409 with the problems when the file has any."""
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    with tempfile.TemporaryFile() as spool:
        data = check_upload(_spooled_body(request, MAX_UPLOAD_BYTES, spool, filename))
    if not apply:
        return _import_out(
            imports.plan_questions(actor=user, programme=programme, data=data), False
        )
    try:
        plan = imports.apply_questions(
            actor=user, programme=programme, data=data, file_name=filename
        )
    except ImportRefused as refused:
        return Status(409, _import_out(refused.plan, False))
    return _import_out(plan, True)


@router.put("/learning/programmes/{pk}/quiz", response={200: Created, **ERRORS})
def configure_quiz(request, pk: int, payload: QuizIn):
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    quotas = None
    if payload.quotas is not None:
        by_name = {c.name: c.pk for c in programme.categories.all()}
        unknown = [n for n in payload.quotas if n not in by_name]
        if unknown:
            raise ServiceError(f"Số câu hỏi: không có nhóm “{unknown[0]}”.", "quotas")
        quotas = {by_name[n]: c for n, c in payload.quotas.items()}
    quiz = quizzes.configure_quiz(
        actor=user, programme=programme, time_limit_minutes=payload.time_limit_minutes,
        max_attempts=payload.max_attempts, pass_mark=payload.pass_mark, grading=payload.grading,
        reveal=payload.reveal, quotas=quotas, request=request,
    )  # fmt: skip
    return {"id": quiz.pk}


@router.post("/learning/programmes/{pk}/publish", response={200: Created, **ERRORS})
def publish_programme(request, pk: int):
    user = _user(request)
    programme = get_programme_for_user(user, pk)
    services.publish_programme(actor=user, programme=programme, request=request)
    return {"id": programme.pk}
