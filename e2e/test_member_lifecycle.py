"""A branch secretary records a member's recognition as a full member on a phone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def test_secretary_records_a_recognition_as_full_member(page, server, world):
    from sotay.core.testing import make_member
    from sotay.members.lifecycle import record_event
    from sotay.members.models import Member, MemberStatus

    today = dt.date.today()
    person = make_member(
        world.branch, "Hà Thị Nhung", status=MemberStatus.PROBATIONARY, joined_on=None
    )
    record_event(actor=world.secretary, member=person, kind="ket_nap", decided_on=today - dt.timedelta(days=420),
                 effective_on=today - dt.timedelta(days=400), deciding_body="Đảng ủy phường An Hòa",
                 decision_number="125-QĐ/ĐU")  # fmt: skip
    probation_end = Member.objects.get(pk=person.pk).probation_ends_on

    sign_in(page, server, world.secretary.username)
    page.goto(f"{server}/dang-vien/{person.pk}/")
    card = page.locator("dl.card")
    expect(card.locator("dt", has_text="Tình trạng").locator("+ dd")).to_have_text("Dự bị")
    page.get_by_text("Ghi nhận sự kiện").click()
    page.get_by_label("Sự kiện").select_option("cong_nhan_chinh_thuc")
    # A decision without its number is refused and changes nothing.
    page.get_by_label("Ngày quyết định").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Cơ quan quyết định").fill("Đảng ủy phường An Hòa")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_text("Hãy ghi số quyết định.")).to_be_visible()
    assert Member.objects.get(pk=person.pk).status == MemberStatus.PROBATIONARY
    page.get_by_label("Số quyết định").fill("210-QĐ/ĐU")
    shoot(page, "member_event_form")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận").click()

    expect(page.locator(".msg-success")).to_have_text("Đã ghi: Công nhận đảng viên chính thức.")
    expect(card.locator("dt", has_text="Tình trạng").locator("+ dd")).to_have_text("Chính thức")
    expect(card.locator("dt", has_text="Ngày chính thức").locator("+ dd")).to_have_text(
        probation_end.strftime("%d/%m/%Y")
    )
    history = page.locator("ol.history > li")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("Công nhận đảng viên chính thức")
    expect(history.nth(1)).to_contain_text("210-QĐ/ĐU")
    member = Member.objects.get(pk=person.pk)
    assert member.status == MemberStatus.FULL and member.full_on == probation_end
    assert scroll_width(page) <= WIDTH
    shoot(page, "member_recognised")

    # Opened again: the page is kept (PostgreSQL) and served as it was rendered, with the
    # new status, without the message, and its form still carries a valid token.
    for _ in range(2):
        page.reload()
    expect(page.locator(".msg-success")).to_have_count(0)
    expect(card.locator("dt", has_text="Tình trạng").locator("+ dd")).to_have_text("Chính thức")
    expect(history).to_have_count(2)
    page.get_by_text("Ghi nhận sự kiện").click()
    page.get_by_label("Sự kiện").select_option("mien_sinh_hoat")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận").click()
    # the form refused it (a forged or stale token would have been a 403)
    expect(page.get_by_text("Hãy ghi ngày quyết định.")).to_be_visible()
    assert Member.objects.get(pk=person.pk).status == MemberStatus.FULL
    shoot(page, "member_record_kept")


def test_secretary_sees_the_work_queues(page, server, world):
    from sotay.core.testing import make_member
    from sotay.members.lifecycle import record_event
    from sotay.members.models import MemberStatus

    ceremony = dt.date.today() - dt.timedelta(days=350)
    person = make_member(
        world.branch, "Lê Thị Sắp", status=MemberStatus.PROBATIONARY, joined_on=None
    )
    record_event(actor=world.secretary, member=person, kind="ket_nap", decided_on=ceremony, effective_on=ceremony,
                 deciding_body="Đảng ủy phường An Hòa", decision_number="125-QĐ/ĐU")  # fmt: skip
    sign_in(page, server, world.secretary.username)
    page.get_by_role("link", name="Việc cần làm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")
    probation = page.locator("section[aria-labelledby=q-probation]")
    expect(probation).to_contain_text("Lê Thị Sắp")
    expect(page.locator("section[aria-labelledby=q-reg]")).to_contain_text("Đỗ Thị Lan")
    assert scroll_width(page) <= WIDTH
    shoot(page, "work_queues")
    with page.expect_navigation():
        probation.get_by_role("link", name="Lê Thị Sắp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lê Thị Sắp")


def test_member_requests_a_correction_and_the_secretary_resolves_it(page, server, world):
    from e2e.helpers import sign_out
    from sotay.members.models import CorrectionRequest, CorrectionStatus

    message = "Ngày vào Đảng của tôi là 19/05/2000, không phải 01/01/2000."
    sign_in(page, server, world.member.username)
    page.goto(f"{server}/dang-vien/{world.member.member_id}/")
    page.get_by_label("Thông tin nào sai và cần sửa thế nào").fill(message)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.locator(".msg-success")).to_have_text("Đã gửi đề nghị sửa hồ sơ tới chi bộ.")
    expect(page.locator("section[aria-labelledby=correction-h]")).to_contain_text("Chờ xử lý")
    assert scroll_width(page) <= WIDTH
    shoot(page, "correction_requested")
    sign_out(page, server)

    sign_in(page, server, world.secretary.username)
    page.goto(f"{server}/dang-vien/viec-can-lam/")
    req = CorrectionRequest.objects.get()
    card = page.locator(f"#corr-{req.pk}")
    expect(card).to_contain_text(message)
    card.get_by_label("Kết quả / lý do").fill("Đã sửa theo lý lịch gốc")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header would cover a scrolled capture
    shoot(page, "correction_queue")
    with page.expect_navigation():
        card.get_by_role("button", name="Đã sửa").click()
    expect(page.locator(".msg-success")).to_contain_text("Đã xử lý đề nghị của Nguyễn Văn An")
    assert CorrectionRequest.objects.get().status == CorrectionStatus.DONE
