"""Preparing a meeting: editing the draft, agenda, materials, the monthly pattern,
comments on the draft, the announcement's notices, the committee member following the
branch and the preparation warnings."""

import datetime as dt
import zoneinfo

import pytest

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.testing import make_member, make_user
from sotay.documents.testing import docx_bytes, make_document, pdf_bytes
from sotay.meetings import planning, services
from sotay.meetings.models import (
    AgendaItem,
    DraftComment,
    Liaison,
    Material,
    Meeting,
    MeetingKind,
    MeetingPattern,
    MeetingState,
)
from sotay.meetings.queries import meetings_visible_to
from sotay.notifications.models import Notice, Receipt

T = dt.timedelta
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def draft(world):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    world.now = now
    world.draft = services.schedule_meeting(
        user=world.secretary,
        organization=world.branch,
        topic="Sinh hoạt thường kỳ tháng 12",
        starts_at=now + T(days=3),
        ends_at=now + T(days=3, minutes=120),
        place="Nhà văn hóa",
    )
    return world


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    return tmp_path


def edit(w, user=None, **over):
    values = {
        "topic": "Chủ đề mới",
        "starts_at": w.now + T(days=4),
        "ends_at": w.now + T(days=4, minutes=150),
        "kind": MeetingKind.REGULAR,
        "place": "Hội trường",
    }
    values.update(over)
    return planning.update_meeting(user=user or w.secretary, meeting=w.draft, **values)


# --- editing -----------------------------------------------------------------------------


def test_the_secretary_edits_a_draft_and_it_is_audited(draft):
    meeting = edit(draft, with_thematic=True)
    meeting.refresh_from_db()
    assert meeting.topic == "Chủ đề mới" and meeting.with_thematic
    assert meeting.ends_at - meeting.starts_at == T(minutes=150)
    assert AuditEntry.objects.filter(action="meetings.edit").exists()


@pytest.mark.parametrize(
    "persona", ["member", "probationary", "outsider", "office", "commune_officer"]
)
def test_others_may_not_edit_the_draft(draft, persona):
    with pytest.raises(PermissionDenied):
        edit(draft, user=draft.persona(persona))
    draft.draft.refresh_from_db()
    assert draft.draft.topic == "Sinh hoạt thường kỳ tháng 12"


def test_an_announced_meeting_is_not_edited(draft):
    services.announce_meeting(user=draft.secretary, meeting=draft.draft)
    with pytest.raises(ServiceError, match="dự thảo"):
        edit(draft)


def test_bad_times_are_refused_and_nothing_changes(draft):
    with pytest.raises(ServiceError, match="sau thời gian bắt đầu"):
        edit(draft, ends_at=draft.now)
    with pytest.raises(ServiceError, match="24 giờ"):
        edit(draft, ends_at=draft.now + T(days=6))
    draft.draft.refresh_from_db()
    assert draft.draft.topic == "Sinh hoạt thường kỳ tháng 12"


def test_thematic_flag_only_applies_to_a_regular_meeting(draft):
    meeting = edit(draft, kind=MeetingKind.EXTRAORDINARY, with_thematic=True)
    assert meeting.with_thematic is False


# --- agenda ----------------------------------------------------------------------------------


def titles(meeting):
    return list(meeting.agenda.order_by("position").values_list("title", "position"))


def test_agenda_items_are_added_moved_edited_and_removed_in_order(draft):
    w = draft
    a = planning.add_agenda_item(
        user=w.secretary, meeting=w.draft, title="Một", presenter=w.secretary.member
    )
    b = planning.add_agenda_item(
        user=w.secretary, meeting=w.draft, title="Hai", presenter_name="Khách mời X"
    )
    planning.add_agenda_item(user=w.secretary, meeting=w.draft, title="Ba")
    assert titles(w.draft) == [("Một", 1), ("Hai", 2), ("Ba", 3)]
    planning.move_agenda_item(user=w.secretary, item=b, offset=-1)
    assert titles(w.draft) == [("Hai", 1), ("Một", 2), ("Ba", 3)]
    planning.move_agenda_item(user=w.secretary, item=b, offset=-1)  # already first
    assert titles(w.draft) == [("Hai", 1), ("Một", 2), ("Ba", 3)]
    planning.update_agenda_item(
        user=w.secretary, item=a, title="Một (sửa)", presenter=None, presenter_name=""
    )
    planning.remove_agenda_item(user=w.secretary, item=AgendaItem.objects.get(title="Hai"))
    assert titles(w.draft) == [("Một (sửa)", 1), ("Ba", 2)]
    assert AgendaItem.objects.get(title="Một (sửa)").presenter is None
    assert AgendaItem.objects.filter(presenter_name="Khách mời X").count() == 0


