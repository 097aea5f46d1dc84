import datetime as dt

import pytest
from django.utils import timezone

from sotay.core.testing import make_member, make_user
from sotay.meetings import services
from sotay.members.models import MemberStatus


@pytest.fixture
def meeting_world(world):
    """The test world's branch B1 plus an exempt member, a member temporarily
    transferred out to B3 and one from B2 temporarily attached to B1; a meeting of B1
    scheduled to start in ten minutes and announced."""
    w = world
    w.exempt = make_user(make_member(w.branch, "Ngô Văn Phúc", status=MemberStatus.EXEMPT))
    w.away = make_user(make_member(w.branch, "Lý Thị Quế", temp_organization=w.branch3))
    w.guest = make_user(make_member(w.sibling, "Mai Văn Sơn", temp_organization=w.branch))
    w.now = timezone.now().replace(microsecond=0)
    w.meeting = services.schedule_meeting(
        user=w.secretary,
        organization=w.branch,
        topic="Sinh hoạt chi bộ thường kỳ tháng 11",
        starts_at=w.now + dt.timedelta(minutes=10),
        ends_at=w.now + dt.timedelta(minutes=130),
        place="Nhà văn hóa khu phố 1",
        chair=w.secretary.member,
        secretary=w.member.member,
        agenda=[("Đánh giá công tác tháng", w.secretary.member), ("Triển khai nhiệm vụ", None)],
    )
    services.announce_meeting(user=w.secretary, meeting=w.meeting)
    return w


@pytest.fixture
def started(meeting_world):
    w = meeting_world
    services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now)
    w.meeting.refresh_from_db()
    return w
