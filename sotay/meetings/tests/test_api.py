"""The meetings API: every endpoint with who may and who may not, and the abuse cases
of the issue, through the same services as the pages."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sotay.accounts.services import create_api_token
from sotay.core.testing import PERSONAS
from sotay.documents.testing import make_document, pdf_bytes
from sotay.meetings import services
from sotay.meetings.models import (
    AgendaItem,
    Attendance,
    DraftComment,
    Liaison,
    Material,
    Meeting,
    MeetingState,
    Motion,
    RosterEntry,
    Vote,
    VoterMark,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"
T = dt.timedelta


@pytest.fixture
def call(client):
    tokens = {}

    def _call(user, method, path, data=None, **extra):
        headers = {}
        if user is not None:
            if user.pk not in tokens:
                tokens[user.pk] = create_api_token(user=user, name="t", ip="127.0.0.1")[1]
            headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
        send = getattr(client, method.lower())
        if method in ("POST", "PUT") and data is not None and not extra.get("multipart"):
            return send(
                f"{API}{path}",
                json.dumps(data, default=str),
                content_type="application/json",
                **headers,
            )
        if extra.get("multipart"):
            return send(f"{API}{path}", data, **headers)
        return send(f"{API}{path}", **headers)

    return _call


@pytest.fixture
def m(world, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    w = world
    now = timezone.now().replace(microsecond=0)
    w.meeting = services.schedule_meeting(
        user=w.secretary, organization=w.branch, topic="Họp tháng 12",
        starts_at=now + T(minutes=10), ends_at=now + T(minutes=130), place="Nhà văn hóa",
    )  # fmt: skip
    services.announce_meeting(user=w.secretary, meeting=w.meeting)
    w.draft = services.schedule_meeting(
        user=w.secretary, organization=w.branch, topic="Dự thảo",
        starts_at=now + T(days=5), ends_at=now + T(days=5, hours=2), place="X",
    )  # fmt: skip
    return w


def started(w):
    services.start_meeting(user=w.secretary, meeting=w.meeting)
    return w.meeting


SEES = {"member", "probationary", "secretary", "commune_officer", "province_officer", "office",
        "inspector", "admin"}  # fmt: skip


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "pending"])
def test_list_and_detail_follow_scope(m, call, persona):
    user = m.persona(persona)
    listed = call(user, "GET", "/meetings").json()["items"]
    ids = {row["id"] for row in listed}
    assert (m.meeting.pk in ids) == (persona in SEES)
    assert (m.draft.pk in ids) == (persona in ("secretary", "admin"))
    detail = call(user, "GET", f"/meetings/{m.meeting.pk}")
    assert detail.status_code == (200 if persona in SEES else 404)


def test_pending_accounts_and_anonymous_callers_are_refused(m, call):
    assert call(m.pending, "GET", "/meetings").status_code == 403
    assert call(None, "GET", "/meetings").status_code == 401


def test_the_list_pages_and_rejects_bad_paging(m, call):
    assert call(m.member, "GET", "/meetings?per_page=500").status_code == 422
    assert call(m.member, "GET", "/meetings?when=soon").status_code == 400
    assert call(m.member, "GET", "/meetings?when=past").json()["items"] == []


def test_list_query_count_does_not_grow_with_meetings(m, call, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call(m.member, "GET", "/meetings")
    with CaptureQueriesContext(connection) as few:
        call(m.member, "GET", "/meetings")
    for i in range(10):
        x = services.schedule_meeting(
            user=m.secretary, organization=m.branch, topic=f"H{i}",
            starts_at=timezone.now() + T(days=i + 1), ends_at=timezone.now() + T(days=i + 1, hours=2),
            place="X",
        )  # fmt: skip
        services.announce_meeting(user=m.secretary, meeting=x)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(call(m.member, "GET", "/meetings").json()["items"]) == 11


def meeting_in(**over):
    start = timezone.now() + T(days=10)
    data = {"topic": "Họp qua API", "starts_at": start.isoformat(),
            "ends_at": (start + T(minutes=120)).isoformat(), "place": "Hội trường"}  # fmt: skip
    data.update(over)
    return data


def test_schedule_edit_announce(m, call):
    payload = meeting_in(organization_id=m.branch.pk)
    assert call(m.member, "POST", "/meetings", payload).status_code == 403
    assert (
        call(
            m.secretary, "POST", "/meetings", {**payload, "organization_id": m.sibling.pk}
        ).status_code
        == 403
    )
    assert (
        call(m.secretary, "POST", "/meetings", {**payload, "organization_id": 99999}).status_code
        == 404
    )
    bad = call(m.secretary, "POST", "/meetings", {**payload, "ends_at": payload["starts_at"]})
    assert bad.status_code == 400 and bad.json() == {
        "detail": "Thời gian kết thúc phải sau thời gian bắt đầu.", "field": "ends_at",
    }  # fmt: skip
    created = call(m.secretary, "POST", "/meetings", payload)
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "draft" and body["may_run"] is True
    assert any("Chưa có tài liệu" in w for w in body["warnings"])
    pk = body["id"]
    assert call(m.member, "PUT", f"/meetings/{pk}", meeting_in(topic="x")).status_code == 404
    edited = call(m.secretary, "PUT", f"/meetings/{pk}", meeting_in(topic="Đã sửa qua API"))
    assert edited.json()["topic"] == "Đã sửa qua API"
    announced = call(m.secretary, "POST", f"/meetings/{pk}/announce")
    assert announced.json()["state"] == "announced"
    again = call(m.secretary, "POST", f"/meetings/{pk}/announce")
    assert again.status_code == 400 and "dự thảo" in again.json()["detail"]
    assert call(m.member, "POST", f"/meetings/{pk}/announce").status_code == 403
    assert call(m.secretary, "PUT", f"/meetings/{pk}", meeting_in()).status_code == 400


def test_start_and_close(m, call):
    assert call(m.member, "POST", f"/meetings/{m.meeting.pk}/start").status_code == 403
    assert call(m.outsider, "POST", f"/meetings/{m.meeting.pk}/start").status_code == 404
    assert (
        call(m.secretary, "POST", f"/meetings/{m.meeting.pk}/start").json()["state"]
        == "in_progress"
    )
    # every member record of the branch, the one whose account is pending included
    assert RosterEntry.objects.filter(meeting=m.meeting).count() == 4
    assert call(m.secretary, "POST", f"/meetings/{m.meeting.pk}/close").json()["state"] == "closed"


def test_agenda_endpoints(m, call):
    base = f"/meetings/{m.draft.pk}/agenda"
    assert call(m.member, "POST", base, {"title": "x"}).status_code == 404
    one = call(m.secretary, "POST", base, {"title": "Một", "presenter_id": m.member.member_id})
    assert one.status_code == 201 and one.json()[0]["presenter"]["full_name"] == "Nguyễn Văn An"
    two = call(m.secretary, "POST", base, {"title": "Hai"}).json()[1]
    assert (
        call(
            m.secretary, "POST", base, {"title": "X", "presenter_id": m.outsider.member_id}
        ).status_code
        == 400
    )
    moved = call(m.secretary, "POST", f"{base}/{two['id']}/move", {"offset": -1}).json()
    assert [a["title"] for a in moved] == ["Hai", "Một"]
    assert call(m.secretary, "POST", f"{base}/{two['id']}/move", {"offset": 5}).status_code == 400
    edited = call(m.secretary, "PUT", f"{base}/{two['id']}", {"title": "Hai (sửa)"}).json()
    assert edited[0]["title"] == "Hai (sửa)"
    left = call(m.secretary, "DELETE", f"{base}/{two['id']}").json()
    assert [(a["title"], a["position"]) for a in left] == [("Một", 1)]
    member_try = call(m.member, "POST", f"/meetings/{m.meeting.pk}/agenda", {"title": "x"})
    assert member_try.status_code == 403
    assert AgendaItem.objects.filter(meeting=m.meeting).count() == 0


def test_material_endpoints(m, call):
    base = f"/meetings/{m.meeting.pk}/materials"
    doc = make_document(m, m.branch, title="Nghị quyết mẫu")
    assert call(m.member, "POST", base, {"document_id": doc.pk}).status_code == 403
    assert call(m.secretary, "POST", base, {"document_id": 99999}).status_code == 404
    linked = call(m.secretary, "POST", base, {"document_id": doc.pk})
    assert linked.status_code == 201 and linked.json()[0]["kind"] == "document"
    up = call(
        m.secretary,
        "POST",
        f"{base}/file",
        {"file": SimpleUploadedFile("a.pdf", pdf_bytes("x"))},
        multipart=True,
    )
    assert up.status_code == 201
    fake = call(
        m.secretary,
        "POST",
        f"{base}/file",
        {"file": SimpleUploadedFile("a.pdf", b"GIF89a")},
        multipart=True,
    )
    assert fake.status_code == 400 and "PDF hoặc Word" in fake.json()["detail"]
    file_row = [x for x in up.json() if x["kind"] == "file"][0]
    got = call(m.member, "GET", f"{base}/{file_row['id']}/file")
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert call(m.outsider, "GET", f"{base}/{file_row['id']}/file").status_code == 404
    assert call(m.member, "DELETE", f"{base}/{file_row['id']}").status_code == 403
    assert len(call(m.secretary, "DELETE", f"{base}/{file_row['id']}").json()) == 1
    assert Material.objects.count() == 1


def test_comment_endpoints(m, call):
    base = f"/meetings/{m.meeting.pk}/comments"
    assert call(m.member, "POST", base, {"body": "Góp ý của tôi"}).status_code == 201
    call(m.probationary, "POST", base, {"body": "Của người khác"})
    assert call(m.member, "POST", base, {"body": " "}).status_code == 400
    assert call(m.outsider, "POST", base, {"body": "x"}).status_code == 404
    assert call(m.commune_officer, "POST", base, {"body": "x"}).status_code == 403
    assert [c["body"] for c in call(m.member, "GET", base).json()] == ["Góp ý của tôi"]
    assert len(call(m.secretary, "GET", base).json()) == 2
    assert DraftComment.objects.count() == 2


def test_roster_qr_check_in_and_marks(m, call):
    meeting = started(m)
    base = f"/meetings/{meeting.pk}"
    assert call(m.member, "GET", f"{base}/roster").status_code == 403
    assert call(m.member, "GET", f"{base}/qr").status_code == 403
    qr = call(m.secretary, "GET", f"{base}/qr").json()
    assert qr["url"].endswith(f"?ma={qr['code']}") and qr["period_seconds"] == 30
    assert call(m.member, "POST", f"{base}/check-in", {}).json()["status"] == "present"
    by_qr = call(m.probationary, "POST", f"{base}/check-in", {"code": qr["code"]}).json()
    assert by_qr["method"] == "qr"
    old = services.qr_code(meeting, timezone.now() - T(minutes=3))
    replay = call(m.secretary, "POST", f"{base}/check-in", {"code": old})
    assert replay.status_code == 400 and "hết hạn" in replay.json()["detail"]
    assert call(m.outsider, "POST", f"{base}/check-in", {}).status_code == 404
    roster = call(m.secretary, "GET", f"{base}/roster").json()
    assert (
        roster["presence"]["present"]["full"] == 1
        and roster["presence"]["present"]["probationary"] == 1
    )
    assert roster["presence"]["denominator"] == 3  # full members: An, Cường, Lan
    sec_line = next(x for x in roster["lines"] if x["member_id"] == m.secretary.member_id)
    assert (
        call(
            m.member, "POST", f"{base}/roster/{sec_line['id']}/mark", {"status": "present"}
        ).status_code
        == 403
    )
    bad = call(m.secretary, "POST", f"{base}/roster/{sec_line['id']}/mark", {"status": "maybe"})
    assert bad.status_code == 400
    call(
        m.secretary,
        "POST",
        f"{base}/roster/{sec_line['id']}/mark",
        {"status": "absent", "reason": "Công tác"},
    )
    decided = call(
        m.secretary, "POST", f"{base}/roster/{sec_line['id']}/reason", {"accepted": True}
    )
    assert decided.status_code == 200
    a = Attendance.objects.get(entry_id=sec_line["id"])
    assert a.reason_accepted is True and a.by_secretary
    after = call(m.secretary, "GET", f"{base}/roster").json()["presence"]
    assert after["denominator"] == 2 and after["absent_with_accepted_reason"] == 1


def test_motions_votes_and_results(m, call):
    meeting = started(m)
    base = f"/meetings/{meeting.pk}/motions"
    for u in (m.member, m.probationary, m.secretary):
        services.check_in(user=u, meeting=meeting)
    assert call(m.member, "POST", base, {"title": "x"}).status_code == 403
    motion = call(m.secretary, "POST", base, {"title": "Thông qua nghị quyết"}).json()
    secret = call(m.secretary, "POST", base, {"title": "Bầu", "kind": "nhan_su", "ballot": "secret",
                  "options": ["A", "B", "C"], "max_choices": 2}).json()  # fmt: skip
    assert motion["options"] == ["Tán thành", "Không tán thành", "Ý kiến khác"]
    vote = f"{base}/{motion['id']}/vote"
    first = call(m.member, "POST", vote, {"choices": [0]})
    assert (
        first.status_code == 200
        and first.json()["voted"] is True
        and first.json()["counts"] is None
    )
    twice = call(m.member, "POST", vote, {"choices": [1]})
    assert twice.status_code == 400 and "lần hai" in twice.json()["detail"]
    assert call(m.probationary, "POST", vote, {"choices": [0]}).json()["detail"] == (
        "Đảng viên dự bị không có quyền biểu quyết."
    )
    assert call(m.outsider, "POST", vote, {"choices": [0]}).status_code == 404
    assert call(m.secretary, "POST", vote, {"choices": [7]}).status_code == 400
    # while open: members see no count; the secretary only how many voted
    assert call(m.member, "GET", f"{base}/{motion['id']}").json()["votes_cast"] is None
    seen = call(m.secretary, "GET", f"{base}/{motion['id']}").json()
    assert seen["votes_cast"] == 1 and seen["counts"] is None
    call(m.member, "POST", f"{base}/{secret['id']}/vote", {"choices": [0, 2]})
    assert VoterMark.objects.filter(motion_id=secret["id"]).count() == 1
    hands = call(m.secretary, "POST", f"{base}/{secret['id']}/show-of-hands",
                 {"entry_id": RosterEntry.objects.get(meeting=meeting, member=m.secretary.member).pk,
                  "choices": [0]})  # fmt: skip
    assert hands.status_code == 400 and "kín" in hands.json()["detail"]
    assert call(m.member, "POST", f"{base}/{motion['id']}/close").status_code == 403
    closed = call(m.secretary, "POST", f"{base}/{motion['id']}/close").json()
    assert (
        closed["counts"] == [1, 0, 0]
        and closed["denominator"] == 3
        and closed["result"] == "failed"
    )
    late = call(m.secretary, "POST", vote, {"choices": [0]})
    assert late.status_code == 400 and "đã kết thúc" in late.json()["detail"]
    assert Vote.objects.filter(motion_id=motion["id"]).count() == 1
    again = call(
        m.secretary, "POST", base, {"title": "Thông qua nghị quyết", "previous_id": motion["id"]}
    )
    assert again.status_code == 201 and again.json()["round"] == 2
    listed = call(m.member, "GET", base).json()
    assert [x["state"] for x in listed] == ["closed", "open", "open"]


def test_closing_with_nobody_eligible_changes_nothing(m, call):
    meeting = started(m)
    motion = call(m.secretary, "POST", f"/meetings/{meeting.pk}/motions", {"title": "X"}).json()
    refused = call(m.secretary, "POST", f"/meetings/{meeting.pk}/motions/{motion['id']}/close")
    assert refused.status_code == 400 and "Không có đảng viên nào" in refused.json()["detail"]
    assert Motion.objects.get(pk=motion["id"]).state == "open"


def test_show_of_hands_on_an_open_vote(m, call):
    meeting = started(m)
    entry = RosterEntry.objects.get(meeting=meeting, member=m.member.member)
    services.mark_attendance(user=m.secretary, entry=entry, status="present")
    motion = call(m.secretary, "POST", f"/meetings/{meeting.pk}/motions", {"title": "X"}).json()
    url = f"/meetings/{meeting.pk}/motions/{motion['id']}/show-of-hands"
    assert call(m.member, "POST", url, {"entry_id": entry.pk, "choices": [0]}).status_code == 403
    assert call(m.secretary, "POST", url, {"entry_id": entry.pk, "choices": [0]}).status_code == 200
    assert Vote.objects.get(motion_id=motion["id"]).by_show_of_hands


def test_calendar_endpoint(m, call):
    got = call(m.member, "GET", f"/meetings/{m.meeting.pk}/calendar.ics")
    assert got["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in got.content
    assert call(m.outsider, "GET", f"/meetings/{m.meeting.pk}/calendar.ics").status_code == 404
    assert call(m.secretary, "GET", f"/meetings/{m.draft.pk}/calendar.ics").status_code == 404


def test_pattern_and_liaison_endpoints(m, call):
    payload = {"organization_id": m.branch.pk, "day_of_month": 5, "start_time": "19:30",
               "duration_minutes": 120, "topic": "Thường kỳ", "place": "Nhà văn hóa", "months": 2}  # fmt: skip
    assert call(m.member, "POST", "/meeting-patterns", payload).status_code == 403
    made = call(m.secretary, "POST", "/meeting-patterns", payload)
    assert made.status_code == 201 and len(made.json()) >= 1
    again = call(m.secretary, "POST", "/meeting-patterns", payload).json()
    assert again == []  # nothing duplicated
    liaison = {"organization_id": m.branch.pk, "member_id": m.commune_officer.member_id,
               "starts_on": dt.date.today().isoformat()}  # fmt: skip
    assert call(m.secretary, "POST", "/meeting-liaisons", liaison).status_code == 403
    ok = call(m.office, "POST", "/meeting-liaisons", liaison)
    assert ok.status_code == 201 and ok.json()["member"]["full_name"] == "Phạm Thị Dung"
    wrong = call(m.office, "POST", "/meeting-liaisons", {**liaison, "member_id": m.member.member_id,
                 "starts_on": (dt.date.today() + T(days=3)).isoformat()})  # fmt: skip
    assert wrong.status_code == 400
    assert Liaison.objects.count() == 1
    assert Meeting.objects.filter(state=MeetingState.DRAFT).count() >= 2
