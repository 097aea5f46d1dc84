"""Demo meetings for `seed_demo`, written through the services as a branch would: in the
demo's first branch (Chi bộ Tổ dân phố số 1, Hoàn Kiếm), last month's regular meeting was
held on the 5th — roster, attendance (a few absent, one with an accepted reason), an open vote on
the month's resolution, remarks, conclusions, minutes drafted and approved — and the
next one, in five days, is announced with its agenda, so `make run` shows every step.

`seed_meetings()` is idempotent: nothing is done when the branch already has a meeting,
or when the demo tree or its secretary is missing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sotay.meetings import minutes, services
from sotay.meetings.models import AttendanceStatus, Meeting, RosterEntry
from sotay.members.models import MemberStatus
from sotay.organizations.models import Organization, Position, Seat

BRANCH = "HN.HK.CB1"
T = dt.timedelta


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def seed_meetings() -> int:
    """Add the demo meetings a database lacks; returns how many were added."""
    branch = Organization.objects.filter(code=BRANCH).first()
    seat = (
        Seat.objects.filter(organization=branch, position=Position.SECRETARY)
        .select_related("member__account")
        .first()
        if branch
        else None
    )
    secretary = getattr(seat.member, "account", None) if seat else None
    if secretary is None or Meeting.objects.filter(organization=branch).exists():
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        _held(branch, secretary, (today.replace(day=1) - T(days=1)).replace(day=5))
        _announced(branch, secretary, today + T(days=5))
    return 2


def _held(branch, secretary, day: dt.date) -> Meeting:
    start = _at(day, 19, 30)
    members = list(
        branch.members.filter(status__in=[MemberStatus.FULL, MemberStatus.PROBATIONARY])
        .exclude(pk=secretary.member_id)
        .order_by("pk")
    )
    clerk = next((m for m in members if m.status == MemberStatus.FULL), None)
    meeting = services.schedule_meeting(
        user=secretary,
        organization=branch,
        topic=f"Sinh hoạt chi bộ thường kỳ tháng {day.month}/{day.year}",
        starts_at=start,
        ends_at=start + T(minutes=120),
        place="Nhà văn hóa tổ dân phố số 1",
        chair=secretary.member,
        secretary=clerk,
        agenda=[
            ("Đánh giá kết quả thực hiện nghị quyết tháng trước", secretary.member),
            ("Thông tin thời sự, phổ biến văn bản mới", clerk),
            ("Bàn nhiệm vụ tháng tới", None),
        ],
    )
    services.announce_meeting(user=secretary, meeting=meeting)
    services.start_meeting(user=secretary, meeting=meeting, now=start)
    meeting.refresh_from_db()
    entries = {e.member_id: e for e in RosterEntry.objects.filter(meeting=meeting)}
    absent = members[-3:]
    for member in members:
        entry = entries.get(member.pk)
        if entry is None:
            continue
        if member in absent:
            reason = "Đi công tác xa" if member is absent[0] else ""
            services.mark_attendance(
                user=secretary, entry=entry, status=AttendanceStatus.ABSENT, reason=reason
            )
            if reason:
                services.decide_reason(user=secretary, entry=entry, accepted=True)
        else:
            services.mark_attendance(
                user=secretary, entry=entry, status=AttendanceStatus.PRESENT, now=start
            )
    services.mark_attendance(
        user=secretary,
        entry=entries[secretary.member_id],
        status=AttendanceStatus.PRESENT,
        now=start,
    )
    motion = services.open_motion(
        user=secretary,
        meeting=meeting,
        title=f"Thông qua nghị quyết chi bộ tháng {day.month}/{day.year}",
    )
    voters = [m for m in members if m not in absent and m.status == MemberStatus.FULL]
    for i, member in enumerate([secretary.member, *voters]):
        services.record_show_of_hands(
            user=secretary, motion=motion, member=member, choices=[1] if i == 4 else [0]
        )
    services.close_motion(user=secretary, motion=motion)
    agenda = list(meeting.agenda.order_by("position"))
    notes_by = secretary
    minutes.add_remark(
        user=notes_by,
        meeting=meeting,
        speaker=secretary.member,
        agenda_item=agenda[0],
        text="Chi bộ hoàn thành các chỉ tiêu tháng; cần quan tâm hơn đến hộ khó khăn ở ngõ 12.",
    )
    if clerk:
        minutes.add_remark(
            user=notes_by,
            meeting=meeting,
            speaker=clerk,
            agenda_item=agenda[2],
            text="Đề nghị mỗi đảng viên đăng ký một việc làm cụ thể trong tháng.",
        )
    minutes.add_conclusion(
        user=notes_by,
        meeting=meeting,
        text="Tổ chức thăm hỏi hộ khó khăn trước ngày 20; vận động nộp đảng phí đầy đủ.",
    )
    services.close_meeting(user=secretary, meeting=meeting, now=start + T(minutes=115))
    meeting.refresh_from_db()
    draft = minutes.draft_minutes(user=secretary, meeting=meeting)
    minutes.approve_minutes(user=secretary, minutes=draft)
    return meeting


def _announced(branch, secretary, day: dt.date) -> Meeting:
    start = _at(day, 19, 30)
    meeting = services.schedule_meeting(
        user=secretary,
        organization=branch,
        topic=f"Sinh hoạt chi bộ thường kỳ tháng {day.month}/{day.year}",
        starts_at=start,
        ends_at=start + T(minutes=120),
        place="Nhà văn hóa tổ dân phố số 1",
        chair=secretary.member,
        agenda=[
            ("Kiểm điểm việc thực hiện nghị quyết tháng trước", secretary.member),
            ("Học tập chuyên đề chuyển đổi số", None),
            ("Biểu quyết nghị quyết tháng", None),
        ],
    )
    services.announce_meeting(user=secretary, meeting=meeting)
    return meeting