def test_a_presenter_from_another_branch_is_refused(draft):
    with pytest.raises(ServiceError, match="sinh hoạt tại"):
        planning.add_agenda_item(
            user=draft.secretary, meeting=draft.draft, title="X", presenter=draft.outsider.member
        )
    assert not AgendaItem.objects.exists()


def test_only_who_runs_the_meeting_changes_the_agenda(draft):
    with pytest.raises(PermissionDenied):
        planning.add_agenda_item(user=draft.member, meeting=draft.draft, title="X")


def test_the_agenda_is_frozen_once_the_meeting_started(meeting_world):
    w = meeting_world
    services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now)
    with pytest.raises(ServiceError, match="đã bắt đầu"):
        planning.add_agenda_item(user=w.secretary, meeting=w.meeting, title="Muộn")


# --- materials ---------------------------------------------------------------------------------


def test_a_published_library_document_is_linked_once(draft):
    w = draft
    doc = make_document(w, w.branch, title="Dự thảo nghị quyết tháng 12")
    material = planning.add_material_document(user=w.secretary, meeting=w.draft, document=doc)
    assert material.title == "Dự thảo nghị quyết tháng 12"
    with pytest.raises(ServiceError, match="đã có"):
        planning.add_material_document(user=w.secretary, meeting=w.draft, document=doc)


def test_a_document_outside_the_users_library_is_refused(draft):
    w = draft
    foreign = make_document(w, w.sibling, title="Của chi bộ khác")
    unpublished = make_document(w, w.branch, title="Nháp", publish=False)
    for doc in (foreign, unpublished):
        with pytest.raises(ServiceError, match="ban hành"):
            planning.add_material_document(user=w.secretary, meeting=w.draft, document=doc)
    assert not Material.objects.exists()


def test_uploads_are_checked_by_content_and_size(draft, private):
    w = draft
    pdf = planning.add_material_file(
        user=w.secretary, meeting=w.draft, data=pdf_bytes("Du thao"), filename="du-thao.pdf"
    )
    assert pdf.content_type == "application/pdf" and pdf.label == "PDF"
    docx = planning.add_material_file(
        user=w.secretary, meeting=w.draft, data=docx_bytes("Báo cáo"), filename="bao-cao.docx"
    )
    assert docx.label == "DOCX"
    with pytest.raises(ServiceError, match="PDF hoặc Word"):
        planning.add_material_file(
            user=w.secretary, meeting=w.draft, data=b"MZ\x90\x00 not a pdf", filename="virus.pdf"
        )
    with pytest.raises(ServiceError, match="20 MB"):
        planning.add_material_file(
            user=w.secretary,
            meeting=w.draft,
            data=b"%PDF-" + b"0" * (20 * 1024 * 1024),
            filename="to.pdf",
        )
    with pytest.raises(ServiceError, match="rỗng"):
        planning.add_material_file(user=w.secretary, meeting=w.draft, data=b"", filename="x.pdf")
    assert Material.objects.count() == 2
    assert len(list(private.rglob("*"))) >= 2


def test_removing_a_file_material_deletes_it(draft, private, django_capture_on_commit_callbacks):
    w = draft
    pdf = planning.add_material_file(
        user=w.secretary, meeting=w.draft, data=pdf_bytes("x"), filename="a.pdf"
    )
    path = private / pdf.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        planning.remove_material(user=w.secretary, material=pdf)
    assert not Material.objects.exists() and not path.exists()


def test_members_may_not_add_materials(draft, private):
    with pytest.raises(PermissionDenied):
        planning.add_material_file(
            user=draft.member, meeting=draft.draft, data=pdf_bytes("x"), filename="a.pdf"
        )


