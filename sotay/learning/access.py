"""Loading learning objects named by user input. Missing and out-of-scope both answer
404; an attempt or reflection of another member is missing to everyone else."""

from __future__ import annotations

from django.http import Http404

from sotay.accounts.permissions import MEETINGS_MANAGE, can
from sotay.learning.models import Attempt, Lesson, Programme, Reflection
from sotay.learning.queries import programmes_visible_to
from sotay.members.models import Member


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Không tìm thấy.") from None


def get_programme_for_user(user, pk) -> Programme:
    try:
        return programmes_visible_to(user).get(pk=_int(pk))
    except Programme.DoesNotExist:
        raise Http404("Không tìm thấy chuyên đề.") from None


def get_lesson_for_user(user, programme_pk, pk) -> Lesson:
    programme = get_programme_for_user(user, programme_pk)
    try:
        lesson = programme.lessons.get(pk=_int(pk))
    except Lesson.DoesNotExist:
        raise Http404("Không tìm thấy bài học.") from None
    lesson.programme = programme
    return lesson


def get_attempt_for_user(user, pk) -> Attempt:
    """The user's own attempt; anyone else's answers 404, whoever asks."""
    if not user.member_id:
        raise Http404("Không tìm thấy lượt làm bài.")
    try:
        attempt = Attempt.objects.select_related("quiz__programme").get(
            pk=_int(pk), member_id=user.member_id
        )
    except Attempt.DoesNotExist:
        raise Http404("Không tìm thấy lượt làm bài.") from None
    # Still visible to the member (a withdrawn scope hides it).
    get_programme_for_user(user, attempt.quiz.programme_id)
    return attempt


def get_reviewed_member(user, programme: Programme, member_pk) -> Member:
    """A member of the programme's audience whom `user` may review (the branch
    secretary: meetings.manage on the member's organisation)."""
    try:
        member = Member.objects.select_related("organization").get(pk=_int(member_pk))
    except Member.DoesNotExist:
        raise Http404("Không tìm thấy đảng viên.") from None
    if not member.org_path.startswith(programme.path) or not can(
        user, MEETINGS_MANAGE, member.organization
    ):
        raise Http404("Không tìm thấy đảng viên.")
    return member


def get_reflection_for_reviewer(user, programme: Programme, pk) -> Reflection:
    try:
        reflection = programme.reflections.select_related("member__organization").get(pk=_int(pk))
    except Reflection.DoesNotExist:
        raise Http404("Không tìm thấy bài thu hoạch.") from None
    if not can(user, MEETINGS_MANAGE, reflection.member.organization):
        raise Http404("Không tìm thấy bài thu hoạch.")
    return reflection


def get_own_reflection_file(user, programme: Programme) -> Reflection:
    if not user.member_id:
        raise Http404("Không tìm thấy bài thu hoạch.")
    reflection = programme.reflections.filter(member_id=user.member_id).first()
    if reflection is None or not reflection.file:
        raise Http404("Không tìm thấy bài thu hoạch.")
    return reflection
