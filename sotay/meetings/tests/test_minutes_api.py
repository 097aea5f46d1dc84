"""The minutes API: notes, minutes versions, PDF, resolution, self-score and its
configuration; who may and who may not, bad input, nothing half-saved."""

import json

import pytest

from sotay.accounts.services import create_api_token
from sotay.meetings.models import (
    BranchResolution,
    Conclusion,
    MeetingGuest,
    Minutes,
    QualityScore,
    Remark,
    ScoreConfig,
)
from sotay.meetings.tests.minutes_world import build_minutes_world

pytestmark = pytest.mark.django_db
API = "/api/v1"
FULL = {"time": 5, "attendance": 5, "preparation": 10, "conduct": 40, "principles": 5,
        "results": 30, "closing": 5}  # fmt: skip


@pytest.fixture
def call(client):
    def _call(user, method, path, data=None):
        headers = {}
        if user is not None:
            _, token = create_api_token(user=user, name="t", ip="127.0.0.1")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        send = getattr(client, method.lower())
        if data is not None:
            return send(
                f"{API}{path}", json.dumps(data), content_type="application/json", **headers
            )
        return send(f"{API}{path}", **headers)

    return _call


@pytest.fixture
def closed(meeting_world):
    return build_minutes_world(meeting_world)


def test_every_endpoint_needs_a_token(closed, call):
    pk = closed.meeting.pk
    for method, path in [("get", f"/meetings/{pk}/notes"), ("get", f"/meetings/{pk}/minutes"),
                         ("post", f"/meetings/{pk}/minutes"), ("get", f"/meetings/{pk}/score"),
                         ("get", "/meeting-score-configs")]:  # fmt: skip
        assert call(None, method, path).status_code == 401, path


def test_notes_are_typed_and_listed_by_the_meeting_secretary(started, call):
    w = started
    pk = w.meeting.pk
    r = call(w.member, "post", f"/meetings/{pk}/remarks",
             {"text": "Ý kiến", "speaker_member_id": w.secretary.member.pk})  # fmt: skip
    assert r.status_code == 201 and r.json()["speaker_name"] == "Lê Đức Cường"
    assert (
        call(w.member, "post", f"/meetings/{pk}/conclusions", {"text": "Kết luận"}).status_code
        == 201
    )
    g = call(w.member, "post", f"/meetings/{pk}/guests", {"full_name": "Phạm Thị Dung"})
    assert g.status_code == 201
    notes = call(w.member, "get", f"/meetings/{pk}/notes").json()
    assert [len(notes[k]) for k in ("remarks", "conclusions", "guests")] == [1, 1, 1]
    rid = r.json()["id"]
    assert call(w.member, "delete", f"/meetings/{pk}/remarks/{rid}").status_code == 204
    assert not Remark.objects.exists()
    gid = g.json()["id"]
    assert call(w.member, "delete", f"/meetings/{pk}/guests/{gid}").status_code == 204
    assert not MeetingGuest.objects.exists()


@pytest.mark.parametrize("persona,status", [("probationary", 403), ("commune_officer", 403),
                                            ("outsider", 404)])  # fmt: skip
def test_readers_and_outsiders_cannot_type_notes(started, call, persona, status):
    w = started
    pk = w.meeting.pk
    assert call(w.persona(persona), "get", f"/meetings/{pk}/notes").status_code == status
    r = call(w.persona(persona), "post", f"/meetings/{pk}/conclusions", {"text": "X"})
    assert r.status_code == status
    assert not Conclusion.objects.exists()


@pytest.mark.parametrize(
    "payload,message",
    [
        ({"text": "Ý kiến"}, "Vui lòng nhập họ tên người phát biểu."),
        ({"text": " ", "speaker_name": "Khách"}, "Vui lòng nhập nội dung phát biểu."),
        (
            {"text": "Ý kiến", "speaker_member_id": 999999},
            "Người phát biểu không có trong danh sách",
        ),
        (
            {"text": "Ý kiến", "speaker_name": "A", "agenda_item_id": 999999},
            "Không tìm thấy nội dung chương trình.",
        ),
    ],
)
def test_bad_remarks_get_a_vietnamese_message(started, call, payload, message):
    w = started
    r = call(w.member, "post", f"/meetings/{w.meeting.pk}/remarks", payload)
    assert r.status_code in (400, 404)
    assert r.json()["detail"].startswith(message)
    assert not Remark.objects.exists()


