"""Meeting statistics rolled up the tree, against a hand-counted fixture; fixed query
counts whatever the number of branches; who may read them (page and API)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay.accounts.services import create_api_token
from sotay.core.testing import make_member
from sotay.meetings import services, stats
from sotay.meetings.models import MeetingKind
from sotay.organizations.models import OrgType

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def held(w, org, start: dt.datetime, present=(), *, close=True, kind=MeetingKind.REGULAR):
    """A meeting of `org` started at `start` (local time) with `present` checked in."""
    runner = w.admin
    meeting = services.schedule_meeting(
        user=runner,
        organization=org,
        topic=f"Sinh hoạt {start:%m/%Y}",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Hội trường",
        kind=kind,
    )
    services.announce_meeting(user=runner, meeting=meeting)
    services.start_meeting(user=runner, meeting=meeting, now=start)
    for user in present:
        services.check_in(user=user, meeting=meeting, now=start)
    if close:
        services.close_meeting(user=runner, meeting=meeting, now=start + dt.timedelta(hours=2))
    return meeting


@pytest.fixture
def counted(world):
    """Hand count for November 2026 (local time):
    B1 (4 summoned: An, Bình, Cường, Lan): 5/11 An+Cường present; 19/11 An present;
        25/11 started but never closed (not held); 10/10 one meeting (October).
    B2 (3 summoned: Dung, Giang, Khánh): 30/11 23:30 Giang+Khánh present; 01/12 00:30
        (December in Hà Nội although 30/11 in UTC).
    B3: no meeting in November.
    """
    w = world
    held(w, w.branch, dt.datetime(2026, 11, 5, 19, 30, tzinfo=VN), [w.member, w.secretary])
    held(w, w.branch, dt.datetime(2026, 11, 19, 19, 30, tzinfo=VN), [w.member],
         kind=MeetingKind.THEMATIC)  # fmt: skip
    held(w, w.branch, dt.datetime(2026, 11, 25, 19, 30, tzinfo=VN), [w.member], close=False)
    held(w, w.branch, dt.datetime(2026, 10, 10, 19, 30, tzinfo=VN), [w.member])
    held(w, w.sibling, dt.datetime(2026, 11, 30, 23, 30, tzinfo=VN), [w.office, w.outsider])
    held(w, w.sibling, dt.datetime(2026, 12, 1, 0, 30, tzinfo=VN), [w.office])
    return w


def test_the_city_total_and_its_children(counted):
    w = counted
    s = stats.meeting_statistics(w.province, 2026, 11)
    t = s.total
    assert (t.branches, t.branches_met, t.branches_not_met, t.meetings) == (3, 2, 1, 3)
    assert (t.present, t.expected, t.attendance_rate) == (5, 11, Decimal("45.45"))
    rows = {r.org.code: r for r in s.children}
    assert list(rows) == ["C1", "C2"]
    c1, c2 = rows["C1"], rows["C2"]
    assert (c1.branches, c1.branches_met, c1.meetings, c1.present, c1.expected) == (2, 2, 3, 5, 11)
    assert (c2.branches, c2.branches_met, c2.meetings, c2.present, c2.expected) == (1, 0, 0, 0, 0)
    assert c2.attendance_rate is None
    assert [b.code for b in s.not_met] == ["B3"] and s.not_met_count == 1


def test_drill_down_to_the_commune_and_a_branch(counted):
    w = counted
    s = stats.meeting_statistics(w.commune, 2026, 11)
    rows = {r.org.code: r for r in s.children}
    assert (rows["B1"].meetings, rows["B1"].present, rows["B1"].expected) == (2, 3, 8)
    assert (rows["B2"].meetings, rows["B2"].present, rows["B2"].expected) == (1, 2, 3)
    assert s.not_met == []
    b1 = stats.meeting_statistics(w.branch, 2026, 11)
    assert b1.children == [] and (b1.total.branches, b1.total.meetings) == (1, 2)


def test_months_follow_local_time(counted):
    w = counted
    months = {r.month: r for r in stats.meeting_statistics(w.province, 2026, 11).months}
    assert (months[10].meetings, months[11].meetings, months[12].meetings) == (1, 3, 1)
    assert months[11].branches_met == 2 and months[12].branches_met == 1
    dec = stats.meeting_statistics(w.province, 2026, 12)
    assert dec.total.meetings == 1 and [b.code for b in dec.not_met] == ["B1", "B3"]


def test_the_query_count_does_not_grow_with_the_tree(counted):
    w = counted
    with CaptureQueriesContext(connection) as small:
        stats.meeting_statistics(w.province, 2026, 11)
    for n in range(12):
        branch = w.commune2.create_child(
            code=f"BX{n}", name=f"Chi bộ thôn {n}", org_type=OrgType.GRASSROOTS_BRANCH
        )
        make_member(branch, f"Đảng viên {n}")
        if n % 2:
            held(w, branch, dt.datetime(2026, 11, 8, 19, 30, tzinfo=VN))
    with CaptureQueriesContext(connection) as large:
        s = stats.meeting_statistics(w.province, 2026, 11)
    assert len(large) == len(small) <= 12
    assert (s.total.branches, s.total.branches_met, s.total.meetings) == (15, 8, 9)


# --- page and API ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,org,status",
    [
        ("province_officer", "province", 200),
        ("commune_officer", "commune", 200),
        ("commune_officer", "province", 404),
        ("secretary", "branch", 200),
        ("secretary", "commune", 404),
        ("member", "branch", 403),
        ("outsider", "branch", 404),
        ("admin", "province", 200),
    ],
)
def test_who_reads_the_statistics_page(counted, login, persona, org, status):
    w = counted
    page = reverse("meetings:stats", args=[getattr(w, org).pk])
    response = login(w.persona(persona)).get(page + "?thang=2026-11")
    assert response.status_code == status


def test_the_page_shows_the_counts_and_links_down(counted, login):
    w = counted
    client = login(w.province_officer)
    response = client.get(reverse("meetings:stats", args=[w.province.pk]) + "?thang=2026-11")
    body = response.content.decode()
    assert "2/3" in body and "45,45 %" in body and "Chi bộ Thôn Đông" in body
    assert reverse("meetings:stats", args=[w.commune.pk]) + "?thang=2026-11" in body


def test_a_bad_month_is_a_clear_message(counted, login):
    w = counted
    response = login(w.province_officer).get(
        reverse("meetings:stats", args=[w.province.pk]) + "?thang=2026-13"
    )
    assert response.status_code == 400
    assert "Tháng không hợp lệ" in response.content.decode()


def test_the_page_query_count_is_fixed(counted, login, django_assert_max_num_queries):
    w = counted
    client = login(w.province_officer)
    page = reverse("meetings:stats", args=[w.province.pk]) + "?thang=2026-11"
    client.get(page)
    with django_assert_max_num_queries(18):
        assert client.get(page).status_code == 200


def _api(client, user, path):
    _, token = create_api_token(user=user, name="t", ip="127.0.0.1")
    return client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_returns_the_same_figures(counted, client):
    w = counted
    response = _api(
        client, w.province_officer, f"/meeting-statistics/{w.province.pk}?month=2026-11"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["total"]["meetings"] == 3 and data["total"]["branches_met"] == 2
    assert data["total"]["attendance_rate"] == 45.45
    assert [c["label"] for c in data["children"]] == [
        "Đảng bộ phường An Hòa",
        "Đảng bộ xã Bình Minh",
    ]
    assert [b["code"] for b in data["not_met"]] == ["B3"]
    assert data["months"][9]["meetings"] == 1


@pytest.mark.parametrize(
    "persona,org,status",
    [("commune_officer", "province", 404), ("member", "branch", 403), ("outsider", "commune", 404)],
)
def test_the_api_refuses_outside_the_scope(counted, client, persona, org, status):
    w = counted
    response = _api(client, w.persona(persona), f"/meeting-statistics/{getattr(w, org).pk}")
    assert response.status_code == status


def test_the_api_refuses_a_bad_month(counted, client):
    w = counted
    response = _api(
        client, w.province_officer, f"/meeting-statistics/{w.province.pk}?month=11-2026"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Tháng không hợp lệ")


def test_attendance_is_counted_once_per_held_meeting(counted):
    from sotay.meetings.models import AttendanceCount, MeetingState

    w = counted
    stats.meeting_statistics(w.province, 2026, 11)
    # Closing a meeting counts it (services.close_meeting); reading the statistics counts
    # any held meeting still missing. November's three held meetings are counted, the one
    # never closed is not.
    counts = {
        c.meeting.started_at.astimezone(VN).day: c
        for c in AttendanceCount.objects.select_related("meeting")
        if c.meeting.started_at.astimezone(VN).month == 11
    }
    assert sorted(counts) == [5, 19, 30]
    assert (counts[5].present, counts[5].expected) == (2, 4)
    assert not AttendanceCount.objects.filter(meeting__state=MeetingState.IN_PROGRESS).exists()
    before = AttendanceCount.objects.count()
    with CaptureQueriesContext(connection) as again:
        stats.meeting_statistics(w.province, 2026, 11)
    assert AttendanceCount.objects.count() == before
    assert any(q["sql"].lstrip().startswith("INSERT") for q in again.captured_queries)


def test_closing_a_meeting_counts_its_attendance_at_once(meeting_world):
    from sotay.meetings import services
    from sotay.meetings.models import AttendanceCount

    w = meeting_world
    services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now)
    services.check_in(user=w.member, meeting=w.meeting, now=w.now)
    assert not AttendanceCount.objects.filter(meeting=w.meeting).exists()
    services.close_meeting(user=w.secretary, meeting=w.meeting, now=w.now + dt.timedelta(hours=2))
    count = AttendanceCount.objects.get(meeting=w.meeting)
    assert count.present == 1 and count.expected >= 1
