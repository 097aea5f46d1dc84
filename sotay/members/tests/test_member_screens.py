import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay.audit.models import AuditEntry
from sotay.core.testing import make_member

pytestmark = pytest.mark.django_db


def test_search_ignores_diacritics_and_d(world, login):
    make_member(world.branch, "Đinh Thị Thùy Dương")
    client = login(world.secretary)
    for q in ("dinh thi thuy duong", "ĐINH THỊ", "thuy duong", "Đinh  Thị"):
        page = client.get(reverse("members:list"), {"q": q}).content.decode()
        assert "Đinh Thị Thùy Dương" in page, q


def test_search_stays_in_scope(world, login):
    make_member(world.other_province, "Nguyễn Văn An Xa")
    page = (
        login(world.secretary).get(reverse("members:list"), {"q": "nguyen van an"}).content.decode()
    )
    assert "Nguyễn Văn An" in page and "Nguyễn Văn An Xa" not in page
    page = login(world.secretary).get(reverse("members:list"), {"q": "Khánh"}).content.decode()
    assert "Bùi Văn Khánh" not in page  # sibling branch


def test_card_number_search(world, login):
    card = world.member.member.card_number
    page = login(world.secretary).get(reverse("members:list"), {"q": card}).content.decode()
    assert "Nguyễn Văn An" in page


def test_names_sort_by_given_name_in_vietnamese_order(world, login):
    for name in ("Trần Văn Ánh", "Lê Thị Bích", "Phạm Văn Ân", "Vũ Văn Đạt", "Hồ Thị Dung"):
        make_member(world.branch3, name)
    page = (
        login(world.province_officer)
        .get(reverse("members:list"), {"org": world.branch3.pk})
        .content.decode()
    )
    order = [
        n
        for n in ("Trần Văn Ánh", "Phạm Văn Ân", "Lê Thị Bích", "Hồ Thị Dung", "Vũ Văn Đạt")
        if n in page
    ]
    positions = [page.index(n) for n in order]
    assert len(order) == 5 and positions == sorted(positions)


def test_list_page_query_count_is_fixed_and_each_view_is_audited(world, login):
    client = login(world.province_officer)
    for i in range(40):
        make_member(world.branch3, f"Nguyễn Văn Số {i}")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("members:list"))
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 8
    assert (
        AuditEntry.objects.filter(action="members.listed", actor=world.province_officer).count()
        == 1
    )
    assert "Trang sau" in response.content.decode()


