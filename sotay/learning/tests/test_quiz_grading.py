"""Grading, the random draw, the server-side time limit, attempt limits and overrides."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sotay.core.errors import PermissionDenied, ServiceError
from sotay.learning import quizzes
from sotay.learning.models import (
    Attempt,
    AttemptQuestion,
    Grading,
    Option,
    ProgrammeProgress,
    ProgressStatus,
    Question,
)
from sotay.learning.progress import graded_score
from sotay.learning.testing import answer_all, build_programme

pytestmark = pytest.mark.django_db


def test_single_choice_earns_one_only_for_the_right_option():
    assert quizzes.credit("single", {1}, {1}) == 1
    assert quizzes.credit("single", {1}, {2}) == 0
    assert quizzes.credit("single", {1}, set()) == 0


def test_multiple_choice_is_right_minus_wrong_floored_at_zero():
    correct = {1, 2, 3}
    assert quizzes.credit("multiple", correct, {1, 2, 3}) == 1
    assert quizzes.credit("multiple", correct, {1, 2}) == Decimal("0.667")
    assert quizzes.credit("multiple", correct, {1, 2, 4}) == Decimal("0.333")
    # Ticking every option earns nothing; more wrong than right is floored at 0.
    assert quizzes.credit("multiple", {1, 2}, {1, 2, 3, 4}) == 0
    assert quizzes.credit("multiple", {1}, {2, 3}) == 0
    assert quizzes.credit("multiple", correct, set()) == 0


def test_grading_methods_highest_last_average():
    scores = [Decimal("40"), Decimal("90"), Decimal("65")]
    assert graded_score(scores, Grading.HIGHEST) == 90
    assert graded_score(scores, Grading.LAST) == 65
    assert graded_score(scores, Grading.AVERAGE) == Decimal("65.0")
    assert graded_score([], Grading.HIGHEST) is None


def test_the_draw_respects_quotas_and_never_repeats(world, programme):
    quiz = programme.quiz
    for _ in range(30):
        drawn = quizzes.draw(quiz)
        ids = [q.pk for q in drawn]
        assert len(ids) == len(set(ids)) == 4
        per_category = Counter(q.category.name for q in drawn)
        assert per_category == {"Nội dung cơ bản": 3, "Vận dụng": 1}


def test_the_draw_varies_between_attempts(world, programme):
    seen = {tuple(q.pk for q in quizzes.draw(programme.quiz)) for _ in range(25)}
    assert len(seen) > 1


def test_an_attempt_shuffles_options_and_keeps_its_draw(world, programme):
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    items = list(attempt.items.all())
    assert len(items) == 4 and len({i.question_id for i in items}) == 4
    for item in items:
        assert sorted(item.option_order) == sorted(
            Option.objects.filter(question_id=item.question_id).values_list("pk", flat=True)
        )


def test_a_full_score_passes_and_completes_after_the_lessons(world, programme):
    for lesson in programme.lessons.all():
        lesson.programme = programme
        from sotay.learning import services

        if lesson.is_media:
            services.save_position(user=world.member, lesson=lesson, position=2, finished=True)
        else:
            services.open_lesson(user=world.member, lesson=lesson)
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    attempt = quizzes.submit_attempt(
        user=world.member, attempt=attempt, answers=answer_all(attempt)
    )
    assert attempt.score == 100 and not attempt.closed_late
    standing = ProgrammeProgress.objects.get(programme=programme, member=world.member.member)
    assert standing.status == ProgressStatus.COMPLETED and standing.quiz_passed


def test_a_wrong_attempt_fails_and_the_programme_stays_in_progress(world, programme):
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    attempt = quizzes.submit_attempt(
        user=world.member, attempt=attempt, answers=answer_all(attempt, right=False)
    )
    assert attempt.score == 0
    standing = ProgrammeProgress.objects.get(programme=programme, member=world.member.member)
    assert standing.status == ProgressStatus.IN_PROGRESS and not standing.quiz_passed


def test_answers_after_the_deadline_are_refused_and_a_late_submission_counts_only_earlier_ones(
    world, programme
):
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    answers = answer_all(attempt)
    first, *rest = list(answers.items())
    quizzes.save_answer(
        user=world.member, attempt=attempt, question_id=first[0], option_ids=first[1]
    )
    # The clock passes the deadline (the answer was saved ten minutes ago, in time).
    AttemptQuestion.objects.filter(attempt=attempt, answered_at__isnull=False).update(
        answered_at=timezone.now() - dt.timedelta(minutes=10)
    )
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=20),
        deadline=timezone.now() - dt.timedelta(minutes=5),
    )
    with pytest.raises(ServiceError, match="hết thời gian"):
        quizzes.save_answer(
            user=world.member, attempt=attempt, question_id=rest[0][0], option_ids=rest[0][1]
        )
    attempt = quizzes.submit_attempt(user=world.member, attempt=attempt, answers=answers)
    assert attempt.closed_late
    assert attempt.submitted_at == attempt.deadline
    # Only the answer saved before the limit counts: 1 of 4.
    assert attempt.score == 25
    assert AttemptQuestion.objects.filter(attempt=attempt, answered_at__isnull=False).count() == 1


def test_forged_ids_and_questions_not_drawn_are_refused_and_nothing_saved(world, programme):
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    drawn = set(attempt.items.values_list("question_id", flat=True))
    not_drawn = Question.objects.filter(programme=programme).exclude(pk__in=drawn).first()
    with pytest.raises(ServiceError, match="không thuộc lượt làm bài"):
        quizzes.save_answer(
            user=world.member,
            attempt=attempt,
            question_id=not_drawn.pk,
            option_ids=[not_drawn.options.first().pk],
        )
    item = attempt.items.first()
    foreign_option = Option.objects.exclude(question_id=item.question_id).first()
    with pytest.raises(ServiceError, match="Phương án không thuộc"):
        quizzes.save_answer(
            user=world.member,
            attempt=attempt,
            question_id=item.question_id,
            option_ids=[foreign_option.pk],
        )
    with pytest.raises(ServiceError):
        quizzes.save_answer(user=world.member, attempt=attempt, question_id="abc", option_ids=[1])
    # A submission with one forged answer saves none of the good ones either.
    answers = answer_all(attempt)
    answers[str(not_drawn.pk)] = [not_drawn.options.first().pk]
    with pytest.raises(ServiceError):
        quizzes.submit_attempt(user=world.member, attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.is_open
    assert not AttemptQuestion.objects.filter(attempt=attempt, answered_at__isnull=False).exists()


def test_another_members_attempt_is_refused(world, programme):
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    with pytest.raises(PermissionDenied):
        quizzes.submit_attempt(user=world.secretary, attempt=attempt, answers={})
    with pytest.raises(PermissionDenied):
        quizzes.save_answer(user=world.secretary, attempt=attempt, question_id=1, option_ids=[])


def test_attempt_limit_and_the_secretarys_extra_attempt_and_time(world, programme):
    quiz = programme.quiz
    for _ in range(2):
        a = quizzes.start_attempt(user=world.member, quiz=quiz)
        quizzes.submit_attempt(user=world.member, attempt=a, answers={})
    with pytest.raises(ServiceError, match="đủ 2 lần"):
        quizzes.start_attempt(user=world.member, quiz=quiz)
    with pytest.raises(PermissionDenied):
        quizzes.grant_override(actor=world.outsider, quiz=quiz, member=world.member.member,
                               extra_attempts=1, reason="Ốm")  # fmt: skip
    quizzes.grant_override(actor=world.secretary, quiz=quiz, member=world.member.member,
                           extra_attempts=1, extra_minutes=10, reason="Đồng chí bị ốm")  # fmt: skip
    third = quizzes.start_attempt(user=world.member, quiz=quiz)
    assert third.number == 3
    assert third.deadline - third.started_at == dt.timedelta(minutes=25)
    quizzes.submit_attempt(user=world.member, attempt=third, answers={})
    with pytest.raises(ServiceError, match="đủ 3 lần"):
        quizzes.start_attempt(user=world.member, quiz=quiz)


def test_the_database_keeps_one_open_attempt_per_member(world, programme):
    first = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    assert quizzes.start_attempt(user=world.member, quiz=programme.quiz).pk == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            quiz=programme.quiz,
            member=world.member.member,
            number=9,
            started_at=timezone.now(),
            deadline=timezone.now(),
        )


def test_grading_method_last_and_average_over_attempts(world):
    programme = build_programme(world, grading=Grading.AVERAGE, max_attempts=3)
    quiz = programme.quiz
    a = quizzes.start_attempt(user=world.member, quiz=quiz)
    quizzes.submit_attempt(user=world.member, attempt=a, answers=answer_all(a))  # 100
    b = quizzes.start_attempt(user=world.member, quiz=quiz)
    quizzes.submit_attempt(user=world.member, attempt=b, answers={})  # 0
    standing = ProgrammeProgress.objects.get(programme=programme, member=world.member.member)
    assert standing.quiz_score == Decimal("50.0")
    assert not standing.quiz_passed  # pass mark 60


def test_members_not_assigned_cannot_start(world, programme):
    for persona in ("outsider", "admin", "commune_officer"):
        with pytest.raises(PermissionDenied):
            quizzes.start_attempt(user=world.persona(persona), quiz=programme.quiz)


def test_a_closed_programme_refuses_new_attempts(world, programme):
    programme.closes_on = timezone.localdate() - dt.timedelta(days=1)
    programme.opens_on = programme.closes_on - dt.timedelta(days=5)
    programme.save()
    with pytest.raises(ServiceError, match="đã kết thúc"):
        quizzes.start_attempt(user=world.member, quiz=programme.quiz)


def test_a_bank_too_small_for_its_quotas_is_refused(world):
    programme = build_programme(world, publish=False)
    cats = {c.name: c.pk for c in programme.categories.all()}
    with pytest.raises(ServiceError, match="chỉ có 2 câu"):
        quizzes.configure_quiz(
            actor=world.office, programme=programme, time_limit_minutes=10, max_attempts=1,
            pass_mark=50, quotas={cats["Vận dụng"]: 3},
        )  # fmt: skip


def test_question_rules(world):
    programme = build_programme(world, publish=False, quiz=False)
    bad = [
        ("single", "Câu?", [("A", True), ("B", True)], "chỉ có đúng một"),
        ("multiple", "Câu?", [("A", False), ("B", False)], "ít nhất một phương án đúng"),
        ("single", "Câu?", [("A", True)], "ít nhất hai"),
        ("single", "", [("A", True), ("B", False)], "không được để trống"),
    ]
    for kind, text, options, message in bad:
        with pytest.raises(ServiceError, match=message):
            quizzes.add_question(actor=world.office, programme=programme, category="Chung",
                                 kind=kind, text=text, options=options)  # fmt: skip
    with pytest.raises(PermissionDenied):
        quizzes.add_question(actor=world.secretary, programme=programme, category="Chung",
                             kind="single", text="Câu?", options=[("A", True), ("B", False)])  # fmt: skip
    assert not Question.objects.filter(programme=programme).exists()
