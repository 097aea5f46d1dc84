"""Quizzes: the question bank, configuration, attempts and grading.

Grading (docs/learning.md):
  * a single-choice question earns 1 when exactly its correct option is chosen, else 0;
  * a multiple-choice question earns `max(0, (r − w) / C)`: C its correct options, r the
    correct options chosen, w the wrong ones chosen ("right minus wrong, floored at 0");
    so choosing every option earns 0, half the right ones and nothing wrong earns 0.5;
  * an attempt's score is 100 × (sum of credits) / (questions drawn), to 0.1.
A member's result is the highest, the last or the average of their graded attempts
(`progress.graded_score`), a paper score counting as one attempt; passed when the
result reaches the pass mark.

Time: an attempt's deadline is fixed when it starts (time limit + the member's extra
minutes). An answer saved after it is refused; a submission after it closes the
attempt at the deadline with the answers saved before it, ignoring any sent with the
late submission. Answers (`Option.is_correct`) never leave the server before the
attempt is submitted.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from sotay.accounts.permissions import CONTENT_PUBLISH, MEETINGS_MANAGE, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.documents.text import plain
from sotay.learning import progress
from sotay.learning.models import (
    Attempt,
    AttemptQuestion,
    Category,
    Grading,
    Option,
    Programme,
    ProgrammeState,
    Question,
    QuestionKind,
    Quiz,
    QuizOverride,
    QuizQuota,
    Reveal,
)
from sotay.learning.queries import is_assigned
from sotay.learning.services import DENIED, NOT_ASSIGNED, REVIEW_DENIED

_random = random.SystemRandom()
MAX_OPTIONS = 6
TIME_UP = "Đã hết thời gian làm bài; câu trả lời này không được tính."


def _check_publisher(actor, programme: Programme) -> None:
    if not can(actor, CONTENT_PUBLISH, programme.organization):
        raise PermissionDenied(DENIED)


# ------------------------------------------------------------------ question bank


def get_or_create_category(programme: Programme, name: str) -> Category:
    name = plain(name)[:200]
    if not name:
        raise ServiceError("Nhóm câu hỏi: không được để trống.", "category")
    category, _ = Category.objects.get_or_create(programme=programme, name=name)
    return category


def clean_question(kind: str, text: str, options: list[tuple[str, bool]], explanation: str):
    """Check one question; returns the cleaned (kind, text, options, explanation) or
    raises ServiceError naming the field."""
    if kind not in QuestionKind.values:
        raise ServiceError("Loại câu hỏi: chọn một đáp án hoặc nhiều đáp án.", "kind")
    text = plain(text)
    if not text:
        raise ServiceError("Câu hỏi: không được để trống.", "text")
    if len(text) > 2000:
        raise ServiceError("Câu hỏi: dài quá 2.000 ký tự.", "text")
    cleaned = [(plain(t)[:500], bool(c)) for t, c in options if plain(t)]
    if len(cleaned) < 2:
        raise ServiceError("Phương án: cần ít nhất hai phương án.", "options")
    if len(cleaned) > MAX_OPTIONS:
        raise ServiceError(f"Phương án: nhiều nhất {MAX_OPTIONS} phương án.", "options")
    if len({t for t, _ in cleaned}) != len(cleaned):
        raise ServiceError("Phương án: hai phương án trùng nhau.", "options")
    right = sum(1 for _, c in cleaned if c)
    if right == 0:
        raise ServiceError("Đáp án đúng: hãy đánh dấu ít nhất một phương án đúng.", "options")
    if kind == QuestionKind.SINGLE and right != 1:
        raise ServiceError("Đáp án đúng: câu một đáp án chỉ có đúng một phương án đúng.", "options")
    return kind, text, cleaned, plain(explanation)[:2000]


@transaction.atomic
def add_question(
    *,
    actor,
    programme: Programme,
    category: str,
    kind: str,
    text: str,
    options: list[tuple[str, bool]],
    explanation: str = "",
    request=None,
) -> Question:
    _check_publisher(actor, programme)
    kind, text, options, explanation = clean_question(kind, text, options, explanation)
    cat = get_or_create_category(programme, category)
    question = Question.objects.create(
        programme=programme, category=cat, kind=kind, text=text, explanation=explanation
    )
    Option.objects.bulk_create(Option(question=question, text=t, is_correct=c) for t, c in options)
    record(action="learning.question_added", actor=actor, request=request, target=programme,
           note=text[:200])  # fmt: skip
    return question


@transaction.atomic
def configure_quiz(
    *,
    actor,
    programme: Programme,
    time_limit_minutes: int,
    max_attempts: int,
    pass_mark: int,
    grading: str = Grading.HIGHEST,
    reveal: str = Reveal.SCORE,
    quotas: dict[int, int] | None = None,
    request=None,
) -> Quiz:
    """Create or change the programme's quiz. `quotas` maps category id → questions
    drawn from it per attempt. Once anyone has attempted it only the settings that
    cannot change a graded result (time, attempts, reveal) may change."""
    _check_publisher(actor, programme)
    if not (1 <= int(time_limit_minutes or 0) <= 240):
        raise ServiceError("Thời gian làm bài: từ 1 đến 240 phút.", "time_limit_minutes")
    if not (1 <= int(max_attempts or 0) <= 20):
        raise ServiceError("Số lần làm tối đa: từ 1 đến 20.", "max_attempts")
    if not (1 <= int(pass_mark or 0) <= 100):
        raise ServiceError("Điểm đạt: từ 1 đến 100 (%).", "pass_mark")
    if grading not in Grading.values:
        raise ServiceError("Cách tính điểm: chọn trong danh sách.", "grading")
    if reveal not in Reveal.values:
        raise ServiceError("Công bố kết quả: chọn trong danh sách.", "reveal")
    quiz = Quiz.objects.select_for_update().filter(programme=programme).first()
    started = quiz is not None and quiz.attempts.exists()
    if started and (quiz.pass_mark != int(pass_mark) or quiz.grading != grading or quotas):
        raise ServiceError(
            "Đã có người làm bài: không đổi điểm đạt, cách tính điểm hay số câu hỏi được nữa."
        )
    quiz = quiz or Quiz(programme=programme)
    quiz.time_limit_minutes = int(time_limit_minutes)
    quiz.max_attempts = int(max_attempts)
    quiz.pass_mark = int(pass_mark)
    quiz.grading = grading
    quiz.reveal = reveal
    quiz.save()
    if quotas is not None and not started:
        categories = {c.pk: c for c in programme.categories.all()}
        QuizQuota.objects.filter(quiz=quiz).delete()
        for category_id, count in quotas.items():
            if int(category_id) not in categories:
                raise ServiceError("Số câu hỏi: nhóm câu hỏi không thuộc chuyên đề.", "quotas")
            if not (0 <= int(count) <= 100):
                raise ServiceError("Số câu hỏi: mỗi nhóm từ 0 đến 100 câu.", "quotas")
            if int(count):
                QuizQuota.objects.create(quiz=quiz, category_id=int(category_id), count=int(count))
        if not quiz.quotas.exists():
            raise ServiceError("Số câu hỏi: mỗi lượt làm bài cần ít nhất một câu.", "quotas")
        check_bank(quiz)
    record(action="learning.quiz_configured", actor=actor, request=request, target=programme)
    return quiz


def check_bank(quiz: Quiz) -> None:
    """Refuses a quiz whose bank has fewer questions in a category than its quota."""
    quotas = list(quiz.quotas.select_related("category"))
    if not quotas:
        raise ServiceError("Bài trắc nghiệm chưa có số câu hỏi cho nhóm nào.", "quotas")
    for quota in quotas:
        have = Question.objects.filter(category_id=quota.category_id).count()
        if have < quota.count:
            raise ServiceError(
                f"Nhóm “{quota.category.name}”: cần {quota.count} câu mỗi lượt nhưng ngân hàng "
                f"chỉ có {have} câu.",
                "quotas",
            )


# ---------------------------------------------------------------------- attempts


def allowance(quiz: Quiz, member) -> tuple[int, int]:
    """(attempts allowed, extra minutes) for the member, overrides included."""
    override = QuizOverride.objects.filter(quiz=quiz, member_id=member.pk).first()
    if override is None:
        return quiz.max_attempts, 0
    return quiz.max_attempts + override.extra_attempts, override.extra_minutes


def draw(quiz: Quiz) -> list[Question]:
    """The questions of one attempt: for each category quota, that many distinct
    questions at random (never the same question twice), then shuffled together."""
    drawn: list[Question] = []
    for quota in quiz.quotas.all():
        pool = list(
            Question.objects.filter(category_id=quota.category_id).values_list("pk", flat=True)
        )
        if len(pool) < quota.count:
            raise ServiceError("Ngân hàng câu hỏi chưa đủ câu cho bài trắc nghiệm này.")
        drawn.extend(_random.sample(pool, quota.count))
    _random.shuffle(drawn)
    questions = Question.objects.in_bulk(drawn)
    return [questions[pk] for pk in drawn]


def _check_open(programme: Programme, today: dt.date) -> None:
    if programme.state != ProgrammeState.PUBLISHED:
        raise ServiceError("Chuyên đề chưa giao học.")
    if today < programme.opens_on:
        raise ServiceError(f"Chuyên đề mở từ ngày {programme.opens_on:%d/%m/%Y}.")
    if today > programme.closes_on:
        raise ServiceError(f"Chuyên đề đã kết thúc ngày {programme.closes_on:%d/%m/%Y}.")


@transaction.atomic
def start_attempt(*, user, quiz: Quiz, request=None) -> Attempt:
    """Start an attempt, or return the member's attempt still open (an expired one is
    closed first). Refuses members not assigned the programme, outside its dates, and
    beyond the attempts allowed. The one-open-attempt rule is the database's
    (`learn_one_open_attempt`), so two taps at once still give one attempt."""
    programme = quiz.programme
    if not is_assigned(user, programme):
        raise PermissionDenied(NOT_ASSIGNED)
    member = user.member
    now = timezone.now()
    _check_open(programme, timezone.localdate())
    current = Attempt.objects.filter(
        quiz=quiz, member_id=member.pk, submitted_at__isnull=True
    ).first()
    if current is not None:
        if now <= current.deadline:
            return current
        _close(current, now, late=True)
    allowed, extra = allowance(quiz, member)
    used = progress.attempts_used(quiz, member)
    if used >= allowed:
        raise ServiceError(f"Đồng chí đã làm đủ {allowed} lần cho phép.")
    questions = draw(quiz)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                member_id=member.pk,
                number=progress.last_number(quiz, member) + 1,
                started_at=now,
                deadline=now + dt.timedelta(minutes=quiz.time_limit_minutes + extra),
            )
    except IntegrityError:
        # Another request of the same member started one a moment ago: use it.
        existing = Attempt.objects.filter(
            quiz=quiz, member_id=member.pk, submitted_at__isnull=True
        ).first()
        if existing is None:
            raise ServiceError("Không bắt đầu được lượt làm bài; hãy thử lại.") from None
        return existing
    items = []
    for position, question in enumerate(questions, start=1):
        order = list(question.options.values_list("pk", flat=True))
        _random.shuffle(order)
        items.append(
            AttemptQuestion(
                attempt=attempt, question=question, position=position, option_order=order
            )
        )
    AttemptQuestion.objects.bulk_create(items)
    progress.refresh(programme, member)
    record(action="learning.attempt_started", actor=user, request=request, target=programme,
           note=f"lần {attempt.number}")  # fmt: skip
    return attempt


def _parse_ids(values) -> list[int]:
    if values is None:
        return []
    if isinstance(values, int | str):
        values = [values]
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            raise ServiceError("Phương án: mã phương án không hợp lệ.", "options") from None
    return out


def _apply_answer(
    attempt: Attempt, items: dict[int, AttemptQuestion], question_id, option_ids, now, save=True
) -> AttemptQuestion:
    try:
        qid = int(question_id)
    except (TypeError, ValueError):
        raise ServiceError("Câu hỏi: mã câu hỏi không hợp lệ.", "question") from None
    item = items.get(qid)
    if item is None:
        raise ServiceError("Câu hỏi này không thuộc lượt làm bài của đồng chí.", "question")
    chosen = _parse_ids(option_ids)
    if len(set(chosen)) != len(chosen) or not set(chosen) <= set(item.option_order):
        raise ServiceError("Phương án không thuộc câu hỏi này.", "options")
    if item.question.kind == QuestionKind.SINGLE and len(chosen) > 1:
        raise ServiceError("Câu hỏi này chỉ chọn một phương án.", "options")
    item.selected = [pk for pk in item.option_order if pk in chosen]
    item.answered_at = now
    if save:
        item.save(update_fields=["selected", "answered_at"])
    return item


def _locked(attempt: Attempt) -> Attempt:
    # Lock the attempt row only: FOR UPDATE on the join would lock the quiz and the
    # programme too and queue every member's submission behind one another.
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz__programme")
        .get(pk=attempt.pk)
    )


@transaction.atomic
def save_answer(*, user, attempt: Attempt, question_id, option_ids) -> None:
    """Keep the member's choice for one drawn question (replacing an earlier one).
    Refused after the deadline, for a question not drawn for this attempt, or an
    option not of that question."""
    attempt = _locked(attempt)
    if attempt.member_id != user.member_id:
        raise PermissionDenied()
    if not attempt.is_open:
        raise ServiceError("Lượt làm bài này đã nộp.")
    now = timezone.now()
    if now > attempt.deadline:
        raise ServiceError(TIME_UP)
    items = {i.question_id: i for i in attempt.items.select_related("question")}
    _apply_answer(attempt, items, question_id, option_ids, now)


@transaction.atomic
def submit_attempt(*, user, attempt: Attempt, answers: dict | None = None, request=None) -> Attempt:
    """Submit: `answers` (question id → option ids) sent with the submission are saved
    first when the deadline has not passed — all of them or, on a forged id, none. A
    late submission is closed at the deadline with only the answers saved before it."""
    attempt = _locked(attempt)
    if attempt.member_id != user.member_id:
        raise PermissionDenied()
    if not attempt.is_open:
        raise ServiceError("Lượt làm bài này đã nộp.")
    now = timezone.now()
    late = now > attempt.deadline
    items = list(attempt.items.select_related("question"))
    if answers and not late:
        by_question = {i.question_id: i for i in items}
        changed = [
            _apply_answer(attempt, by_question, question_id, option_ids, now, save=False)
            for question_id, option_ids in answers.items()
        ]
        AttemptQuestion.objects.bulk_update(changed, ["selected", "answered_at"])
    _close(attempt, now, late=late, items=items)
    record(action="learning.attempt_submitted", actor=user, request=request,
           target=attempt.quiz.programme,
           note=f"lần {attempt.number}: {attempt.score}%" + (" (nộp muộn, tính đến hết giờ)" if late else ""))  # fmt: skip
    return attempt


def credit(kind: str, correct: set[int], chosen: set[int]) -> Decimal:
    """The credit of one answer (see the module docstring)."""
    if kind == QuestionKind.SINGLE:
        return Decimal(1) if chosen and chosen == correct else Decimal(0)
    right = len(chosen & correct)
    wrong = len(chosen - correct)
    if not correct:
        return Decimal(0)
    return max(Decimal(0), Decimal(right - wrong) / Decimal(len(correct))).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )


def _close(attempt: Attempt, now, *, late: bool, items: list | None = None) -> None:
    """Grade with the answers saved in time and close the attempt."""
    if items is None:
        items = list(attempt.items.select_related("question"))
    correct: dict[int, set[int]] = {}
    for question_id, option_id in Option.objects.filter(
        question_id__in=[i.question_id for i in items], is_correct=True
    ).values_list("question_id", "pk"):
        correct.setdefault(question_id, set()).add(option_id)
    total = Decimal(0)
    for item in items:
        # An answer saved after the deadline never counts (it cannot be saved, but an
        # attempt closed late is graded on what was there at the deadline).
        chosen = (
            set(item.selected)
            if item.answered_at and item.answered_at <= attempt.deadline
            else set()
        )
        item.credit = credit(item.question.kind, correct.get(item.question_id, set()), chosen)
        total += item.credit
    AttemptQuestion.objects.bulk_update(items, ["credit"])
    attempt.points = total
    attempt.score = (
        (total * 100 / len(items)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if items
        else Decimal(0)
    )
    attempt.submitted_at = attempt.deadline if late else now
    attempt.closed_late = late
    attempt.save(update_fields=["points", "score", "submitted_at", "closed_late"])
    progress.refresh(attempt.quiz.programme, attempt.member, quiz=attempt.quiz)


@transaction.atomic
def close_if_expired(*, attempt: Attempt) -> Attempt:
    """An open attempt past its deadline is closed (graded as of the deadline) when it
    is next looked at."""
    attempt = _locked(attempt)
    if attempt.is_open and timezone.now() > attempt.deadline:
        _close(attempt, timezone.now(), late=True)
    return attempt


def answers_revealed(attempt: Attempt) -> bool:
    """May the member see the right answers and explanations of a submitted attempt?
    Only with the "after close" policy, once the programme's closing date has passed."""
    programme = attempt.quiz.programme
    return (
        not attempt.is_open
        and attempt.quiz.reveal == Reveal.AFTER_CLOSE
        and timezone.localdate() > programme.closes_on
    )


