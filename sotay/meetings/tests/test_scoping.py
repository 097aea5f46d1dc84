"""Who sees which meeting: scoped at the source, 404 outside."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from sotay.meetings import services
from sotay.meetings.access import get_meeting_for_user
from sotay.meetings.models import MeetingKind
from sotay.meetings.queries import meetings_visible_to


def _draft(w, kind=MeetingKind.REGULAR):
    now = timezone.now()
    return services.schedule_meeting(
        user=w.secretary, organization=w.branch, topic="Họp chi bộ", kind=kind,
        starts_at=now + dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1, hours=2),
        place="Hội trường",
    )  # fmt: skip


SEES_ANNOUNCED = {
    "member",
    "probationary",
    "secretary",
    "commune_officer",
    "province_officer",
    "office",
    "inspector",
    "admin",
}
SEES_DRAFT = {"secretary", "admin"}


@pytest.mark.parametrize(
    "persona",
    ["member", "probationary", "secretary", "commune_officer", "province_officer", "office",
     "inspector", "outsider", "pending", "admin"],
)  # fmt: skip
def test_visibility_by_persona(world, persona):
    w = world
    meeting = _draft(w)
    user = w.persona(persona)
    assert meetings_visible_to(user).filter(pk=meeting.pk).exists() is (persona in SEES_DRAFT)
    services.announce_meeting(user=w.secretary, meeting=meeting)
    visible = meetings_visible_to(user).filter(pk=meeting.pk).exists()
    assert visible is (persona in SEES_ANNOUNCED)
    if not visible:
        with pytest.raises(Http404):
            get_meeting_for_user(user, meeting.pk)


def test_committee_meetings_are_hidden_from_plain_members(world):
    w = world
    meeting = _draft(w, kind=MeetingKind.COMMITTEE)
    services.announce_meeting(user=w.secretary, meeting=meeting)
    assert not meetings_visible_to(w.member).filter(pk=meeting.pk).exists()
    assert meetings_visible_to(w.secretary).filter(pk=meeting.pk).exists()


def test_bad_ids_answer_404(world):
    for pk in ("abc", None, 999999):
        with pytest.raises(Http404):
            get_meeting_for_user(world.member, pk)
