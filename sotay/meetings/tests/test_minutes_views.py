"""Screens of the notes, minutes, PDF, branch resolution and self-score: who may and who
may not (404 out of scope, 403 in scope without the right), bad input (a Vietnamese
message, nothing changed), query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay.meetings import minutes
from sotay.meetings.models import (
    BranchResolution,
    Conclusion,
    Minutes,
    MinutesState,
    QualityScore,
    Remark,
    ResolutionState,
)
from sotay.meetings.tests.minutes_world import build_minutes_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(meeting_world):
    return build_minutes_world(meeting_world)


@pytest.fixture
def approved(closed):
    w = closed
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    w.minutes = minutes.approve_minutes(user=w.secretary, minutes=m)
    return w


def url(name, w, *extra):
    return reverse(f"meetings:{name}", args=[w.meeting.pk, *extra])


NOTES_STATUS = {
    "member": 200,  # named meeting secretary
    "secretary": 200,
    "admin": 200,
    "probationary": 403,
    "commune_officer": 403,
    "province_officer": 403,
    "outsider": 404,
    "pending": 302,  # a pending account is sent to its waiting page
}


@pytest.mark.parametrize("persona,status", NOTES_STATUS.items())
def test_the_notes_screen_is_for_who_runs_the_meeting(closed, login, persona, status):
    response = login(closed.persona(persona)).get(url("minutes_notes", closed))
    assert response.status_code == status
    if status == 200:
        assert "Diễn biến cuộc họp" in response.content.decode()


def test_the_meeting_secretary_types_a_remark_and_a_conclusion(started, login):
    w = started
    client = login(w.member)
    response = client.post(
        url("remark_add", w),
        {"speaker": w.secretary.member.pk, "text": "Ý kiến về công tác tháng", "agenda_item": ""},
    )
    assert response.status_code == 302
    remark = Remark.objects.get()
    assert (remark.speaker_name, remark.text) == ("Lê Đức Cường", "Ý kiến về công tác tháng")
    response = client.post(url("conclusion_add", w), {"text": "Giao chi ủy theo dõi."})
    assert response.status_code == 302 and Conclusion.objects.count() == 1
    page = client.get(url("minutes_notes", w)).content.decode()
    assert "Ý kiến về công tác tháng" in page and "Giao chi ủy theo dõi." in page


@pytest.mark.parametrize(
    "data,message",
    [
        (
            {"speaker": "", "speaker_name": "", "text": "Ý kiến"},
            "Vui lòng nhập họ tên người phát biểu.",
        ),
        ({"speaker": "", "speaker_name": "Khách", "text": ""}, "Trường này là bắt buộc."),
        ({"speaker": "999999", "text": "Ý kiến"}, "Hãy chọn một lựa chọn hợp lệ."),
    ],
)
def test_a_bad_remark_is_refused_with_a_message(started, login, data, message):
    w = started
    response = login(w.member).post(url("remark_add", w), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert not Remark.objects.exists()


def test_a_reader_cannot_post_notes(started, login):
    w = started
    response = login(w.probationary).post(url("remark_add", w), {"speaker_name": "A", "text": "B"})
    assert response.status_code == 403
    response = login(w.outsider).post(url("conclusion_add", w), {"text": "B"})
    assert response.status_code == 404
    assert not Remark.objects.exists() and not Conclusion.objects.exists()


def test_draft_edit_and_approve_through_the_screens(closed, login):
    w = closed
    client = login(w.member)
    page = client.get(url("minutes", w)).content.decode()
    assert "Lập dự thảo biên bản" in page
    assert client.post(url("minutes_draft", w)).status_code == 302
    m = Minutes.objects.get()
    response = client.post(url("minutes", w), {"body": "<p>Biên bản đã sửa</p>"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.body == "<p>Biên bản đã sửa</p>"
    # the meeting secretary may not approve
    assert client.post(url("minutes_approve", w)).status_code == 403
    response = login(w.secretary).post(url("minutes_approve", w))
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.state == MinutesState.APPROVED and len(m.content_hash) == 64


def test_a_blank_edit_shows_the_message_and_keeps_the_text(closed, login):
    w = closed
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    response = login(w.member).post(url("minutes", w), {"body": "<script>x</script>"})
    assert response.status_code == 400
    assert "Nội dung biên bản không được để trống." in response.content.decode()
    assert Minutes.objects.get(pk=m.pk).body == m.body


@pytest.mark.parametrize("persona", ["probationary", "commune_officer", "province_officer"])
def test_drafts_are_hidden_from_readers(closed, login, persona):
    w = closed
    minutes.draft_minutes(user=w.member, meeting=w.meeting)
    client = login(w.persona(persona))
    assert client.get(url("minutes", w)).status_code == 404
    assert client.get(url("minutes_version", w, 1)).status_code == 404
    assert client.get(url("minutes_pdf", w, 1)).status_code == 404


@pytest.mark.parametrize(
    "persona,status",
    [
        ("probationary", 200),
        ("member", 200),
        ("commune_officer", 200),
        ("province_officer", 200),
        ("office", 200),
        ("outsider", 404),
        ("pending", 302),
    ],
)
def test_approved_minutes_are_read_by_members_and_the_superior_committee(
    approved, login, persona, status
):
    w = approved
    client = login(w.persona(persona))
    response = client.get(url("minutes", w))
    assert response.status_code == status
    pdf = client.get(url("minutes_pdf", w, 1))
    assert pdf.status_code == status
    if status == 200:
        assert "Đồng chí Đỗ Thị Lan" in response.content.decode()
        assert "Thông qua biên bản" not in response.content.decode() or persona == "member"
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_editing_approved_minutes_is_refused_on_the_screen(approved, login):
    w = approved
    response = login(w.secretary).post(url("minutes", w), {"body": "<p>Sửa lén</p>"})
    assert response.status_code == 400
    assert "Biên bản đã được thông qua nên không sửa được." in response.content.decode()
    assert Minutes.objects.get(pk=w.minutes.pk).body == w.minutes.body


def test_a_new_version_with_its_reason_keeps_the_old_one_readable(approved, login):
    w = approved
    client = login(w.secretary)
    response = client.post(url("minutes_new_version", w), {"reason": ""})
    assert response.status_code == 400 and Minutes.objects.count() == 1
    response = client.post(url("minutes_new_version", w), {"reason": "Bổ sung ý kiến"})
    assert response.status_code == 302
    assert Minutes.objects.filter(version=2, state=MinutesState.DRAFT).exists()
    assert (
        login(w.member).post(url("minutes_new_version", w), {"reason": "x" * 10}).status_code == 403
    )
    old = login(w.probationary).get(url("minutes_version", w, 1))
    assert old.status_code == 200 and "Phiên bản 1" in old.content.decode()
    # readers still see version 1 while version 2 is a draft
    assert "Đồng chí Đỗ Thị Lan" in login(w.probationary).get(url("minutes", w)).content.decode()


def test_the_minutes_page_query_count_does_not_grow_with_versions(approved, login):
    w = approved
    client = login(w.probationary)
    client.get(url("minutes", w))  # warm the session and grants
    with CaptureQueriesContext(connection) as one:
        client.get(url("minutes", w))
    for n in range(2, 5):
        v = minutes.new_version(user=w.secretary, meeting=w.meeting, reason=f"Lần {n}")
        minutes.approve_minutes(user=w.secretary, minutes=v)
    with CaptureQueriesContext(connection) as four:
        response = client.get(url("minutes", w))
    assert response.status_code == 200
    assert len(four) == len(one) <= 14


# --- resolution -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,status",
    [
        ("secretary", 200),
        ("admin", 200),
        ("member", 403),
        ("commune_officer", 403),
        ("outsider", 404),
    ],
)
def test_the_resolution_screen_is_for_the_convener(closed, login, persona, status):
    assert login(closed.persona(persona)).get(url("resolution", closed)).status_code == status


def test_draft_edit_and_publish_the_resolution(closed, login):
    w = closed
    client = login(w.secretary)
    assert client.post(url("resolution_draft", w)).status_code == 302
    r = BranchResolution.objects.get()
    bad = client.post(url("resolution", w), {"number": "0", "title": r.title, "body": r.body})
    assert bad.status_code == 400
    r.refresh_from_db()
    assert r.number == 1
    ok = client.post(url("resolution", w), {"number": "5", "title": r.title, "body": r.body})
    assert ok.status_code == 302
    assert login(w.member).post(url("resolution_publish", w)).status_code == 403
    assert login(w.secretary).post(url("resolution_publish", w)).status_code == 302
    r.refresh_from_db()
    assert r.state == ResolutionState.PUBLISHED and r.symbol == "05-NQ/CB"
    doc_page = login(w.probationary).get(reverse("documents:detail", args=[r.document_id]))
    assert doc_page.status_code == 200 and "05-NQ/CB" in doc_page.content.decode()


def test_a_resolution_without_conclusions_is_refused_with_a_message(meeting_world, login):
    w = build_minutes_world(meeting_world, notes=False)
    client = login(w.secretary)
    response = client.post(url("resolution_draft", w), follow=True)
    assert "Chưa có kết luận nào của cuộc họp" in response.content.decode()
    assert not BranchResolution.objects.exists()


# --- self-score -----------------------------------------------------------------------------


POINTS = {"time": 5, "attendance": 4, "preparation": 9, "conduct": 35, "principles": 5,
          "results": 25, "closing": 5}  # fmt: skip


@pytest.mark.parametrize(
    "persona,status",
    [("secretary", 200), ("member", 403), ("commune_officer", 403), ("outsider", 404)],
)
def test_the_score_screen_is_for_the_convener(closed, login, persona, status):
    assert login(closed.persona(persona)).get(url("score", closed)).status_code == status


def test_scoring_on_the_screen_and_a_score_above_the_weight(closed, login):
    w = closed
    client = login(w.secretary)
    response = client.post(url("score", w), {**POINTS, "conduct": 41})
    assert response.status_code == 400 and not QualityScore.objects.exists()
    response = client.post(url("score", w), {**POINTS, "note": "Sinh hoạt nền nếp"})
    assert response.status_code == 302
    score = QualityScore.objects.get()
    assert (score.total, score.get_grade_display()) == (88, "Khá")
    assert "88" in client.get(url("score", w)).content.decode()


def test_the_notes_page_query_count_does_not_grow_with_the_notes(closed, login):
    w = closed
    client = login(w.member)
    client.get(url("minutes_notes", w))
    with CaptureQueriesContext(connection) as few:
        client.get(url("minutes_notes", w))
    for n in range(10):
        minutes.add_remark(user=w.member, meeting=w.meeting, speaker=w.secretary.member,
                           agenda_item=w.agenda[n % 2], text=f"Ý kiến {n}")  # fmt: skip
        minutes.add_conclusion(user=w.member, meeting=w.meeting, text=f"Kết luận {n}")
        minutes.add_guest(user=w.member, meeting=w.meeting, full_name=f"Khách {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("minutes_notes", w))
    assert response.status_code == 200 and "Ý kiến 9" in response.content.decode()
    assert len(many) == len(few)