# --- warnings ------------------------------------------------------------------------------------


def test_warnings_name_short_meetings_and_late_materials(draft, private):
    w = draft
    warn = planning.warnings(w.draft, now=w.now)
    assert any("Chưa có tài liệu" in x for x in warn)
    assert not any("phút" in x for x in warn)  # 120 minutes is enough
    edit(w, ends_at=w.now + T(days=4, minutes=80))
    warn = planning.warnings(Meeting.objects.get(pk=w.draft.pk), now=w.now)
    assert any("80 phút" in x and "90 phút" in x for x in warn)
    edit(w, ends_at=w.now + T(days=4, minutes=100), with_thematic=True)
    warn = planning.warnings(Meeting.objects.get(pk=w.draft.pk), now=w.now)
    assert any("100 phút" in x and "120 phút" in x for x in warn)


def test_materials_announced_a_day_ahead_raise_no_warning_late_ones_do(meeting_world, private):
    w = meeting_world  # announced, starts in ten minutes
    meeting = w.meeting
    Meeting.objects.filter(pk=meeting.pk).update(announced_at=w.now - T(days=2))
    meeting.refresh_from_db()
    planning.add_material_file(
        user=w.secretary, meeting=meeting, data=pdf_bytes("x"), filename="a.pdf"
    )
    warn = planning.warnings(meeting, now=w.now)
    assert any("đăng muộn" in x and "a.pdf" in x for x in warn)
    Material.objects.update(created_at=w.now - T(days=2))
    assert planning.warnings(meeting, now=w.now) == []


def test_a_draft_close_to_its_start_warns_that_materials_cannot_be_in_time(draft, private):
    w = draft
    planning.add_material_file(
        user=w.secretary, meeting=w.draft, data=pdf_bytes("x"), filename="a.pdf"
    )
    assert planning.warnings(w.draft, now=w.now) == []
    late = planning.warnings(w.draft, now=w.draft.starts_at - T(hours=5))
    assert any("chưa được công bố" in x for x in late)


# --- comments ----------------------------------------------------------------------------------------


def test_summoned_members_comment_on_the_announced_draft(meeting_world):
    w = meeting_world
    c = planning.add_comment(user=w.probationary, meeting=w.meeting, body="Đề nghị bổ sung mục 2.")
    assert c.author_name == "Trần Thị Bình"
    planning.add_comment(user=w.guest, meeting=w.meeting, body="Tôi sinh hoạt tạm thời, góp ý.")
    assert DraftComment.objects.count() == 2


def test_comments_are_refused_outside_the_branch_on_drafts_and_after_start(meeting_world, draft):
    w = meeting_world
    with pytest.raises(PermissionDenied):
        planning.add_comment(user=w.outsider, meeting=w.meeting, body="x")
    with pytest.raises(ServiceError, match="đã thông báo"):
        planning.add_comment(user=w.member, meeting=w.draft, body="x")
    with pytest.raises(ServiceError, match="nội dung góp ý"):
        planning.add_comment(user=w.member, meeting=w.meeting, body="   ")
    services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now)
    with pytest.raises(ServiceError, match="chưa bắt đầu"):
        planning.add_comment(user=w.member, meeting=w.meeting, body="x")
    assert not DraftComment.objects.exists()


# --- announcement and the liaison ----------------------------------------------------------------------


def test_announcing_notifies_every_summoned_member_and_the_liaison_in_one_notice(draft):
    w = draft
    w.guest = make_user(make_member(w.sibling, "Mai Văn Sơn", temp_organization=w.branch))
    planning.assign_liaison(
        user=w.office,
        organization=w.branch,
        member=w.commune_officer.member,
        starts_on=dt.date.today(),
    )
    services.announce_meeting(user=w.secretary, meeting=w.draft)
    notice = Notice.objects.get()
    users = set(Receipt.objects.filter(notice=notice).values_list("user_id", flat=True))
    # the branch's active accounts, the member attached from B2, and the liaison; the
    # pending registrant and the sibling branch are not told
    expected = {w.member.pk, w.probationary.pk, w.secretary.pk, w.guest.pk, w.commune_officer.pk}
    assert users == expected
    assert notice.recipient_count == 5
    assert notice.url == f"/sinh-hoat/{w.draft.pk}/"
    assert "Nhà văn hóa" in notice.body


