"""Loading a meeting named by user input. Missing and out-of-scope both answer 404."""

from django.http import Http404

from sotay.meetings.models import Meeting, Motion
from sotay.meetings.queries import meetings_visible_to


def get_meeting_for_user(user, pk) -> Meeting:
    try:
        return meetings_visible_to(user).get(pk=int(pk))
    except (Meeting.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy cuộc họp.") from None


def get_motion_for_user(user, meeting_pk, pk) -> Motion:
    meeting = get_meeting_for_user(user, meeting_pk)
    try:
        motion = meeting.motions.get(pk=int(pk))
    except (Motion.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy nội dung biểu quyết.") from None
    motion.meeting = meeting
    return motion