# -------------------------------------------------------------------- overrides


@transaction.atomic
def grant_override(
    *,
    actor,
    quiz: Quiz,
    member,
    extra_minutes: int = 0,
    extra_attempts: int = 0,
    reason: str = "",
    request=None,
) -> QuizOverride:
    """The branch secretary gives one member extra time (for attempts started from
    now on) and/or extra attempts. Setting it again replaces the previous values."""
    if not can(actor, MEETINGS_MANAGE, member.organization):
        raise PermissionDenied(REVIEW_DENIED)
    if not member.org_path.startswith(quiz.programme.path):
        raise ServiceError("Chuyên đề này không giao cho đảng viên này.")
    try:
        minutes, attempts = int(extra_minutes or 0), int(extra_attempts or 0)
    except (TypeError, ValueError):
        raise ServiceError("Thêm thời gian, số lần: phải là số.", "extra_minutes") from None
    if not (0 <= minutes <= 240):
        raise ServiceError("Thêm thời gian: từ 0 đến 240 phút.", "extra_minutes")
    if not (0 <= attempts <= 10):
        raise ServiceError("Thêm số lần làm: từ 0 đến 10.", "extra_attempts")
    reason = plain(reason)[:300]
    if len(reason) < 3:
        raise ServiceError("Lý do: hãy ghi lý do (ít nhất 3 ký tự).", "reason")
    override, _ = QuizOverride.objects.update_or_create(
        quiz=quiz,
        member=member,
        defaults={
            "extra_minutes": minutes,
            "extra_attempts": attempts,
            "reason": reason,
            "granted_by": actor,
        },
    )
    record(
        action="learning.override_granted",
        actor=actor,
        request=request,
        target=member,
        note=f"{quiz.programme.title[:120]}: +{minutes} phút, +{attempts} lần. {reason}"[:500],
    )
    return override