def test_the_announcement_writes_receipts_in_one_statement(draft):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = draft
    with CaptureQueriesContext(connection) as few:
        services.announce_meeting(user=w.secretary, meeting=w.draft)
    assert Receipt.objects.count() == 3
    for i in range(30):
        make_user(make_member(w.branch, f"Đảng viên {i}"))
    second = services.schedule_meeting(
        user=w.secretary, organization=w.branch, topic="Lần hai",
        starts_at=w.now + T(days=9), ends_at=w.now + T(days=9, hours=2), place="X",
    )  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        services.announce_meeting(user=w.secretary, meeting=second)
    assert Receipt.objects.count() == 3 + 33
    assert len(many.captured_queries) == len(few.captured_queries)
    inserts = [q for q in many.captured_queries if "INSERT INTO notifications_receipt" in q["sql"]]
    assert len(inserts) == 1


def test_the_liaison_sees_the_branchs_announced_meetings_not_drafts(draft):
    w = draft
    officer = w.province_officer  # sits on the province committee, not on C1
    assert not meetings_visible_to(officer).filter(pk=w.draft.pk).exists()
    planning.assign_liaison(
        user=w.admin, organization=w.branch, member=officer.member, starts_on=dt.date.today()
    )
    assert not meetings_visible_to(officer).filter(pk=w.draft.pk).exists()  # still a draft
    services.announce_meeting(user=w.secretary, meeting=w.draft)
    assert meetings_visible_to(officer).filter(pk=w.draft.pk).exists()


def test_a_liaison_must_sit_on_a_committee_above_and_be_named_by_the_office(draft):
    w = draft
    today = dt.date.today()
    with pytest.raises(PermissionDenied):
        planning.assign_liaison(
            user=w.secretary,
            organization=w.branch,
            member=w.commune_officer.member,
            starts_on=today,
        )
    with pytest.raises(ServiceError, match="cấp ủy viên cấp trên"):
        planning.assign_liaison(
            user=w.office, organization=w.branch, member=w.member.member, starts_on=today
        )
    assert not Liaison.objects.exists()


def test_a_new_liaison_ends_the_running_assignment_and_overlaps_are_refused(draft):
    w = draft
    today = dt.date.today()
    first = planning.assign_liaison(
        user=w.admin,
        organization=w.branch,
        member=w.commune_officer.member,
        starts_on=today - T(days=30),
    )
    planning.assign_liaison(
        user=w.admin, organization=w.branch, member=w.province_officer.member, starts_on=today
    )
    first.refresh_from_db()
    assert first.ends_on == today
    assert planning.current_liaison(w.branch).member == w.province_officer.member
    with pytest.raises(ServiceError, match="đã có"):
        planning.assign_liaison(
            user=w.admin,
            organization=w.branch,
            member=w.commune_officer.member,
            starts_on=today - T(days=10),
            ends_on=today + T(days=5),
        )


# --- monthly pattern ---------------------------------------------------------------------------------


def pattern(w, **over):
    values = {
        "organization": w.branch,
        "day_of_month": 5,
        "start_time": dt.time(19, 30),
        "duration_minutes": 120,
        "topic": "Sinh hoạt chi bộ thường kỳ",
        "place": "Nhà văn hóa",
    }
    values.update(over)
    return planning.save_pattern(user=w.secretary, **values)


def test_the_pattern_drafts_the_next_months_without_duplicates(world):
    w = world
    p = pattern(w)
    now = dt.datetime(2026, 12, 2, 10, 0, tzinfo=HCM)
    created = planning.draft_from_pattern(user=w.secretary, pattern=p, months=3, now=now)
    starts = [m.starts_at.astimezone(HCM) for m in created]
    assert [(s.day, s.month, s.year, s.hour, s.minute) for s in starts] == [
        (5, 12, 2026, 19, 30), (5, 1, 2027, 19, 30), (5, 2, 2027, 19, 30),
    ]  # fmt: skip
    assert all(m.state == MeetingState.DRAFT for m in created)
    assert created[0].topic == "Sinh hoạt chi bộ thường kỳ tháng 12/2026"
    assert all((m.ends_at - m.starts_at) == T(minutes=120) for m in created)
    again = planning.draft_from_pattern(user=w.secretary, pattern=p, months=4, now=now)
    assert [m.starts_at.astimezone(HCM).month for m in again] == [3]
    assert Meeting.objects.count() == 4


