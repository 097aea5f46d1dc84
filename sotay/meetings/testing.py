"""Meetings for tests: written through the services, as a branch secretary would."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sotay.meetings import services
from sotay.meetings.models import Meeting


def meetings_for_matrix(world) -> dict[str, Meeting]:
    """Branch B1's announced meeting (in ten minutes) and a draft (next month), neither
    naming a chair or meeting secretary, so only the branch secretary runs them."""
    now = timezone.now().replace(microsecond=0)
    announced = services.schedule_meeting(
        user=world.secretary,
        organization=world.branch,
        topic="Sinh hoạt chi bộ thường kỳ",
        starts_at=now + dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(minutes=130),
        place="Nhà văn hóa khu phố 1",
    )
    services.announce_meeting(user=world.secretary, meeting=announced)
    draft = services.schedule_meeting(
        user=world.secretary,
        organization=world.branch,
        topic="Dự thảo lịch họp tháng sau",
        starts_at=now + dt.timedelta(days=30),
        ends_at=now + dt.timedelta(days=30, minutes=120),
        place="Nhà văn hóa khu phố 1",
    )
    return {"meeting_announced": announced, "meeting_draft": draft}
