"""Loading minutes named by user input. Missing and out of scope answer 404: a reader
who may see the meeting (its members, the superior committee) reads approved versions
only; drafts exist only for those who write the minutes."""

from __future__ import annotations

from django.http import Http404

from sotay.meetings.models import Meeting, Minutes, MinutesState
from sotay.meetings.services import may_run


def minutes_readable_by(user, meeting: Meeting):
    qs = Minutes.objects.filter(meeting=meeting)
    if may_run(user, meeting):
        return qs
    return qs.filter(state=MinutesState.APPROVED)


def get_minutes_for_user(user, meeting: Meeting, version) -> Minutes:
    try:
        minutes = minutes_readable_by(user, meeting).get(version=int(version))
    except (Minutes.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy biên bản.") from None
    minutes.meeting = meeting
    return minutes
