"""A member's standing in a programme (`ProgrammeProgress`), recomputed from the
underlying rows after each event. Reports count these rows; nothing else writes them.

Completion (the programme's rule): every lesson finished — or the secretary recorded
that the member studied at the branch session — and the quiz passed when the
programme has one; or a reflection accepted by the secretary.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min
from django.utils import timezone

from sotay.learning.models import (
    Attempt,
    Grading,
    LessonProgress,
    OfflineStudy,
    Programme,
    ProgrammeProgress,
    ProgressStatus,
    Reflection,
    ReflectionState,
)

ONE_DECIMAL = Decimal("0.1")


def graded_score(scores: list[Decimal], grading: str) -> Decimal | None:
    """The quiz result of a member's graded attempts (oldest first) by the grading
    method: the highest, the last, or the average (rounded half up to 0.1)."""
    if not scores:
        return None
    if grading == Grading.LAST:
        return scores[-1]
    if grading == Grading.AVERAGE:
        return (sum(scores) / len(scores)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return max(scores)


def quiz_scores(programme: Programme, member) -> list[Decimal]:
    """Graded attempt scores, oldest first, a paper score counted as one more attempt
    at the time it was recorded."""
    quiz = getattr(programme, "quiz", None)
    dated = []
    if quiz is not None:
        dated = [
            (at, score)
            for at, score in Attempt.objects.filter(
                quiz=quiz, member_id=member.pk, submitted_at__isnull=False, score__isnull=False
            ).values_list("submitted_at", "score")
        ]
    offline = OfflineStudy.objects.filter(programme=programme, member_id=member.pk).first()
    if offline is not None and offline.paper_score is not None:
        dated.append((offline.recorded_at, offline.paper_score))
    return [score for _, score in sorted(dated, key=lambda pair: pair[0])]


def refresh(programme: Programme, member) -> ProgrammeProgress:
    """Recompute and store the member's standing in `programme`."""
    from sotay.learning.models import Quiz

    total = programme.lessons.count()
    lessons = LessonProgress.objects.filter(lesson__programme=programme, member_id=member.pk)
    done = lessons.filter(finished_at__isnull=False).count()
    first_opened = lessons.aggregate(first=Min("opened_at"))["first"]
    offline = OfflineStudy.objects.filter(programme=programme, member_id=member.pk).first()
    quiz = Quiz.objects.filter(programme=programme).first()
    scores = quiz_scores(programme, member)
    score = graded_score(scores, quiz.grading if quiz else Grading.HIGHEST)
    passed = quiz is not None and score is not None and score >= quiz.pass_mark
    reflection = Reflection.objects.filter(programme=programme, member_id=member.pk).first()
    accepted = reflection is not None and reflection.state == ReflectionState.ACCEPTED
    first_attempt = None
    if quiz is not None:
        first_attempt = Attempt.objects.filter(quiz=quiz, member_id=member.pk).aggregate(
            first=Min("started_at")
        )["first"]
    lessons_complete = done >= total or offline is not None
    completed = accepted or (lessons_complete and (quiz is None or passed))
    starts = [t for t in (first_opened, first_attempt) if t is not None]
    if reflection is not None:
        starts.append(reflection.submitted_at)
    if offline is not None:
        starts.append(offline.recorded_at)
    started_at = min(starts) if starts else None
    status = (
        ProgressStatus.COMPLETED
        if completed
        else ProgressStatus.IN_PROGRESS
        if started_at
        else ProgressStatus.NOT_STARTED
    )
    existing = ProgrammeProgress.objects.filter(programme=programme, member_id=member.pk).first()
    completed_at = None
    if completed:
        completed_at = (existing.completed_at if existing else None) or timezone.now()
    values = {
        "org_path": member.org_path,
        "status": status,
        "lessons_done": min(done, 32767),
        "quiz_score": score,
        "quiz_passed": passed,
        "reflection_accepted": accepted,
        "paper": offline is not None,
        "started_at": started_at,
        "completed_at": completed_at,
    }
    standing, _ = ProgrammeProgress.objects.update_or_create(
        programme=programme, member_id=member.pk, defaults=values
    )
    return standing


def attempts_used(quiz, member) -> int:
    return Attempt.objects.filter(quiz=quiz, member_id=member.pk).count()


def last_number(quiz, member) -> int:
    return (
        Attempt.objects.filter(quiz=quiz, member_id=member.pk).aggregate(n=Max("number"))["n"] or 0
    )
