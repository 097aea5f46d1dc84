"""The member-record API: own record, scoped lists and details, lifecycle events, sheet
edits with optimistic versions, correction requests, photos. Same access, queries and
services as the pages; who may and who may not with every persona."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from PIL import Image

from sotay.accounts.services import create_api_token
from sotay.audit.models import AuditEntry
from sotay.core.testing import PERSONAS, make_member
from sotay.members.models import CorrectionRequest, Member, MemberStatus
from sotay.members.records import CONFLICT

pytestmark = pytest.mark.django_db
API = "/api/v1"
WHY = {"reason": "Cập nhật theo lý lịch mới", "approval_ref": "15-CV/ĐU"}


@pytest.fixture
def call(client):
    """call(persona_user, method, path, json=None) → response, signed with a fresh token."""

    def _call(user, method, path, body=None, **extra):
        headers = {}
        if user is not None:
            _, plain = create_api_token(user=user, name="test", ip="127.0.0.1")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
        send = getattr(client, method.lower())
        if body is not None and "content_type" not in extra:
            extra["content_type"] = "application/json"
        return (
            send(f"{API}{path}", body, **headers, **extra)
            if body is not None
            else send(f"{API}{path}", **headers, **extra)
        )

    return _call


@pytest.fixture
def foreign(world):
    return make_member(world.other_province, "Người Ngoài Tỉnh")


def jpeg(size=(300, 400)):
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "JPEG")
    return out.getvalue()


# ----- authentication ------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/members/me"),
        ("GET", "/members"),
        ("GET", "/members/1"),
        ("PATCH", "/members/1"),
        ("POST", "/members/1/events"),
        ("POST", "/members/me/corrections"),
        ("GET", "/members/1/photo"),
        ("POST", "/members/1/photo"),
    ],
)
def test_every_endpoint_needs_a_token(world, client, method, path):
    response = getattr(client, method.lower())(f"{API}{path}")
    assert response.status_code == 401
    assert "Mã truy cập" in response.json()["detail"] or "đăng nhập" in response.json()["detail"]


def test_a_pending_account_gets_403(world, call):
    for path in ("/members/me", "/members", f"/members/{world.member.member_id}"):
        assert call(world.pending, "GET", path).status_code == 403


# ----- own record ----------------------------------------------------------------------


def test_me_returns_the_whole_own_record_and_is_audited(world, call):
    response = call(world.member, "GET", "/members/me")
    assert response.status_code == 200
    data = response.json()
    person = world.member.member
    assert data["id"] == person.pk and data["full_name"] == "Nguyễn Văn An"
    assert data["organization"] == {"id": world.branch.pk, "code": "B1", "name": "Chi bộ Khu phố 1"}
    assert data["status_label"] == "Chính thức" and data["version"] == person.version
    assert data["events"] == [] and data["has_photo"] is False and "ethnicity" in data
    entry = AuditEntry.objects.get(action="members.viewed")
    assert entry.actor == world.member and entry.target_id == str(person.pk) and entry.note == "API"


def test_me_without_a_member_record_is_404(world, call):
    response = call(world.admin, "GET", "/members/me")
    assert response.status_code == 404
    assert response.json()["detail"] == "Tài khoản không gắn với đảng viên nào."


# ----- list ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member", "probationary", "outsider"])
def test_plain_members_may_not_list(world, call, persona):
    response = call(world.persona(persona), "GET", "/members")
    assert response.status_code == 403
    assert response.json()["detail"] == "Bạn không có quyền xem danh sách đảng viên."
    assert not AuditEntry.objects.filter(action="members.listed").exists()


def test_the_list_is_scoped_and_each_call_is_audited(world, call, foreign):
    names = [i["full_name"] for i in call(world.secretary, "GET", "/members").json()["items"]]
    assert "Nguyễn Văn An" in names and "Đỗ Thị Lan" in names
    assert "Bùi Văn Khánh" not in names and "Người Ngoài Tỉnh" not in names  # sibling, other
    data = call(world.admin, "GET", f"/members?org={world.other_province.pk}").json()
    assert [i["full_name"] for i in data["items"]] == ["Người Ngoài Tỉnh"]
    assert data["items"][0]["organization"]["code"] == "Q"
    assert set(data["items"][0]) == {
        "id",
        "full_name",
        "birth_year",
        "sex",
        "status",
        "status_label",
        "organization",
    }  # fmt: skip  (no sheet fields, phone or CCCD in a list)
    entries = AuditEntry.objects.filter(action="members.listed").order_by("id")
    assert [e.actor for e in entries] == [world.secretary, world.admin]
    assert entries[1].org_path == world.other_province.path
    assert entries[1].note == "API trang 1, 1 đảng viên"


def test_an_organisation_out_of_scope_is_404(world, call):
    response = call(world.commune_officer, "GET", f"/members?org={world.commune2.pk}")
    assert response.status_code == 404


def test_search_and_status_filters(world, call):
    make_member(world.branch, "Đinh Thị Thùy Dương", status=MemberStatus.PROBATIONARY)
    found = call(world.secretary, "GET", "/members?q=dinh thi thuy").json()["items"]
    assert [i["full_name"] for i in found] == ["Đinh Thị Thùy Dương"]
    probationary = call(world.secretary, "GET", "/members?status=du_bi").json()["items"]
    assert {i["full_name"] for i in probationary} == {"Trần Thị Bình", "Đinh Thị Thùy Dương"}
    bad = call(world.secretary, "GET", "/members?status=dang_vien")
    assert bad.status_code == 400 and bad.json()["field"] == "status"
    assert bad.json()["detail"].startswith("Tình trạng “dang_vien” không hợp lệ")


def test_pages_hold_at_most_50_and_no_parameter_gets_more(world, call, django_assert_num_queries):
    Member.objects.bulk_create(
        Member(full_name=f"Thành Viên {i:03d}", birth_date=dt.date(1980, 1, 1), sex="nam",
               organization=world.branch3).fill_derived()
        for i in range(60)
    )  # fmt: skip
    path = f"/members?org={world.branch3.pk}"
    first = call(world.province_officer, "GET", path).json()
    assert len(first["items"]) == 50 and first["has_next"] and first["per_page"] == 50
    second = call(world.province_officer, "GET", path + "&page=2").json()
    assert len(second["items"]) == 12 and not second["has_next"]  # 60 + 2 personas in B3
    ids = {i["id"] for i in first["items"]} | {i["id"] for i in second["items"]}
    assert len(ids) == 62
    assert len(call(world.province_officer, "GET", path + "&per_page=10").json()["items"]) == 10
    for bad in ("&per_page=51", "&per_page=100000", "&per_page=0", "&page=0"):
        response = call(world.province_officer, "GET", path + bad)
        assert response.status_code == 422 and "per_page từ 1 đến 50" in response.json()["detail"]
    # One page, whatever its length: the token (+ its last-use stamp), its user (kept in
    # the shared cache with Redis; the tests run without one), the grants (seats and
    # explicit roles in one statement), the organisation, the rows with their branch,
    # the audit row.
    _, plain = create_api_token(user=world.province_officer, name="t", ip="127.0.0.1")
    with django_assert_num_queries(7):
        Client().get(f"{API}{path}", HTTP_AUTHORIZATION=f"Bearer {plain}")


# ----- detail --------------------------------------------------------------------------

DETAIL = {p: 200 for p in PERSONAS} | {"probationary": 404, "outsider": 404, "pending": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_answers_by_scope(world, call, foreign, persona):
    user = world.persona(persona)
    response = call(user, "GET", f"/members/{world.member.member_id}")
    assert response.status_code == DETAIL[persona]
    other = call(user, "GET", f"/members/{foreign.pk}")
    assert other.status_code == {"admin": 200, "pending": 403}.get(persona, 404)
    if DETAIL[persona] == 404:
        assert response.json()["detail"] == "Không tìm thấy đảng viên."
    viewed = AuditEntry.objects.filter(action="members.viewed", actor=user).count()
    assert viewed == (DETAIL[persona] == 200) + (other.status_code == 200)


def test_detail_has_events_and_card_history(world, call, django_assert_num_queries):
    from sotay.members.lifecycle import record_event
    from sotay.members.records import reissue_card

    person = world.member.member
    record_event(actor=world.secretary, member=person, kind="mien_sinh_hoat", decided_on=dt.date.today(),
                 deciding_body="Chi bộ Khu phố 1", decision_number="05-QĐ/CB")  # fmt: skip
    reissue_card(actor=world.office, member=person, card_number="AB123456", issued_on=dt.date(2025, 8, 1),
                 reason="Đổi thẻ theo Chỉ thị 51", approval_ref="51-CT/TW")  # fmt: skip
    data = call(world.secretary, "GET", f"/members/{person.pk}").json()
    assert data["status"] == "mien_sinh_hoat"
    assert data["events"][0]["kind_label"] == "Miễn công tác và sinh hoạt đảng"
    assert data["events"][0]["decision_number"] == "05-QĐ/CB"
    assert [c["card_number"] for c in data["cards"]] == [person.card_number, "AB123456"]
    assert data["cards"][0]["ended_on"] == "2025-08-01" and data["card_number"] == "AB123456"
    # Token, its user (kept in the shared cache with Redis; the tests run without one),
    # grants (one statement), the member, the audit row, then events, cards and badges:
    # one query each, however many there are.
    _, plain = create_api_token(user=world.secretary, name="t", ip="127.0.0.1")
    with django_assert_num_queries(9):
        Client().get(f"{API}/members/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {plain}")


# ----- PATCH: sheet edits --------------------------------------------------------------


def _patch(call, user, person, changes, version=None, **why):
    body = {**WHY, **why, "version": person.version if version is None else version}
    return call(user, "PATCH", f"/members/{person.pk}", {**body, "changes": changes})


def test_office_edits_the_sheet_and_the_version_moves_on(world, call):
    person = world.member.member
    response = _patch(call, world.office, person, {"religion": "Phật giáo", "ethnicity": "Tày"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["religion"] == "Phật giáo" and data["version"] == person.version + 1
    entry = AuditEntry.objects.get(action="members.edited")
    assert entry.changes == {"religion": ["", "Phật giáo"], "ethnicity": ["", "Tày"]}
    assert "15-CV/ĐU" in entry.note and entry.actor == world.office


def test_a_stale_version_answers_409_and_saves_nothing(world, call):
    person = world.member.member
    assert _patch(call, world.office, person, {"religion": "Phật giáo"}).status_code == 200
    stale = _patch(call, world.admin, person, {"religion": "Công giáo"})  # read before the edit
    assert stale.status_code == 409 and stale.json()["detail"] == CONFLICT
    assert Member.objects.get(pk=person.pk).religion == "Phật giáo"
    assert AuditEntry.objects.filter(action="members.edited").count() == 1


@pytest.mark.parametrize(
    "persona,expected",
    [("secretary", 403), ("commune_officer", 403), ("inspector", 403), ("member", 403),
     ("outsider", 404), ("probationary", 404), ("office", 200), ("admin", 200)],
)  # fmt: skip
def test_who_may_edit(world, call, persona, expected):
    person = world.member.member
    response = _patch(call, world.persona(persona), person, {"religion": "Phật giáo"})
    assert response.status_code == expected
    assert (Member.objects.get(pk=person.pk).religion == "Phật giáo") == (expected == 200)


@pytest.mark.parametrize(
    "changes,why,status,field,message",
    [
        ({"ethnicity": "Kinh Tế"}, {}, 400, "ethnicity", "không có trong danh mục dân tộc"),
        ({"cccd": "123"}, {}, 400, "cccd", "Số CCCD phải gồm đúng 12 chữ số."),
        ({"phone": "12345"}, {}, 400, "phone", "Số điện thoại không hợp lệ"),
        ({"birth_date": "2100-01-01"}, {}, 400, "birth_date", "Ngày sinh không hợp lệ."),
        ({"birth_date": "31/02/2020"}, {}, 422, "changes.birth_date", "phải là ngày dạng YYYY-MM-DD"),
        ({"religon": "Phật giáo"}, {}, 422, "changes.religon", "không phải là trường được phép"),
        ({"religion": "Phật giáo"}, {"reason": "ok"}, 400, "reason", "Hãy ghi lý do thay đổi"),
        ({"religion": "Phật giáo"}, {"approval_ref": ""}, 400, "approval_ref", "số văn bản phê duyệt"),
        ({}, {}, 400, None, "Không có thay đổi nào để lưu."),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_in_vietnamese_and_saves_nothing(
    world, call, changes, why, status, field, message
):
    person = world.member.member
    body_changes = {"religion": "Phật giáo", **changes} if changes else {}
    response = _patch(call, world.office, person, body_changes, **why)
    assert response.status_code == status, response.content
    data = response.json()
    assert message in data["detail"]
    if status == 422:
        assert f"trường “{field}”" in data["detail"] and data["errors"][0]["field"] == field
    elif field:
        assert data["field"] == field
    fresh = Member.objects.get(pk=person.pk)
    assert fresh.religion == "" and fresh.version == person.version
    assert not AuditEntry.objects.filter(action="members.edited").exists()


def test_a_body_that_is_not_json_is_refused_in_vietnamese(world, call):
    person = world.member.member
    response = call(world.office, "PATCH", f"/members/{person.pk}", "{religion: ",
                    content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["detail"] == "Nội dung gửi lên không phải là JSON hợp lệ."
    missing = call(world.office, "PATCH", f"/members/{person.pk}", {"changes": {}})
    assert missing.status_code == 422 and "trường “version” là bắt buộc" in missing.json()["detail"]


# ----- lifecycle events ----------------------------------------------------------------

EXEMPTION = {
    "kind": "mien_sinh_hoat", "decided_on": dt.date.today().isoformat(),
    "deciding_body": "Chi bộ Khu phố 1", "decision_number": "07-QĐ/CB",
}  # fmt: skip


def test_the_secretary_records_an_event(world, call):
    person = world.member.member
    response = call(world.secretary, "POST", f"/members/{person.pk}/events", EXEMPTION)
    assert response.status_code == 201, response.content
    assert response.json()["kind_label"] == "Miễn công tác và sinh hoạt đảng"
    assert Member.objects.get(pk=person.pk).status == MemberStatus.EXEMPT
    assert AuditEntry.objects.filter(action="members.event.mien_sinh_hoat").count() == 1


def test_a_transfer_names_the_receiving_branch_by_code(world, call):
    person = world.member.member
    body = {**EXEMPTION, "kind": "chuyen_chinh_thuc", "organization_code": "b3"}
    response = call(world.secretary, "POST", f"/members/{person.pk}/events", body)
    assert response.status_code == 201, response.content
    assert response.json()["organization"]["code"] == "B3"
    assert Member.objects.get(pk=person.pk).transit_organization_id == world.branch3.pk
    unknown = call(world.secretary, "POST", f"/members/{person.pk}/events",
                   {**body, "organization_code": "ZZ9"})  # fmt: skip
    assert unknown.status_code == 400 and unknown.json() == {
        "detail": "Không có tổ chức mã ZZ9.", "field": "organization_code",
    }  # fmt: skip


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"decision_number": ""}, "decision_number", "Hãy ghi số quyết định."),
        ({"decided_on": None}, "decided_on", "Hãy ghi ngày quyết định."),
        ({"kind": "phong_tang"}, "kind", "Loại sự kiện không hợp lệ."),
        ({"effective_on": "2999-01-01"}, "effective_on", "Ngày hiệu lực không được sau hôm nay."),
    ],
)
def test_events_are_checked_by_the_same_rules_as_the_page(world, call, changes, field, message):
    person = world.member.member
    response = call(
        world.secretary, "POST", f"/members/{person.pk}/events", {**EXEMPTION, **changes}
    )
    assert response.status_code == 400
    assert response.json() == {"detail": message, "field": field}
    assert not person.events.exists()
    assert Member.objects.get(pk=person.pk).status == MemberStatus.FULL


@pytest.mark.parametrize(
    "persona,expected",
    [("commune_officer", 403), ("inspector", 403), ("member", 403), ("outsider", 404),
     ("office", 201), ("admin", 201)],
)  # fmt: skip
def test_who_may_record_events(world, call, persona, expected):
    person = world.member.member
    response = call(world.persona(persona), "POST", f"/members/{person.pk}/events", EXEMPTION)
    assert response.status_code == expected
    assert person.events.exists() == (expected == 201)


# ----- correction requests -------------------------------------------------------------


def test_a_member_asks_for_a_correction(world, call):
    message = "Ngày vào Đảng của tôi là 19/05/2000, không phải 01/01/2000."
    response = call(world.member, "POST", "/members/me/corrections", {"message": message})
    assert response.status_code == 201
    assert response.json()["status_label"] == "Chờ xử lý"
    req = CorrectionRequest.objects.get()
    assert req.member_id == world.member.member_id and req.message == message
    assert AuditEntry.objects.filter(action="members.correction_requested").count() == 1


def test_correction_refusals(world, call):
    short = call(world.member, "POST", "/members/me/corrections", {"message": "sai"})
    assert short.status_code == 400 and short.json()["field"] == "message"
    no_member = call(world.admin, "POST", "/members/me/corrections", {"message": "x" * 20})
    assert no_member.status_code == 403
    pending = call(world.pending, "POST", "/members/me/corrections", {"message": "x" * 20})
    assert pending.status_code == 403
    assert not CorrectionRequest.objects.exists()


# ----- photo ---------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _upload(call, user, person, data, reason="Ảnh chụp mới năm 2026"):
    return call(user, "POST", f"/members/{person.pk}/photo",
                {"photo": SimpleUploadedFile("a.jpg", data, "image/jpeg"), "reason": reason},
                content_type=MULTIPART_CONTENT)  # fmt: skip


def test_photo_upload_and_download_through_the_api(world, call, media):
    person = world.member.member
    assert call(world.secretary, "GET", f"/members/{person.pk}/photo").status_code == 404
    response = _upload(call, world.office, person, jpeg((900, 1200)))
    assert response.status_code == 200, response.content
    assert response.json()["has_photo"] is True
    photo = call(world.secretary, "GET", f"/members/{person.pk}/photo")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(b"".join(photo.streaming_content))).size == (450, 600)
    assert call(world.outsider, "GET", f"/members/{person.pk}/photo").status_code == 404
    assert AuditEntry.objects.filter(action="members.photo_viewed").count() == 1


def test_photo_upload_refusals(world, call, media):
    person = world.member.member
    text = _upload(call, world.office, person, b"khong phai anh " * 50)
    assert text.status_code == 400 and text.json()["field"] == "photo"
    assert text.json()["detail"].startswith("Ảnh chân dung: ")
    assert _upload(call, world.secretary, person, jpeg()).status_code == 403
    assert _upload(call, world.member, person, jpeg()).status_code == 403
    assert _upload(call, world.outsider, person, jpeg()).status_code == 404
    assert not Member.objects.get(pk=person.pk).photo and not list(media.rglob("*.jpg"))
