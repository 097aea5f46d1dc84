"""A member's standing in a programme (`ProgrammeProgress`), recomputed from the
underlying rows after each event. Reports count these rows; nothing else writes them.

Completion (the programme's rule): every lesson finished — or the secretary recorded
that the member studied at the branch session — and the quiz passed when the
programme has one; or a reflection accepted by the secretary.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from sotay.learning.models import (
    Attempt,
    Grading,
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


def refresh(programme: Programme, member, quiz=None) -> ProgrammeProgress:
    """Recompute and store the member's standing in `programme` (eight statements)."""
    from sotay.learning.models import Lesson, Quiz

    mine = Q(progress__member_id=member.pk)
    lessons = Lesson.objects.filter(programme=programme).aggregate(
        total=Count("pk", distinct=True),
        done=Count("progress", filter=mine & Q(progress__finished_at__isnull=False)),
        first=Min("progress__opened_at", filter=mine),
    )
    total, done, first_opened = lessons["total"], lessons["done"], lessons["first"]
    offline = OfflineStudy.objects.filter(programme=programme, member_id=member.pk).first()
    if quiz is None:
        quiz = Quiz.objects.filter(programme=programme).first()
    attempts = []
    if quiz is not None:
        attempts = list(
            Attempt.objects.filter(quiz=quiz, member_id=member.pk).values_list(
                "started_at", "submitted_at", "score"
            )
        )
    dated = [(at, score) for _, at, score in attempts if at is not None and score is not None]
    if offline is not None and offline.paper_score is not None:
        dated.append((offline.recorded_at, offline.paper_score))
    scores = [score for _, score in sorted(dated, key=lambda pair: pair[0])]
    score = graded_score(scores, quiz.grading if quiz else Grading.HIGHEST)
    passed = quiz is not None and score is not None and score >= quiz.pass_mark
    reflection = (
        Reflection.objects.filter(programme=programme, member_id=member.pk)
        .only("state", "submitted_at")
        .first()
    )
    accepted = reflection is not None and reflection.state == ReflectionState.ACCEPTED
    first_attempt = min((started for started, _, _ in attempts), default=None)
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
    values = {
        "org_path": member.org_path,
        "status": status,
        "lessons_done": min(done, 32767),
        "quiz_score": score,
        "quiz_passed": passed,
        "reflection_accepted": accepted,
        "paper": offline is not None,
        "started_at": started_at,
    }
    standing = ProgrammeProgress.objects.filter(programme=programme, member_id=member.pk).first()
    if standing is None:
        standing = ProgrammeProgress(programme=programme, member_id=member.pk)
    values["completed_at"] = (standing.completed_at or timezone.now()) if completed else None
    for name, value in values.items():
        setattr(standing, name, value)
    if standing.pk:
        standing.save(update_fields=list(values))
    else:
        try:
            with transaction.atomic():
                standing.save()
        except IntegrityError:  # a concurrent first event of the same member
            ProgrammeProgress.objects.filter(programme=programme, member_id=member.pk).update(
                **values
            )
    from sotay.learning.queries import forget_home

    forget_home(member.pk)
    return standing


def attempts_used(quiz, member) -> int:
    return Attempt.objects.filter(quiz=quiz, member_id=member.pk).count()


def last_number(quiz, member) -> int:
    return (
        Attempt.objects.filter(quiz=quiz, member_id=member.pk).aggregate(n=Max("number"))["n"] or 0
    )