def test_the_minutes_lifecycle_over_the_api(closed, call):
    w = closed
    pk = w.meeting.pk
    r = call(w.member, "post", f"/meetings/{pk}/minutes", {})
    assert r.status_code == 201 and r.json()["version"] == 1 and r.json()["state"] == "draft"
    assert r.json()["heading"].startswith("BIÊN BẢN HỌP CHI BỘ THÁNG")
    assert "Đồng chí Đỗ Thị Lan" in r.json()["body"]
    again = call(w.member, "post", f"/meetings/{pk}/minutes", {})
    assert again.status_code == 400 and again.json()["detail"] == "Cuộc họp đã có dự thảo biên bản."
    put = call(
        w.member, "put", f"/meetings/{pk}/minutes/1", {"body": "<p>Đã sửa</p><script>x</script>"}
    )
    assert put.status_code == 200 and put.json()["body"] == "<p>Đã sửa</p>"
    assert call(w.member, "post", f"/meetings/{pk}/minutes/1/approve").status_code == 403
    ok = call(w.secretary, "post", f"/meetings/{pk}/minutes/1/approve")
    assert ok.status_code == 200 and len(ok.json()["content_hash"]) == 64
    locked = call(w.secretary, "put", f"/meetings/{pk}/minutes/1", {"body": "<p>Sửa lén</p>"})
    assert locked.status_code == 400 and "không sửa được" in locked.json()["detail"]
    assert Minutes.objects.get().body == "<p>Đã sửa</p>"
    no_reason = call(w.secretary, "post", f"/meetings/{pk}/minutes-versions", {"reason": ""})
    assert no_reason.status_code == 400 and Minutes.objects.count() == 1
    v2 = call(w.secretary, "post", f"/meetings/{pk}/minutes-versions", {"reason": "Bổ sung ý kiến"})
    assert v2.status_code == 201 and v2.json()["version"] == 2
    # readers list the approved version only; the writer lists both
    assert [
        m["version"] for m in call(w.probationary, "get", f"/meetings/{pk}/minutes").json()
    ] == [1]
    assert [m["version"] for m in call(w.member, "get", f"/meetings/{pk}/minutes").json()] == [2, 1]
    assert call(w.probationary, "get", f"/meetings/{pk}/minutes/2").status_code == 404
    pdf = call(w.commune_officer, "get", f"/meetings/{pk}/minutes/1/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert call(w.outsider, "get", f"/meetings/{pk}/minutes/1").status_code == 404
    assert call(w.outsider, "get", f"/meetings/{pk}/minutes/1/pdf").status_code == 404


def test_minutes_of_an_open_meeting_are_refused(started, call):
    r = call(started.secretary, "post", f"/meetings/{started.meeting.pk}/minutes", {})
    assert r.status_code == 400 and "đã kết thúc" in r.json()["detail"]
    assert not Minutes.objects.exists()


def test_the_resolution_over_the_api(closed, call):
    w = closed
    pk = w.meeting.pk
    assert call(w.secretary, "get", f"/meetings/{pk}/resolution").status_code == 404
    assert call(w.member, "post", f"/meetings/{pk}/resolution").status_code == 403
    r = call(w.secretary, "post", f"/meetings/{pk}/resolution")
    assert r.status_code == 201 and r.json()["symbol"] == "01-NQ/CB"
    bad = call(w.secretary, "put", f"/meetings/{pk}/resolution",
               {"number": 0, "title": "T", "body": "B"})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["field"] == "number"
    body = r.json()["body"]
    ok = call(w.secretary, "put", f"/meetings/{pk}/resolution",
              {"number": 7, "title": "Nghị quyết tháng 12", "body": body})  # fmt: skip
    assert ok.json()["symbol"] == "07-NQ/CB"
    assert call(w.member, "post", f"/meetings/{pk}/resolution/publish").status_code == 403
    pub = call(w.secretary, "post", f"/meetings/{pk}/resolution/publish")
    assert pub.status_code == 200 and pub.json()["state"] == "published"
    doc = call(w.probationary, "get", f"/documents/{pub.json()['document_id']}")
    assert doc.status_code == 200 and doc.json()["symbol"] == "07-NQ/CB"
    assert BranchResolution.objects.get().document_id == pub.json()["document_id"]


def test_the_score_over_the_api(closed, call):
    w = closed
    pk = w.meeting.pk
    empty = call(w.secretary, "get", f"/meetings/{pk}/score").json()
    assert empty["total"] is None and empty["config"]["weights"] == FULL
    bad = call(w.secretary, "put", f"/meetings/{pk}/score", {**FULL, "results": 31})
    assert bad.status_code == 400 and bad.json()["field"] == "results"
    assert bad.json()["detail"] == "Điểm “Kết quả thực hiện nghị quyết kỳ trước” phải từ 0 đến 30."
    assert not QualityScore.objects.exists()
    assert call(w.member, "put", f"/meetings/{pk}/score", FULL).status_code == 403
    assert call(w.outsider, "get", f"/meetings/{pk}/score").status_code == 404
    ok = call(w.secretary, "put", f"/meetings/{pk}/score", {**FULL, "conduct": 20})
    assert ok.status_code == 200 and (ok.json()["total"], ok.json()["grade_label"]) == (80, "Khá")


def test_the_score_configuration_over_the_api(world, call):
    versions = call(world.member, "get", "/meeting-score-configs").json()
    assert versions[0]["weights"] == FULL
    data = {**FULL, "valid_from": "2027-01-01"}
    assert call(world.secretary, "post", "/meeting-score-configs", data).status_code == 403
    bad = call(world.admin, "post", "/meeting-score-configs", {**data, "conduct": 39})
    assert bad.status_code == 400 and "Tổng các trọng số phải bằng 100" in bad.json()["detail"]
    ok = call(world.admin, "post", "/meeting-score-configs", data)
    assert ok.status_code == 201
    assert ScoreConfig.objects.count() == 2


def test_conclusions_are_deleted_by_the_writer_only(started, call):
    w = started
    pk = w.meeting.pk
    cid = call(w.member, "post", f"/meetings/{pk}/conclusions", {"text": "Kết luận"}).json()["id"]
    assert call(w.probationary, "delete", f"/meetings/{pk}/conclusions/{cid}").status_code == 403
    assert call(w.outsider, "delete", f"/meetings/{pk}/conclusions/{cid}").status_code == 404
    assert call(w.member, "delete", f"/meetings/{pk}/conclusions/999999").status_code == 404
    assert Conclusion.objects.count() == 1
    assert call(w.secretary, "delete", f"/meetings/{pk}/conclusions/{cid}").status_code == 204
    assert not Conclusion.objects.exists()


def test_list_endpoints_keep_their_query_count(closed, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sotay.meetings import minutes as svc

    w = closed
    pk = w.meeting.pk
    _, token = create_api_token(user=w.member, name="t", ip="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    draft = svc.draft_minutes(user=w.member, meeting=w.meeting)
    client.get(f"{API}/meetings/{pk}/minutes", **auth)
    with CaptureQueriesContext(connection) as one:
        client.get(f"{API}/meetings/{pk}/minutes", **auth)
        client.get(f"{API}/meetings/{pk}/notes", **auth)
    for n in range(5):
        svc.add_guest(user=w.secretary, meeting=w.meeting, full_name=f"Khách {n}")
    svc.approve_minutes(user=w.secretary, minutes=draft)
    for n in range(3):
        v = svc.new_version(user=w.secretary, meeting=w.meeting, reason=f"Lần sửa {n}")
        svc.approve_minutes(user=w.secretary, minutes=v)
    with CaptureQueriesContext(connection) as more:
        versions = client.get(f"{API}/meetings/{pk}/minutes", **auth).json()
        notes = client.get(f"{API}/meetings/{pk}/notes", **auth).json()
    assert len(versions) == 4 and len(notes["guests"]) == 1 + 5
    assert len(more) == len(one)
