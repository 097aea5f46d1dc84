"""Screens of the organisation office (write programmes, lessons, the quiz and its
questions, import questions, publish), of the branch secretary (follow the branch,
review reflections, record paper scores and branch-session study, grant overrides) and
the programme report with its .xlsx export."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import CONTENT_PUBLISH, MEETINGS_MANAGE, can, orgs_where
from sotay.audit.services import record
from sotay.core import staging
from sotay.core.services import call_service, call_with_message
from sotay.core.xlsx import SheetWriter, xlsx_response
from sotay.documents.models import DocumentState
from sotay.documents.queries import documents_visible_to
from sotay.documents.text import normalize_symbol
from sotay.learning import imports, media, quizzes, reports, services
from sotay.learning.access import (
    get_lesson_for_user,
    get_programme_for_user,
    get_reflection_for_reviewer,
    get_reviewed_member,
)
from sotay.learning.forms import (
    ImportForm,
    LessonForm,
    OfflineForm,
    OverrideForm,
    ProgrammeForm,
    QuestionForm,
    QuizForm,
    ReviewForm,
)
from sotay.learning.models import (
    Attempt,
    Programme,
    ProgrammeProgress,
    ProgrammeState,
    Quiz,
    QuizOverride,
    Reflection,
    ReflectionState,
)
from sotay.learning.views import _file, _too_big
from sotay.organizations.access import find_organization_by_code
from sotay.organizations.models import Organization


def _require_publisher(user, programme: Programme | None = None):
    if not can(user, CONTENT_PUBLISH, programme.organization if programme else None):
        raise PermissionDenied("Bạn không có quyền soạn chuyên đề học tập.")


def _programme_fields(request, form) -> dict | None:
    org = find_organization_by_code(
        request.user, form.cleaned_data["organization_code"], CONTENT_PUBLISH
    )
    if org is None:
        form.add_error("organization_code", "Mã tổ chức không có hoặc ngoài phạm vi của bạn.")
        return None
    data = form.cleaned_data
    return {
        "title": data["title"],
        "summary": data["summary"],
        "opens_on": data["opens_on"],
        "closes_on": data["closes_on"],
        "audience_level": data["audience_level"],
        "organization": org,
    }


def programme_create(request):
    _require_publisher(request.user)
    roots = orgs_where(request.user, CONTENT_PUBLISH)
    initial = {}
    if roots:
        org = Organization.objects.filter(path=roots[0]).only("code").first()
        initial["organization_code"] = org.code if org else ""
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _programme_fields(request, form)
        if fields is not None:
            ok, programme = call_service(
                form, services.create_programme, actor=request.user, request=request, **fields
            )
            if ok:
                messages.success(request, "Đã tạo chuyên đề. Thêm bài học và câu hỏi rồi giao học.")
                return redirect("learning:edit", pk=programme.pk)
    return render(request, "learning/programme_form.html", {"form": form, "programme": None})


def programme_edit(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)
    form = ProgrammeForm(
        request.POST or None,
        initial={
            "title": programme.title,
            "summary": programme.summary,
            "organization_code": programme.organization.code,
            "audience_level": programme.audience_level,
            "opens_on": programme.opens_on,
            "closes_on": programme.closes_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        fields = _programme_fields(request, form)
        if fields is not None:
            fields.pop("organization")
            ok, _ = call_service(
                form, services.update_programme, actor=request.user, programme=programme,
                request=request, **fields,
            )  # fmt: skip
            if ok:
                messages.success(request, "Đã lưu chuyên đề.")
                return redirect("learning:edit", pk=programme.pk)
    quiz = Quiz.objects.filter(programme=programme).first()
    categories = list(programme.categories.all())
    quotas = {q.category_id: q.count for q in quiz.quotas.all()} if quiz else {}
    for c in categories:
        c.quota = quotas.get(c.pk, 0)
        c.bank = c.questions.count()
    return render(
        request,
        "learning/programme_form.html",
        {
            "form": form,
            "programme": programme,
            "lessons": list(programme.lessons.all()),
            "lesson_form": LessonForm(),
            "quiz": quiz,
            "quiz_form": QuizForm(
                initial={
                    "time_limit_minutes": quiz.time_limit_minutes if quiz else 15,
                    "max_attempts": quiz.max_attempts if quiz else 2,
                    "pass_mark": quiz.pass_mark if quiz else 70,
                    "grading": quiz.grading if quiz else "highest",
                    "reveal": quiz.reveal if quiz else "score",
                }
            ),
            "categories": categories,
            "question_form": QuestionForm(),
            "question_count": programme.questions.count(),
            "documents": list(programme.documents.all()),
            "is_draft": programme.state == ProgrammeState.DRAFT,
        },
    )


@csrf_exempt
def lesson_add(request, pk: int):
    """Add a lesson; a file larger than the largest limit is refused before its body
    is read (Content-Length, then counted as it streams), so CSRF comes after."""
    if request.method == "POST":
        limit = media.largest_upload()
        if media.declared_too_big(request, limit):
            return _too_big(request, limit)
        handler = media.SizeLimitHandler(request, limit)
        request.upload_handlers.insert(0, handler)
        request._learning_limit = handler
    return _lesson_add(request, pk)


@csrf_protect
@require_POST
def _lesson_add(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)
    handler = getattr(request, "_learning_limit", None)
    if handler is not None and handler.exceeded:
        return _too_big(request, handler.limit)
    form = LessonForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Bài học: hãy ghi tên bài và chọn loại bài.")
        return redirect("learning:edit", pk=programme.pk)
    ok, lesson = call_with_message(
        request,
        partial(services.add_lesson, request=request),
        actor=request.user,
        programme=programme,
        title=form.cleaned_data["title"],
        kind=form.cleaned_data["kind"],
        body=form.cleaned_data["body"],
        upload=form.cleaned_data["file"],
    )
    if ok:
        messages.success(request, f"Đã thêm bài {lesson.position}: {lesson.title}.")
    return redirect(reverse("learning:edit", args=[programme.pk]) + "#bai-hoc")


@require_POST
def lesson_remove(request, pk: int, lesson_pk: int):
    lesson = get_lesson_for_user(request.user, pk, lesson_pk)
    _require_publisher(request.user, lesson.programme)
    ok, _ = call_with_message(request, services.remove_lesson, actor=request.user, lesson=lesson)
    if ok:
        messages.success(request, "Đã bỏ bài học.")
    return redirect(reverse("learning:edit", args=[pk]) + "#bai-hoc")


@require_POST
def quiz_configure(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)
    form = QuizForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Bài trắc nghiệm: hãy kiểm tra các ô số.")
        return redirect("learning:edit", pk=programme.pk)
    quotas = {}
    for c in programme.categories.all():
        raw = request.POST.get(f"quota_{c.pk}", "0") or "0"
        quotas[c.pk] = int(raw) if raw.isdigit() else 0
    ok, _ = call_with_message(
        request,
        partial(quizzes.configure_quiz, request=request),
        actor=request.user,
        programme=programme,
        quotas=quotas if not programme.quiz_started() else None,
        **form.cleaned_data,
    )
    if ok:
        messages.success(request, "Đã lưu bài trắc nghiệm.")
    return redirect(reverse("learning:edit", args=[programme.pk]) + "#trac-nghiem")


@require_POST
def question_add(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Câu hỏi: hãy ghi nhóm, câu hỏi và các phương án.")
        return redirect("learning:edit", pk=programme.pk)
    ok, _ = call_with_message(
        request,
        partial(quizzes.add_question, request=request),
        actor=request.user,
        programme=programme,
        category=form.cleaned_data["category"],
        kind=form.cleaned_data["kind"],
        text=form.cleaned_data["text"],
        options=form.parsed_options(),
        explanation=form.cleaned_data["explanation"],
    )
    if ok:
        messages.success(request, "Đã thêm câu hỏi.")
    return redirect(reverse("learning:edit", args=[programme.pk]) + "#cau-hoi")


@require_POST
def publish(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)
    ok, _ = call_with_message(
        request, partial(services.publish_programme, request=request), actor=request.user,
        programme=programme,
    )  # fmt: skip
    if ok:
        messages.success(request, "Đã giao học chuyên đề.")
        return redirect("learning:detail", pk=programme.pk)
    return redirect("learning:edit", pk=programme.pk)


@require_POST
def link_document(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)
    symbol = normalize_symbol(request.POST.get("symbol", ""))
    document = (
        documents_visible_to(request.user)
        .filter(symbol=symbol, state=DocumentState.PUBLISHED)
        .order_by("-published_at")
        .first()
        if symbol
        else None
    )
    ok, _ = call_with_message(
        request, services.link_document, actor=request.user, programme=programme, document=document
    )
    if ok:
        messages.success(request, f"Đã gắn văn bản {symbol}.")
    return redirect("learning:edit", pk=programme.pk)


# ------------------------------------------------------------------ question import


def question_import(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)
    form = ImportForm(request.POST or None, request.FILES or None)

    def run_plan(data, cleaned):
        return imports.plan_questions(actor=request.user, programme=programme, data=data), {
            "programme": programme.pk
        }

    plan, token, status = staging.check_and_stage(request, form, run_plan, kind="questions")
    return render(
        request,
        "learning/question_import.html",
        {"programme": programme, "form": form, "plan": plan, "token": token},
        status=status,
    )


@require_POST
def question_import_apply(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)

    def run_apply(data, meta):
        if meta.get("programme") != programme.pk:
            from sotay.core.errors import ServiceError

            raise ServiceError(staging.EXPIRED)
        return imports.apply_questions(actor=request.user, programme=programme, data=data,
                                       file_name=meta.get("name", ""))  # fmt: skip

    plan, refused = staging.apply_staged(request, run_apply, kind="questions")
    if refused is not None:
        context = {"programme": programme, "form": ImportForm(), "plan": refused, "token": None}
        return render(request, "learning/question_import.html", context, status=409)
    if plan is None:
        return redirect("learning:question_import", pk=programme.pk)
    messages.success(request, f"Đã nhập {len(plan.new)} câu hỏi.")
    return redirect(reverse("learning:edit", args=[programme.pk]) + "#cau-hoi")


@require_GET
def question_template(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    _require_publisher(request.user, programme)
    return xlsx_response(imports.template_workbook(), "mau-cau-hoi-trac-nghiem.xlsx")


# ------------------------------------------------------------------- the secretary


def _require_reviewer(user, programme):
    branches = reports.reviewable_branches(user, programme)
    if not branches:
        raise PermissionDenied("Chỉ bí thư chi bộ theo dõi được việc học của đảng viên.")
    return branches


@require_GET
def branch(request, pk: int):
    """The secretary's page: the branch's assigned members with their standing
    (overdue ones flagged), reflections waiting for review."""
    programme = get_programme_for_user(request.user, pk)
    branches = _require_reviewer(request.user, programme)
    chosen = request.GET.get("org")
    org = next((b for b in branches if str(b.pk) == chosen), branches[0])
    rows = reports.member_rows(request.user, programme, org) or []
    waiting = list(
        Reflection.objects.filter(
            programme=programme, member__organization=org, state=ReflectionState.SUBMITTED
        )
        .select_related("member")
        .order_by("submitted_at")
    )
    return render(
        request,
        "learning/branch.html",
        {
            "programme": programme,
            "org": org,
            "branches": branches,
            "rows": rows,
            "overdue": [r for r in rows if r["overdue"]],
            "waiting": waiting,
        },
    )


def member_page(request, pk: int, member_pk: int):
    """One member's study, with the secretary's three forms: review the reflection,
    record branch-session study and a paper score, grant extra time or attempts."""
    programme = get_programme_for_user(request.user, pk)
    member = get_reviewed_member(request.user, programme, member_pk)
    quiz = Quiz.objects.filter(programme=programme).first()
    reflection = Reflection.objects.filter(programme=programme, member=member).first()
    offline = programme.offline.filter(member=member).first()
    override = QuizOverride.objects.filter(quiz=quiz, member=member).first() if quiz else None
    forms = {
        "review": ReviewForm(prefix="review"),
        "offline": OfflineForm(
            prefix="offline",
            initial={
                "studied_on": offline.studied_on if offline else None,
                "paper_score": offline.paper_score
                if offline and offline.paper_score is not None
                else "",
                "note": offline.note if offline else "",
            },
        ),
        "override": OverrideForm(
            prefix="override",
            initial={
                "extra_minutes": override.extra_minutes if override else 0,
                "extra_attempts": override.extra_attempts if override else 0,
                "reason": override.reason if override else "",
            },
        ),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        ok = False
        if action == "review" and reflection is not None:
            form = forms["review"] = ReviewForm(request.POST, prefix="review")
            if form.is_valid():
                ok, _ = call_service(
                    form, services.review_reflection, actor=request.user, reflection=reflection,
                    accepted=form.cleaned_data["verdict"] == "accept",
                    comment=form.cleaned_data["comment"], request=request,
                )  # fmt: skip
        elif action == "offline":
            form = forms["offline"] = OfflineForm(request.POST, prefix="offline")
            if form.is_valid():
                ok, _ = call_service(
                    form, services.record_offline_study, actor=request.user, programme=programme,
                    member=member, studied_on=form.cleaned_data["studied_on"],
                    paper_score=form.cleaned_data["paper_score"], note=form.cleaned_data["note"],
                    request=request,
                )  # fmt: skip
        elif action == "override" and quiz is not None:
            form = forms["override"] = OverrideForm(request.POST, prefix="override")
            if form.is_valid():
                quiz.programme = programme
                ok, _ = call_service(
                    form, quizzes.grant_override, actor=request.user, quiz=quiz, member=member,
                    request=request, **form.cleaned_data,
                )  # fmt: skip
        if ok:
            messages.success(request, "Đã lưu.")
            return redirect("learning:member", pk=programme.pk, member_pk=member.pk)
        status = 400
    standing = ProgrammeProgress.objects.filter(programme=programme, member=member).first()
    attempts = (
        list(Attempt.objects.filter(quiz=quiz, member=member).order_by("number")) if quiz else []
    )
    return render(
        request,
        "learning/member.html",
        {
            "programme": programme,
            "member": member,
            "quiz": quiz,
            "reflection": reflection,
            "offline": offline,
            "override": override,
            "standing": standing,
            "attempts": attempts,
            "forms": forms,
        },
        status=status,
    )


@require_GET
def reviewer_reflection_file(request, pk: int, reflection_pk: int):
    programme = get_programme_for_user(request.user, pk)
    item = get_reflection_for_reviewer(request.user, programme, reflection_pk)
    if not item.file:
        from django.http import Http404

        raise Http404("Bài thu hoạch không có tệp.")
    return _file(item)


# ---------------------------------------------------------------------- reports


def _report_org(request, programme):
    from sotay.core.errors import PermissionDenied as Refused

    try:
        return reports.report_org_for_user(request.user, programme, request.GET.get("org"))
    except Refused as exc:
        raise PermissionDenied(exc.message) from exc


@require_GET
def report(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    org = _report_org(request, programme)
    data = reports.programme_report(programme, org)
    trail = [
        a
        for a in Organization.objects.filter(
            path__in=[org.path[:i] for i in range(4, len(org.path), 4)]
        )
        .only("pk", "name", "path")
        .order_by("path")
        if a.path.startswith(programme.path)
    ]
    chart = {
        "labels": [label for label, _ in data.bands],
        "counts": [n for _, n in data.bands],
    }
    return render(
        request,
        "learning/report.html",
        {
            "programme": programme,
            "org": org,
            "report": data,
            "trail": [a for a in trail if can(request.user, "reports.view", a)],
            "members": reports.member_rows(request.user, programme, org),
            "chart": chart,
            "can_review": can(request.user, MEETINGS_MANAGE, org),
        },
    )


@require_GET
def report_xlsx(request, pk: int):
    programme = get_programme_for_user(request.user, pk)
    org = _report_org(request, programme)
    data = reports.programme_report(programme, org)
    members = reports.member_rows(request.user, programme, org)
    book = SheetWriter()
    headers = ["Tổ chức", "Phải học", "Đã học", "Hoàn thành", "Tỷ lệ hoàn thành", "Đạt trắc nghiệm",
               "Điểm trung bình", "Thu hoạch đạt", "Học tại chi bộ (ghi tay)"]  # fmt: skip
    sheet = book.sheet("Tổng hợp", headers, [40, 10, 10, 12, 14, 14, 14, 12, 18],
                       title_rows=[f"{programme.title} — {org.name}",
                                   f"Số liệu lúc {data.counted_at:%d/%m/%Y %H:%M}"])  # fmt: skip
    for r in [*data.children, data.total]:
        sheet.append([
            r.org.name if r is not data.total else "Tổng cộng", r.assigned, r.started, r.completed,
            r.completed_pct, r.passed, float(r.average) if r.average is not None else "",
            r.reflections, r.paper,
        ])  # fmt: skip
    dist = book.sheet("Phân bố điểm", ["Khoảng điểm", "Số đảng viên"], [20, 14])
    for label, n in data.bands:
        dist.append([label, n])
    if members is not None:
        people = book.sheet("Đảng viên", ["Họ và tên", "Tình trạng", "Số bài đã học", "Điểm",
                                          "Đạt", "Thu hoạch", "Ghi tay", "Quá hạn"],
                            [30, 16, 12, 8, 6, 14, 8, 8])  # fmt: skip
        for m in members:
            people.append([
                m["member"].full_name, m["status_label"], m["lessons_done"],
                float(m["score"]) if m["score"] is not None else "", "Có" if m["passed"] else "",
                dict(ReflectionState.choices).get(m["reflection"], ""), "Có" if m["paper"] else "",
                "Quá hạn" if m["overdue"] else "",
            ])  # fmt: skip
    record(action="learning.report_exported", request=request, target=programme,
           org_path=org.path, note=f"{org.name}: {data.total.assigned} phải học"
           + (f", {len(members)} đảng viên" if members is not None else ""))  # fmt: skip
    return xlsx_response(book.save(), f"hoc-tap-{programme.pk}-{org.code}.xlsx")
