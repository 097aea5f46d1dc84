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


ALL_PERSONAS = ["member", "probationary", "secretary", "commune_officer", "province_officer",
                "office", "inspector", "outsider", "pending", "admin"]  # fmt: skip


def test_may_see_equals_the_query_for_every_persona_and_meeting(world):
    """`get_meeting_for_user` decides in memory with `may_see`; it must agree with
    `meetings_visible_to` everywhere: drafts, committee meetings (seat holders only),
    another branch's meeting, a roster line outside one's branch, a liaison, and ended
    liaisons and seats."""
    from sotay.accounts.models import User
    from sotay.meetings.models import Liaison, Meeting, RosterEntry
    from sotay.meetings.queries import may_see
    from sotay.organizations.models import Seat

    w = world
    now = timezone.now()
    draft = _draft(w)
    regular = _draft(w)
    services.announce_meeting(user=w.secretary, meeting=regular)
    committee = _draft(w, kind=MeetingKind.COMMITTEE)
    services.announce_meeting(user=w.secretary, meeting=committee)
    running = services.schedule_meeting(
        user=w.secretary, organization=w.branch, topic="Đang họp", starts_at=now,
        ends_at=now + dt.timedelta(hours=2), place="Hội trường",
    )  # fmt: skip
    services.announce_meeting(user=w.secretary, meeting=running)
    services.start_meeting(user=w.secretary, meeting=running)
    meetings = [draft, regular, committee, running]
    # a roster line naming the outsider on a branch-1 draft (a guest summoned there)
    guest_draft = _draft(w)
    line = RosterEntry.objects.filter(meeting=running).first()
    line.pk, line.meeting, line.member = None, guest_draft, w.outsider.member
    line.save()
    meetings.append(guest_draft)
    # the inspector's member follows branch 1; the outsider's liaison has ended
    today = timezone.localdate()
    Liaison.objects.create(organization=w.branch, member=w.inspector.member, starts_on=today)
    Liaison.objects.create(
        organization=w.branch, member=w.outsider.member,
        starts_on=today - dt.timedelta(days=30), ends_on=today,
    )  # fmt: skip
    # an ended seat: the member no longer sits on the branch committee
    Seat.objects.filter(member=w.member.member).update(ends_on=today)
    pks = [m.pk for m in meetings]
    meetings = list(Meeting.objects.select_related("organization").filter(pk__in=pks))
    assert len({m.state for m in meetings}) == 3
    seen = {}
    for persona in ALL_PERSONAS:
        for meeting in meetings:
            user = User.objects.get(pk=w.persona(persona).pk)
            expected = meetings_visible_to(user).filter(pk=meeting.pk).exists()
            fresh = User.objects.get(pk=user.pk)  # nothing kept on the object from the query
            assert may_see(fresh, meeting) is expected, (persona, meeting.topic, meeting.state)
            seen[persona, meeting.pk] = expected
    # the matrix holds both answers where it matters
    assert seen["outsider", guest_draft.pk] and not seen["outsider", regular.pk]
    assert seen["member", regular.pk] and not seen["member", committee.pk]
    assert seen["secretary", committee.pk] and not seen["member", draft.pk]
    assert not any(seen["pending", m.pk] for m in meetings)
