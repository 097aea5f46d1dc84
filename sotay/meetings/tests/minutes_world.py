"""A meeting that was run and closed, built with the services, for the minutes tests
and the minutes e2e test (hand-checked figures in test_minutes.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sotay.core.testing import make_member, make_user
from sotay.meetings import minutes, services
from sotay.meetings.models import AttendanceStatus, Ballot, MotionKind, RosterEntry
from sotay.members.models import MemberStatus

T = dt.timedelta


def entry_of(w, user) -> RosterEntry:
    return RosterEntry.objects.get(meeting=w.meeting, member=user.member)


def schedule_fixture_meeting(w):
    """What the `meeting_world` fixture of the meetings tests builds, for callers outside
    that package (the e2e test): B1's extra members and an announced meeting starting in
    ten minutes, the branch secretary in the chair, the plain member as secretary."""
    w.exempt = make_user(make_member(w.branch, "Ngô Văn Phúc", status=MemberStatus.EXEMPT))
    w.away = make_user(make_member(w.branch, "Lý Thị Quế", temp_organization=w.branch3))
    w.guest = make_user(make_member(w.sibling, "Mai Văn Sơn", temp_organization=w.branch))
    w.now = timezone.now().replace(microsecond=0)
    w.meeting = services.schedule_meeting(
        user=w.secretary,
        organization=w.branch,
        topic="Sinh hoạt chi bộ thường kỳ tháng 11",
        starts_at=w.now + T(minutes=10),
        ends_at=w.now + T(minutes=130),
        place="Nhà văn hóa khu phố 1",
        chair=w.secretary.member,
        secretary=w.member.member,
        agenda=[("Đánh giá công tác tháng", w.secretary.member), ("Triển khai nhiệm vụ", None)],
    )
    services.announce_meeting(user=w.secretary, meeting=w.meeting)
    return w


def build_minutes_world(w, *, notes: bool = True):
    """On top of the `meeting_world` fixture (B1 with an exempt member, one transferred
    out, one temporarily attached): one more full member who stays away without a reason,
    the branch secretary in the chair, the plain member as meeting secretary. The meeting
    is started, attended, two motions voted (one open, one secret), remarks and
    conclusions typed (unless `notes=False`) and the meeting closed.

    Roster (8): full An, Cường, Lan, Tú · probationary Bình · exempt Phúc · transferred
    out Quế · temporarily attached Sơn. Present: An, Cường, Bình; Sơn late. Absent: Lan
    (ốm, reason accepted), Phúc, Quế, Tú (no reason)."""
    w.absentee = make_user(make_member(w.branch, "Đinh Văn Tú", status=MemberStatus.FULL))
    services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now)
    w.meeting.refresh_from_db()
    for u in (w.member, w.probationary, w.secretary):
        services.check_in(user=u, meeting=w.meeting, now=w.now)
    services.check_in(user=w.guest, meeting=w.meeting, now=w.now + T(minutes=40))
    services.mark_attendance(
        user=w.secretary,
        entry=entry_of(w, w.pending),
        status=AttendanceStatus.ABSENT,
        reason="Ốm, nằm viện",
    )
    services.decide_reason(user=w.secretary, entry=entry_of(w, w.pending), accepted=True)
    open_vote = services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Nghị quyết lãnh đạo nhiệm vụ tháng 12"
    )
    services.cast_vote(user=w.member, motion=open_vote, choices=[0])
    services.cast_vote(user=w.secretary, motion=open_vote, choices=[0])
    services.close_motion(user=w.secretary, motion=open_vote)
    secret = services.open_motion(
        user=w.secretary,
        meeting=w.meeting,
        title="Bầu tổ trưởng tổ đảng",
        kind=MotionKind.PERSONNEL,
        options=["Nguyễn Văn An", "Lê Đức Cường"],
        ballot=Ballot.SECRET,
    )
    services.cast_vote(user=w.member, motion=secret, choices=[1])
    services.cast_vote(user=w.secretary, motion=secret, choices=[1])
    services.close_motion(user=w.secretary, motion=secret)
    w.agenda = list(w.meeting.agenda.order_by("position"))
    if notes:
        add_notes(w)
    services.close_meeting(user=w.secretary, meeting=w.meeting, now=w.now + T(minutes=125))
    w.meeting.refresh_from_db()
    return w


def add_notes(w) -> None:
    minutes.add_guest(
        user=w.member,
        meeting=w.meeting,
        full_name="Phạm Thị Dung",
        position="Đảng ủy viên phường An Hòa, phụ trách chi bộ",
    )
    minutes.add_remark(
        user=w.member,
        meeting=w.meeting,
        speaker=w.member.member,
        agenda_item=w.agenda[0],
        text="Đề nghị tăng cường kiểm tra việc thực hiện nghị quyết ở tổ dân phố.",
    )
    minutes.add_remark(
        user=w.member,
        meeting=w.meeting,
        speaker_name="Phạm Thị Dung",
        agenda_item=w.agenda[1],
        text="Chi bộ cần chuẩn bị kỹ việc tổng kết cuối năm.",
    )
    minutes.add_conclusion(
        user=w.member,
        meeting=w.meeting,
        text="Hoàn thành việc rà soát hộ nghèo trước ngày 20 tháng 12.",
    )
    minutes.add_conclusion(
        user=w.member,
        meeting=w.meeting,
        text="Phân công đồng chí Nguyễn Văn An theo dõi việc vệ sinh môi trường.",
    )