def test_htmx_search_returns_rows_only(world, login):
    page = (
        login(world.secretary)
        .get(reverse("members:list"), {"q": "an"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "<html" not in page and "Nguyễn Văn An" in page


def test_member_sees_own_record_but_not_others(world, login):
    client = login(world.member)
    assert client.get(reverse("members:detail", args=[world.member.member_id])).status_code == 200
    assert (
        client.get(reverse("members:detail", args=[world.probationary.member_id])).status_code
        == 404
    )


def test_broad_searches_are_capped_and_say_so(world, login, monkeypatch):
    from sotay.members import queries, views

    monkeypatch.setattr(queries, "SEARCH_CAP", 5)
    monkeypatch.setattr(views, "SEARCH_CAP", 5)
    monkeypatch.setattr(views, "PER_PAGE", 3)
    for i in range(8):
        make_member(world.branch, f"Nguyễn Văn Tìm {i}")
    client = login(world.secretary)
    first = client.get(reverse("members:list"), {"q": "tim"}).content.decode()
    assert first.count("Nguyễn Văn Tìm") == 3 and "Trang sau" in first
    second = client.get(reverse("members:list"), {"q": "tim", "page": 2}).content.decode()
    assert second.count("Nguyễn Văn Tìm") == 2 and "Trang sau" not in second
    assert "Chỉ hiển thị 5 người đầu tiên" in second
    names = [n for n in (f"Nguyễn Văn Tìm {i}" for i in range(8)) if n in first + second]
    assert names == sorted(names)  # still in name order within the cap


def _event_form(**over):
    data = {"kind": "mien_sinh_hoat", "effective_on": "", "decided_on": "", "deciding_body": "",
            "decision_number": "", "organization_code": "", "until": "", "note": ""}  # fmt: skip
    data.update(over)
    return data


def test_secretary_records_an_event_from_the_member_page(world, login):
    import datetime as dt

    from sotay.members.models import Member, MemberEvent

    client = login(world.secretary)
    url = reverse("members:record_event", args=[world.member.member_id])
    today = dt.date.today().strftime("%d/%m/%Y")
    bad = client.post(url, _event_form(decided_on=today, deciding_body="Chi bộ Khu phố 1"))
    assert bad.status_code == 400 and "Hãy ghi số quyết định." in bad.content.decode()
    bad_date = client.post(url, _event_form(decided_on="31/02/2026"))
    assert "Ngày phải theo dạng ngày/tháng/năm" in bad_date.content.decode()
    assert not MemberEvent.objects.exists()
    ok = client.post(
        url,
        _event_form(decided_on=today, deciding_body="Chi bộ Khu phố 1", decision_number="05-QĐ/CB"),
    )
    assert ok.status_code == 302
    assert Member.objects.get(pk=world.member.member_id).status == "mien_sinh_hoat"
    page = client.get(reverse("members:detail", args=[world.member.member_id])).content.decode()
    assert "Miễn công tác và sinh hoạt đảng" in page and "05-QĐ/CB" in page


def test_event_form_is_for_the_branch_only(world, login):
    from sotay.members.models import MemberEvent

    url = reverse("members:record_event", args=[world.member.member_id])
    assert login(world.outsider).post(url, _event_form(kind="tu_tran")).status_code == 404
    assert login(world.commune_officer).post(url, _event_form(kind="tu_tran")).status_code == 403
    assert login(world.member).post(url, _event_form(kind="tu_tran")).status_code == 403
    assert not MemberEvent.objects.exists()
    page = (
        login(world.commune_officer)
        .get(reverse("members:detail", args=[world.member.member_id]))
        .content.decode()
    )
    assert "Ghi nhận sự kiện" not in page


def test_the_receiving_branch_sees_and_accepts_a_transfer(world, login):
    import datetime as dt

    from sotay.members.lifecycle import record_event
    from sotay.members.models import Member
    from sotay.organizations.models import Position, Seat

    record_event(actor=world.secretary, member=world.member.member, kind="chuyen_chinh_thuc", organization=world.branch3,
                 decided_on=dt.date.today(), deciding_body="Chi bộ Khu phố 1", decision_number="07-QĐ/CB")  # fmt: skip
    Seat.objects.create(
        organization=world.branch3,
        member=world.province_officer.member,
        position=Position.SECRETARY,
        starts_on=dt.date.today(),
    )
    receiver = login(world.province_officer)
    page = receiver.get(reverse("members:detail", args=[world.member.member_id])).content.decode()
    assert "chờ tiếp nhận" in page and "Ghi nhận sự kiện" in page
    assert (
        receiver.post(
            reverse("members:record_event", args=[world.member.member_id]),
            _event_form(kind="tiep_nhan"),
        ).status_code
        == 302
    )
    assert Member.objects.get(pk=world.member.member_id).organization_id == world.branch3.pk


def test_a_branch_sees_a_member_attached_to_it_temporarily(world, login):
    import datetime as dt

    from sotay.core.dates import add_months
    from sotay.members.lifecycle import record_event
    from sotay.organizations.models import Position, Seat

    Seat.objects.create(
        organization=world.sibling,
        member=world.outsider.member,
        position=Position.SECRETARY,
        starts_on=dt.date.today(),
    )
    url = reverse("members:detail", args=[world.member.member_id])
    assert login(world.outsider).get(url).status_code == 404
    record_event(actor=world.secretary, member=world.member.member, kind="chuyen_tam_thoi", organization=world.sibling,
                 until=add_months(dt.date.today(), 6))  # fmt: skip
    page = login(world.outsider).get(url).content.decode()
    assert "Sinh hoạt tạm thời" in page and "Chi bộ Khu phố 2" in page


def test_the_record_shows_the_sheet_and_card_history(world, login):
    import datetime as dt

    from sotay.members.records import reissue_card, update_record

    m = world.member.member
    update_record(actor=world.office, member=m, changes={"ethnicity": "Mường", "political_theory": "cao_cap"},
                  expected_version=m.version, reason="Cập nhật lý lịch", approval_ref="15-CV/ĐU")  # fmt: skip
    reissue_card(actor=world.office, member=m, card_number="93.001234", issued_on=dt.date(2025, 8, 20),
                 reason="Đổi thẻ theo Chỉ thị 51", approval_ref="51-CT/TW")  # fmt: skip
    page = login(world.secretary).get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "Mường" in page and "Cao cấp" in page and "93.001234 cấp 20/08/2025" in page
