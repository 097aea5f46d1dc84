from io import StringIO

import pytest
from django.core.management import call_command

from sotay.accounts.models import AccountStatus, User
from sotay.accounts.permissions import ACCOUNTS_MANAGE, AUDIT_VIEW, MEMBERS_VIEW, ORG_MANAGE, can
from sotay.members.models import Member
from sotay.organizations.models import BRANCH_TYPES, Organization

pytestmark = pytest.mark.django_db


def test_demo_data_has_the_promised_shape_and_a_login_per_role():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert 950 <= Member.objects.count() <= 1100
    assert 28 <= Organization.objects.filter(org_type__in=BRANCH_TYPES).count() <= 32
    text = out.getvalue()
    for label in (
        "Bí thư chi bộ",
        "Cán bộ Đảng ủy phường",
        "Cán bộ Thành ủy",
        "Ủy ban Kiểm tra",
        "Đảng viên dự bị",
        "Đăng ký chờ duyệt",
    ):
        assert label in text
    logins = dict(
        line.strip().rsplit(None, 1)[::-1]
        for line in text.splitlines()[3:]
        if line.startswith("  ")
    )
    user = {label: User.objects.get(username=username) for username, label in logins.items()}
    branch = user["Bí thư chi bộ"].member.organization
    assert can(user["Bí thư chi bộ"], ACCOUNTS_MANAGE, branch)
    assert can(user["Cán bộ Thành ủy"], MEMBERS_VIEW, Organization.objects.get(code="HN.DA"))
    assert can(user["Ủy ban Kiểm tra"], AUDIT_VIEW, branch)
    assert can(user["Ban Tổ chức (văn phòng)"], ORG_MANAGE, branch)
    assert user["Đăng ký chờ duyệt"].status == AccountStatus.PENDING
    assert user["Quản trị hệ thống"].check_password("Demo@2026")
    # A second run changes nothing.
    before = (Member.objects.count(), Organization.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Member.objects.count(), Organization.objects.count(), User.objects.count()) == before


def test_demo_documents_reach_the_feed_once_however_often_the_seed_runs():
    from sotay.documents.models import Document, DocumentLink, RequiredReading
    from sotay.news import feed
    from sotay.organizations.models import Seat

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert Document.objects.filter(symbol="57-NQ/TW").count() == 1
    assert DocumentLink.objects.filter(target__symbol="57-NQ/TW").exists()
    assert RequiredReading.objects.count() == 1
    # A plain member of a Hoàn Kiếm branch: the ward's required plan on top, the city's
    # and the ward's documents below, the committee-only guidance nowhere.
    member = (
        User.objects.filter(
            member__organization__path__startswith=Organization.objects.get(code="HN.HK").path,
            member__status="chinh_thuc",
            status=AccountStatus.ACTIVE,
        )
        .exclude(role_grants__isnull=False)
        .exclude(member_id__in=Seat.objects.values("member_id"))
        .first()
    )
    head, items, _ = feed.first_page(member)
    titles = [i.title for i in head + items]
    assert any("45-KH/ĐU" in d.symbol for d in Document.objects.filter(title=head[-1].title))
    assert any("57-NQ/TW" in t for t in titles)
    assert not any("chỉ dành cho cấp ủy" in t for t in titles)


def test_demo_meetings_show_a_held_meeting_with_minutes_and_the_next_announced():
    from sotay.meetings.models import Meeting, MeetingState, MotionResult

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # a second run adds nothing
    held, upcoming = Meeting.objects.order_by("starts_at")
    assert Meeting.objects.count() == 2
    assert (
        held.state == MeetingState.MINUTES_APPROVED
        and held.minutes.filter(approved_at__isnull=False).exists()
    )
    motion = held.motions.get()
    assert motion.result == MotionResult.PASSED
    assert held.roster.count() >= 25
    assert upcoming.state == MeetingState.ANNOUNCED and upcoming.agenda.count() == 3
    secretary = User.objects.get(username="0910000001")
    assert secretary.member.organization_id == held.organization_id