def test_the_pattern_skips_a_day_already_passed_and_clamps_to_the_month_end(world):
    w = world
    p = pattern(w, day_of_month=31)
    now = dt.datetime(2027, 1, 31, 20, 0, tzinfo=HCM)  # after 19:30 on the 31st
    created = planning.draft_from_pattern(user=w.secretary, pattern=p, months=2, now=now)
    assert [m.starts_at.astimezone(HCM).date() for m in created] == [
        dt.date(2027, 2, 28), dt.date(2027, 3, 31),
    ]  # fmt: skip


def test_a_month_with_a_meeting_already_scheduled_by_hand_gets_no_draft(world):
    w = world
    services.schedule_meeting(
        user=w.secretary,
        organization=w.branch,
        topic="Đã lập tay",
        starts_at=dt.datetime(2026, 12, 10, 19, 0, tzinfo=HCM),
        ends_at=dt.datetime(2026, 12, 10, 21, 0, tzinfo=HCM),
        place="X",
    )
    p = pattern(w)
    created = planning.draft_from_pattern(
        user=w.secretary, pattern=p, months=3, now=dt.datetime(2026, 12, 1, tzinfo=HCM)
    )
    # the next three months are December (already has its meeting), January, February
    assert [m.starts_at.astimezone(HCM).month for m in created] == [1, 2]


def test_pattern_rules(world):
    w = world
    with pytest.raises(PermissionDenied):
        planning.save_pattern(
            user=w.member, organization=w.branch, day_of_month=5, start_time=dt.time(19),
            duration_minutes=120, topic="x", place="y",
        )  # fmt: skip
    with pytest.raises(ServiceError, match="1 đến 31"):
        pattern(w, day_of_month=0)
    with pytest.raises(ServiceError, match="30 đến 600"):
        pattern(w, duration_minutes=10)
    p = pattern(w)
    with pytest.raises(ServiceError, match="1 đến 12"):
        planning.draft_from_pattern(user=w.secretary, pattern=p, months=40)
    with pytest.raises(PermissionDenied):
        planning.draft_from_pattern(user=w.outsider, pattern=p, months=1)
    pattern(w, day_of_month=7)
    assert MeetingPattern.objects.get().day_of_month == 7


# --- QR ticket -----------------------------------------------------------------------------------------


def test_a_scanned_code_becomes_a_ticket_for_that_member_only(meeting_world):
    from sotay.meetings.models import Attendance, CheckInMethod

    w = meeting_world
    services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now)
    code = services.qr_code(w.meeting, w.now)
    ticket = services.qr_ticket(user=w.member, meeting=w.meeting, code=code, now=w.now)
    # someone else's ticket does not check this member in
    with pytest.raises(ServiceError, match="hết hạn"):
        services.check_in(
            user=w.probationary, meeting=w.meeting, method=CheckInMethod.QR, ticket=ticket,
            now=w.now + T(seconds=60),
        )  # fmt: skip
    # a ticket older than two minutes is refused
    with pytest.raises(ServiceError, match="hết hạn"):
        services.check_in(
            user=w.member, meeting=w.meeting, method=CheckInMethod.QR, ticket=ticket,
            now=w.now + T(seconds=services.QR_TICKET_AGE + 1),
        )  # fmt: skip
    services.check_in(
        user=w.member, meeting=w.meeting, method=CheckInMethod.QR, ticket=ticket,
        now=w.now + T(seconds=90),
    )  # fmt: skip
    a = Attendance.objects.get(entry__meeting=w.meeting, entry__member=w.member.member)
    assert a.status == "present" and a.method == CheckInMethod.QR
    # a photographed code, opened later, gives no ticket
    with pytest.raises(ServiceError, match="hết hạn"):
        services.qr_ticket(
            user=w.probationary, meeting=w.meeting, code=code, now=w.now + T(seconds=70)
        )
