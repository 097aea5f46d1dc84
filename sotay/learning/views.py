"""Members' screens: programmes, a programme with its lessons and progress, a lesson
(text, PDF, audio, video resuming where it stopped), the quiz one question a page, the
result, and the reflection."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import CONTENT_PUBLISH, MEETINGS_MANAGE, REPORTS_VIEW, can
from sotay.core.errors import ServiceError
from sotay.core.services import call_service, call_with_message
from sotay.learning import media, quizzes, services
from sotay.learning.access import (
    get_attempt_for_user,
    get_lesson_for_user,
    get_own_reflection_file,
    get_programme_for_user,
)
from sotay.learning.forms import ReflectionForm
from sotay.learning.models import (
    Attempt,
    Option,
    ProgrammeProgress,
    ProgrammeState,
    ProgressStatus,
    Quiz,
    Reflection,
)
from sotay.learning.queries import (
    assigned_programmes,
    is_assigned,
    lessons_with_progress,
    programmes_visible_to,
)


@require_GET
def programme_list(request):
    """Assigned programmes first (nearest deadline first), then the others the user
    may see (the office's drafts included)."""
    user = request.user
    assigned = list(assigned_programmes(user).select_related("organization"))
    others = list(
        programmes_visible_to(user)
        .exclude(pk__in=[p.pk for p in assigned])
        .order_by("-opens_on", "-pk")[:100]
    )
    return render(
        request,
        "learning/programme_list.html",
        {"assigned": assigned, "others": others, "can_create": can(user, CONTENT_PUBLISH)},
    )


def _standing(user, programme):
    if not user.member_id:
        return None
    return ProgrammeProgress.objects.filter(programme=programme, member_id=user.member_id).first()


@require_GET
def programme_detail(request, pk: int):
    user = request.user
    programme = get_programme_for_user(user, pk)
    assigned = is_assigned(user, programme)
    member = user.member if assigned else None
    lessons = list(lessons_with_progress(programme, member))
    quiz = Quiz.objects.filter(programme=programme).prefetch_related("quotas").first()
    attempts = []
    allowed = 0
    if quiz is not None and member is not None:
        attempts = list(Attempt.objects.filter(quiz=quiz, member_id=member.pk).order_by("number"))
        allowed, _ = quizzes.allowance(quiz, member)
    open_attempt = next((a for a in attempts if a.is_open), None)
    reflection = (
        Reflection.objects.filter(programme=programme, member_id=member.pk).first()
        if member
        else None
    )
    standing = _standing(user, programme) if member else None
    return render(
        request,
        "learning/programme_detail.html",
        {
            "programme": programme,
            "assigned": assigned,
            "lessons": lessons,
            "done": sum(1 for lesson in lessons if lesson.finished),
            "quiz": quiz,
            "attempts": [a for a in attempts if not a.is_open],
            "open_attempt": open_attempt,
            "attempts_left": max(allowed - len(attempts), 0),
            "reflection": reflection,
            "standing": standing,
            "status_label": ProgressStatus(standing.status).label
            if standing
            else ProgressStatus.NOT_STARTED.label,
            "documents": list(
                programme.documents.filter(state="published").only("pk", "symbol", "title")
            ),
            "can_edit": can(user, CONTENT_PUBLISH, programme.organization),
            "can_review": can(user, MEETINGS_MANAGE)
            and any(True for _ in _review_roots(user, programme)),
            "can_report": can(user, REPORTS_VIEW),
            "is_draft": programme.state == ProgrammeState.DRAFT,
        },
    )


def _review_roots(user, programme):
    from sotay.accounts.permissions import orgs_where

    roots = orgs_where(user, MEETINGS_MANAGE)
    if roots is None:
        yield programme.path
        return
    for root in roots:
        if root.startswith(programme.path) or programme.path.startswith(root):
            yield root


@require_GET
def lesson_detail(request, pk: int, lesson_pk: int):
    user = request.user
    lesson = get_lesson_for_user(user, pk, lesson_pk)
    programme = lesson.programme
    item = None
    if is_assigned(user, programme):
        item = services.open_lesson(user=user, lesson=lesson)
    lessons = list(programme.lessons.only("pk", "position", "title"))
    index = next(i for i, lesson_ in enumerate(lessons) if lesson_.pk == lesson.pk)
    return render(
        request,
        "learning/lesson_detail.html",
        {
            "programme": programme,
            "lesson": lesson,
            "progress": item,
            "previous": lessons[index - 1] if index > 0 else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
            "file_url": reverse("learning:lesson_file", args=[programme.pk, lesson.pk])
            if lesson.file
            else "",
        },
    )


@require_GET
def lesson_file(request, pk: int, lesson_pk: int):
    """The lesson's file, to whoever may open the programme; audio and video with Range
    requests (206) so a phone can seek. Files live under PRIVATE_ROOT."""
    lesson = get_lesson_for_user(request.user, pk, lesson_pk)
    if not lesson.file:
        raise Http404("Bài học không có tệp.")
    try:
        return media.ranged_response(
            request, lesson.file, lesson.content_type, lesson.original_name
        )
    except FileNotFoundError:
        raise Http404("Không tìm thấy tệp bài học.") from None


@require_POST
def lesson_position(request, pk: int, lesson_pk: int):
    """The player's position (seconds), posted every few seconds and at the end."""
    lesson = get_lesson_for_user(request.user, pk, lesson_pk)
    try:
        item = services.save_position(
            user=request.user,
            lesson=lesson,
            position=request.POST.get("position"),
            finished=request.POST.get("finished") == "1",
        )
    except ServiceError as exc:
        return JsonResponse({"detail": exc.message}, status=exc.status_code)
    return JsonResponse({"position": item.position, "finished": item.finished_at is not None})


# -------------------------------------------------------------------------- quiz


@require_POST
def quiz_start(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    quiz = Quiz.objects.filter(programme=programme).first()
    if quiz is None:
        raise Http404("Chuyên đề không có bài trắc nghiệm.")
    quiz.programme = programme
    ok, attempt = call_with_message(
        request, partial(quizzes.start_attempt, request=request), user=request.user, quiz=quiz
    )
    if not ok:
        return redirect("learning:detail", pk=programme.pk)
    return redirect("learning:question", attempt_pk=attempt.pk, n=1)


def _attempt_items(attempt):
    items = list(attempt.items.select_related("question"))
    options = Option.objects.filter(question_id__in=[i.question_id for i in items]).only(
        "pk", "text", "question_id"
    )
    by_id = {o.pk: o for o in options}
    for item in items:
        item.ordered = [by_id[pk] for pk in item.option_order if pk in by_id]
    return items


def question(request, attempt_pk: int, n: int):
    """One drawn question a page: big choices, "Lưu và tiếp" saves it and moves on.
    The page carries option ids and texts only, never which are right."""
    attempt = get_attempt_for_user(request.user, attempt_pk)
    attempt = quizzes.close_if_expired(attempt=attempt)
    if not attempt.is_open:
        return redirect("learning:result", attempt_pk=attempt.pk)
    items = _attempt_items(attempt)
    if not 1 <= n <= len(items):
        raise Http404("Không có câu hỏi này.")
    item = items[n - 1]
    error = ""
    if request.method == "POST":
        try:
            quizzes.save_answer(
                user=request.user,
                attempt=attempt,
                question_id=request.POST.get("question"),
                option_ids=request.POST.getlist("option"),
            )
        except ServiceError as exc:
            error = exc.message
            if exc.message == quizzes.TIME_UP:
                messages.error(request, exc.message)
                attempt = quizzes.close_if_expired(attempt=attempt)
                return redirect("learning:result", attempt_pk=attempt.pk)
        else:
            if request.POST.get("go") == "back" and n > 1:
                return redirect("learning:question", attempt_pk=attempt.pk, n=n - 1)
            if n < len(items) and request.POST.get("go") != "review":
                return redirect("learning:question", attempt_pk=attempt.pk, n=n + 1)
            return redirect("learning:review", attempt_pk=attempt.pk)
    return render(
        request,
        "learning/attempt_question.html",
        {
            "attempt": attempt,
            "programme": attempt.quiz.programme,
            "item": item,
            "n": n,
            "count": len(items),
            "answered": sum(1 for i in items if i.answered_at),
            "error": error,
            "seconds_left": max(int((attempt.deadline - _now()).total_seconds()), 0),
        },
        status=400 if error else 200,
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def review(request, attempt_pk: int):
    """Before submitting: which questions are answered; submit."""
    attempt = get_attempt_for_user(request.user, attempt_pk)
    attempt = quizzes.close_if_expired(attempt=attempt)
    if not attempt.is_open:
        return redirect("learning:result", attempt_pk=attempt.pk)
    if request.method == "POST":
        ok, attempt = call_with_message(
            request,
            partial(quizzes.submit_attempt, request=request),
            user=request.user,
            attempt=attempt,
        )
        return redirect("learning:result", attempt_pk=attempt_pk)
    items = _attempt_items(attempt)
    return render(
        request,
        "learning/attempt_review.html",
        {
            "attempt": attempt,
            "programme": attempt.quiz.programme,
            "items": items,
            "answered": sum(1 for i in items if i.answered_at),
            "seconds_left": max(int((attempt.deadline - _now()).total_seconds()), 0),
        },
    )


@require_GET
def result(request, attempt_pk: int):
    attempt = get_attempt_for_user(request.user, attempt_pk)
    attempt = quizzes.close_if_expired(attempt=attempt)
    if attempt.is_open:
        return redirect("learning:question", attempt_pk=attempt.pk, n=1)
    quiz = attempt.quiz
    revealed = quizzes.answers_revealed(attempt)
    items = []
    if revealed:
        items = list(attempt.items.select_related("question").prefetch_related("question__options"))
    standing = _standing(request.user, quiz.programme)
    return render(
        request,
        "learning/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": quiz,
            "programme": quiz.programme,
            "passed": attempt.score is not None and attempt.score >= quiz.pass_mark,
            "revealed": revealed,
            "items": items,
            "standing": standing,
        },
    )


# -------------------------------------------------------------------- reflection


@csrf_exempt
def reflection(request, pk: int):
    """Write or upload the reflection. The upload's size is checked before its body
    is read (SizeLimitHandler), so CSRF is checked afterwards (csrf_protect)."""
    limit = media.limit_bytes("reflection")
    if request.method == "POST":
        if media.declared_too_big(request, limit):
            return _too_big(request, limit)
        handler = media.SizeLimitHandler(request, limit)
        request.upload_handlers.insert(0, handler)
        request._learning_limit = handler
    return _reflection(request, pk)


def _too_big(request, limit: int):
    return HttpResponse(
        f"Tệp quá lớn: dung lượng tối đa {limit // 1048576} MB. Chưa có gì được lưu.",
        status=413,
        content_type="text/plain; charset=utf-8",
    )


@csrf_protect
def _reflection(request, pk: int):
    user = request.user
    programme = get_programme_for_user(user, pk)
    existing = (
        Reflection.objects.filter(programme=programme, member_id=user.member_id).first()
        if user.member_id
        else None
    )
    form = ReflectionForm(
        request.POST or None,
        request.FILES or None,
        initial={"body": existing.body if existing else ""},
    )
    status = 200
    if request.method == "POST":
        handler = getattr(request, "_learning_limit", None)
        if handler is not None and handler.exceeded:
            return _too_big(request, handler.limit)
        if form.is_valid():
            ok, _ = call_service(
                form,
                services.submit_reflection,
                user=user,
                programme=programme,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data["file"],
                request=request,
            )
            if ok:
                messages.success(request, "Đã nộp bài thu hoạch; bí thư chi bộ sẽ nhận xét.")
                return redirect("learning:reflection", pk=programme.pk)
        status = 400
    return render(
        request,
        "learning/reflection_form.html",
        {
            "programme": programme,
            "form": form,
            "reflection": existing,
            "assigned": is_assigned(user, programme),
        },
        status=status,
    )


@require_GET
def reflection_file(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    item = get_own_reflection_file(request.user, programme)
    return _file(item)


def _file(item):
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("Không tìm thấy tệp.") from None
    response = FileResponse(
        handle,
        content_type=item.content_type,
        filename=item.original_name or "bai-thu-hoach",
        as_attachment=item.content_type != media.PDF,
    )
    response["Cache-Control"] = "private, no-store"
    return response
