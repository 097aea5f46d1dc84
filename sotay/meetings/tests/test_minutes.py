"""Minutes services: the content drafted from a fixture meeting (every element of
DOMAIN §5), editing, approval with its hash, new versions, and the notes typed during
the meeting; the branch resolution published into the library."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.documents.models import AudienceLevel, Document, DocumentKind, DocumentState
from sotay.documents.queries import documents_visible_to
from sotay.meetings import minutes, services
from sotay.meetings import resolution as resolutions
from sotay.meetings.models import (
    BranchResolution,
    MeetingState,
    Minutes,
    MinutesState,
    Remark,
    ResolutionState,
)
from sotay.meetings.tests.minutes_world import build_minutes_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(meeting_world):
    return build_minutes_world(meeting_world)


def _local(value):
    local = timezone.localtime(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def test_the_draft_records_every_element_of_the_minutes(closed):
    w = closed
    body = minutes.draft_minutes(user=w.member, meeting=w.meeting).body
    expected = [
        # place, time, topic
        f"bắt đầu lúc {_local(w.meeting.started_at)}",
        "<strong>Địa điểm:</strong> Nhà văn hóa khu phố 1.",
        "Sinh hoạt chi bộ thường kỳ tháng 11",
        # totals split full / probationary / temporarily attached + exempt, transferred out
        "Tổng số đảng viên của chi bộ: 8 đồng chí, trong đó: đảng viên chính thức 4; "
        "đảng viên dự bị 1; đảng viên sinh hoạt tạm thời 1; miễn công tác và sinh hoạt "
        "đảng 1; chuyển sinh hoạt tạm thời đi nơi khác 1.",
        # present, same split (An, Cường full; Bình probationary; Sơn attached, late)
        "Có mặt: 4 đồng chí, trong đó: đảng viên chính thức 2; đảng viên dự bị 1; "
        "đảng viên sinh hoạt tạm thời 1; miễn công tác và sinh hoạt đảng 0.",
        # absentees by name, with and without reason
        "Vắng mặt có lý do: 1 đồng chí:",
        "Đồng chí Đỗ Thị Lan (Ốm, nằm viện, lý do được chấp nhận)",
        "Vắng mặt không có lý do: 1 đồng chí:",
        "<li>Đồng chí Đinh Văn Tú</li>",
        "Miễn công tác và sinh hoạt đảng, không dự: Ngô Văn Phúc.",
        "Số đảng viên được tính để biểu quyết: 3; số đảng viên có quyền biểu quyết có mặt: 2.",
        # chair and meeting secretary, guests
        "<strong>Chủ tọa:</strong> đồng chí Lê Đức Cường.",
        "<strong>Thư ký:</strong> đồng chí Nguyễn Văn An.",
        "đồng chí Phạm Thị Dung, Đảng ủy viên phường An Hòa, phụ trách chi bộ",
        # agenda
        "<li>Đánh giá công tác tháng (trình bày: đồng chí Lê Đức Cường)</li>",
        "<li>Triển khai nhiệm vụ</li>",
        # remarks, by speaker
        "<strong>Đồng chí Nguyễn Văn An</strong> (về “Đánh giá công tác tháng”): Đề nghị "
        "tăng cường kiểm tra việc thực hiện nghị quyết ở tổ dân phố.",
        "<strong>Đồng chí Phạm Thị Dung</strong> (về “Triển khai nhiệm vụ”): Chi bộ cần "
        "chuẩn bị kỹ việc tổng kết cuối năm.",
        # conclusions
        "<li>Hoàn thành việc rà soát hộ nghèo trước ngày 20 tháng 12.</li>",
        # vote results: frozen counts; the secret ballot as aggregates only
        "<strong>Nghị quyết lãnh đạo nhiệm vụ tháng 12</strong> — biểu quyết công khai: số "
        "đảng viên được tính 3, có quyền biểu quyết có mặt 2, số phiếu 2; Tán thành: 2; "
        "Không tán thành: 0; Ý kiến khác: 0. Kết quả: Thông qua.",
        "<strong>Bầu tổ trưởng tổ đảng</strong> — bỏ phiếu kín: số đảng viên được tính 3, "
        "có quyền biểu quyết có mặt 2, số phiếu 2; Nguyễn Văn An: 0; Lê Đức Cường: 2. "
        "Kết quả: Thông qua (trúng cử: Lê Đức Cường).",
        # closing time
        f"Cuộc họp kết thúc lúc {_local(w.meeting.closed_at)}.",
    ]
    for text in expected:
        assert text in body, text
    # The transferred-out member is counted, not listed as absent.
    assert "Lý Thị Quế" not in body


def test_the_heading_names_the_month_and_the_kind(closed):
    local = timezone.localtime(closed.meeting.started_at)
    assert minutes.heading(closed.meeting) == (
        f"BIÊN BẢN HỌP CHI BỘ THÁNG {local.month} NĂM {local.year}"
    )
    closed.meeting.kind = "chuyen_de"
    assert minutes.heading(closed.meeting).startswith("BIÊN BẢN SINH HOẠT CHUYÊN ĐỀ CHI BỘ")


def test_minutes_are_drafted_only_after_the_close_and_once(started):
    w = started
    with pytest.raises(ServiceError, match="đã kết thúc"):
        minutes.draft_minutes(user=w.secretary, meeting=w.meeting)
    assert not Minutes.objects.exists()


def test_a_second_draft_is_refused_but_a_redraft_replaces_v1(closed):
    w = closed
    first = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    minutes.edit_minutes(user=w.member, minutes=first, body="<p>Bản sửa tay</p>")
    with pytest.raises(ServiceError, match="đã có dự thảo"):
        minutes.draft_minutes(user=w.member, meeting=w.meeting)
    again = minutes.draft_minutes(user=w.member, meeting=w.meeting, redraft=True)
    assert again.pk == first.pk and "Tổng số đảng viên" in again.body
    assert Minutes.objects.count() == 1


@pytest.mark.parametrize("persona", ["probationary", "outsider", "commune_officer", "pending"])
def test_only_who_runs_the_meeting_writes_the_minutes(closed, persona):
    w = closed
    with pytest.raises(PermissionDenied):
        minutes.draft_minutes(user=w.persona(persona), meeting=w.meeting)
    with pytest.raises(PermissionDenied):
        minutes.add_remark(user=w.persona(persona), meeting=w.meeting, speaker_name="X", text="Y")
    assert not Minutes.objects.exists()


def test_editing_sanitises_the_rich_text(closed):
    w = closed
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    m = minutes.edit_minutes(
        user=w.member,
        minutes=m,
        body='<p onclick="x()">Nội dung <script>alert(1)</script><strong>đậm</strong></p>',
    )
    assert m.body == "<p>Nội dung <strong>đậm</strong></p>"


def test_a_blank_edit_is_refused_and_changes_nothing(closed):
    w = closed
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    before = m.body
    with pytest.raises(ServiceError, match="không được để trống"):
        minutes.edit_minutes(user=w.member, minutes=m, body="<p> </p><script>x</script>")
    m.refresh_from_db()
    assert m.body == before


def test_approval_locks_with_a_sha256_and_marks_the_meeting(closed):
    w = closed
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    m = minutes.edit_minutes(user=w.member, minutes=m, body="<p>Biên bản đã đọc lại</p>")
    approved = minutes.approve_minutes(user=w.secretary, minutes=m)
    assert approved.state == MinutesState.APPROVED
    expected = hashlib.sha256("<p>Biên bản đã đọc lại</p>".encode()).hexdigest()
    assert approved.content_hash == expected
    assert approved.content_hash == minutes.content_hash(approved.body)
    w.meeting.refresh_from_db()
    assert w.meeting.state == MeetingState.MINUTES_APPROVED
    assert AuditEntry.objects.filter(action="meetings.approve_minutes").count() == 1


def test_the_meeting_secretary_may_not_approve(closed):
    w = closed
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    with pytest.raises(PermissionDenied):
        minutes.approve_minutes(user=w.member, minutes=m)
    m.refresh_from_db()
    assert m.state == MinutesState.DRAFT and m.content_hash == ""


def test_approved_minutes_are_never_edited_in_place(closed):
    w = closed
    m = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    minutes.approve_minutes(user=w.secretary, minutes=m)
    before = Minutes.objects.get(pk=m.pk)
    with pytest.raises(ServiceError, match="lập phiên bản mới"):
        minutes.edit_minutes(user=w.secretary, minutes=m, body="<p>Sửa lén</p>")
    with pytest.raises(ServiceError, match="lập phiên bản mới"):
        minutes.add_remark(user=w.member, meeting=w.meeting, speaker_name="A", text="B")
    with pytest.raises(ServiceError):
        minutes.approve_minutes(user=w.secretary, minutes=m)
    after = Minutes.objects.get(pk=m.pk)
    assert (after.body, after.content_hash, after.approved_at) == (
        before.body,
        before.content_hash,
        before.approved_at,
    )


def test_a_new_version_needs_a_reason_and_keeps_the_old_one(closed):
    w = closed
    v1 = minutes.approve_minutes(
        user=w.secretary, minutes=minutes.draft_minutes(user=w.member, meeting=w.meeting)
    )
    with pytest.raises(ServiceError, match="lý do"):
        minutes.new_version(user=w.secretary, meeting=w.meeting, reason="  ")
    with pytest.raises(PermissionDenied):
        minutes.new_version(user=w.member, meeting=w.meeting, reason="Sửa tên khách mời")
    v2 = minutes.new_version(user=w.secretary, meeting=w.meeting, reason="Sửa tên khách mời")
    assert (v2.version, v2.state, v2.body, v2.reason) == (
        2,
        MinutesState.DRAFT,
        v1.body,
        "Sửa tên khách mời",
    )
    with pytest.raises(ServiceError, match="Đang có một phiên bản dự thảo"):
        minutes.new_version(user=w.secretary, meeting=w.meeting, reason="Lần nữa")
    minutes.edit_minutes(user=w.member, minutes=v2, body="<p>Bản sửa</p>")
    minutes.approve_minutes(user=w.secretary, minutes=v2)
    v1.refresh_from_db()
    assert v1.state == MinutesState.APPROVED and v1.content_hash == minutes.content_hash(v1.body)
    assert minutes.latest_approved(w.meeting).version == 2


def test_a_remark_speaker_must_be_on_the_roster_or_named(started):
    w = started
    with pytest.raises(ServiceError, match="danh sách triệu tập"):
        minutes.add_remark(
            user=w.secretary, meeting=w.meeting, speaker=w.outsider.member, text="Ý kiến"
        )
    with pytest.raises(ServiceError, match="họ tên người phát biểu"):
        minutes.add_remark(user=w.secretary, meeting=w.meeting, text="Ý kiến")
    with pytest.raises(ServiceError, match="nội dung phát biểu"):
        minutes.add_remark(
            user=w.secretary, meeting=w.meeting, speaker=w.member.member, text="<b></b>"
        )
    assert not Remark.objects.exists()


def test_remarks_wait_for_the_meeting_to_start(meeting_world):
    w = meeting_world
    with pytest.raises(ServiceError, match="đang diễn ra"):
        minutes.add_remark(
            user=w.secretary, meeting=w.meeting, speaker=w.member.member, text="Ý kiến"
        )


def test_an_agenda_item_of_another_meeting_is_refused(closed):
    w = closed
    another = services.schedule_meeting(
        user=w.secretary,
        organization=w.branch,
        topic="Họp khác",
        starts_at=w.now + dt.timedelta(days=30),
        ends_at=w.now + dt.timedelta(days=30, hours=2),
        place="Hội trường",
        agenda=[("Nội dung khác", None)],
    )
    other = another.agenda.get()
    with pytest.raises(ServiceError, match="không thuộc cuộc họp"):
        minutes.add_conclusion(user=w.member, meeting=w.meeting, text="X", agenda_item=other)


# --- branch resolution ----------------------------------------------------------------------


def test_the_resolution_is_drafted_from_conclusions_and_passed_motions(closed):
    w = closed
    r = resolutions.draft_resolution(user=w.secretary, meeting=w.meeting)
    assert r.symbol == "01-NQ/CB" and r.number == 1
    assert "CHI BỘ KHU PHỐ 1 QUYẾT NGHỊ:" in r.body
    assert "1. Hoàn thành việc rà soát hộ nghèo trước ngày 20 tháng 12." in r.body
    assert "3. Thông qua: Nghị quyết lãnh đạo nhiệm vụ tháng 12." in r.body
    with pytest.raises(ServiceError, match="đã có dự thảo"):
        resolutions.draft_resolution(user=w.secretary, meeting=w.meeting)


def test_a_resolution_needs_conclusions_and_the_right(meeting_world):
    w = build_minutes_world(meeting_world, notes=False)
    with pytest.raises(PermissionDenied):
        resolutions.draft_resolution(user=w.member, meeting=w.meeting)
    with pytest.raises(ServiceError, match="Chưa có kết luận"):
        resolutions.draft_resolution(user=w.secretary, meeting=w.meeting)
    assert not BranchResolution.objects.exists()


def test_editing_the_resolution_checks_number_and_text(closed):
    w = closed
    r = resolutions.draft_resolution(user=w.secretary, meeting=w.meeting)
    with pytest.raises(ServiceError, match="Số nghị quyết"):
        resolutions.edit_resolution(user=w.secretary, resolution=r, number=0, title="T", body="B")
    with pytest.raises(ServiceError, match="trích yếu"):
        resolutions.edit_resolution(user=w.secretary, resolution=r, number=5, title=" ", body="B")
    r = resolutions.edit_resolution(
        user=w.secretary, resolution=r, number=5, title="Nghị quyết tháng 12", body="Nội dung"
    )
    assert r.symbol == "05-NQ/CB"


def test_publishing_puts_a_resolution_of_the_branch_into_the_library(closed):
    w = closed
    r = resolutions.draft_resolution(user=w.secretary, meeting=w.meeting)
    r = resolutions.edit_resolution(
        user=w.secretary, resolution=r, number=5, title=r.title, body=r.body
    )
    with pytest.raises(PermissionDenied):
        resolutions.publish_resolution(user=w.member, resolution=r)
    r = resolutions.publish_resolution(user=w.secretary, resolution=r)
    doc = Document.objects.get(pk=r.document_id)
    assert r.state == ResolutionState.PUBLISHED
    assert (doc.kind, doc.symbol, doc.state) == (
        DocumentKind.RESOLUTION,
        "05-NQ/CB",
        DocumentState.PUBLISHED,
    )
    assert doc.issuer_org == w.branch and doc.audience_org == w.branch
    assert doc.audience_level == AudienceLevel.ALL
    assert documents_visible_to(w.probationary).filter(pk=doc.pk).exists()
    assert not documents_visible_to(w.outsider).filter(pk=doc.pk).exists()
    with pytest.raises(ServiceError, match="đã được ban hành"):
        resolutions.publish_resolution(user=w.secretary, resolution=r)
    assert Document.objects.filter(kind=DocumentKind.RESOLUTION).count() == 1
