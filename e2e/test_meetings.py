"""A branch meeting night on phones: the secretary schedules and announces the meeting,
starts it and shows the rotating QR code; two members check in (one with the button, one
through the QR URL) and vote on an open motion and a secret ballot; the secretary closes
both votes and reads the frozen results."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.helpers import WIDTH, is_nfc, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def _times():
    """Today's local day, a start a minute ago and an end two hours later (kept on the
    same day: the form takes one day and two times)."""
    now = timezone.localtime() - dt.timedelta(minutes=1)
    end = min(now + dt.timedelta(minutes=120), now.replace(hour=23, minute=59))
    return now.date().isoformat(), now.strftime("%H:%M"), end.strftime("%H:%M")


def test_secretary_runs_the_meeting_while_members_check_in_and_vote(
    new_page, server, world, settings, tmp_path
):
    from sotay.core.testing import make_member, make_user
    from sotay.documents.testing import pdf_bytes
    from sotay.meetings.models import Meeting, Motion, Vote, VoterMark

    settings.PRIVATE_ROOT = tmp_path

    # The run screen refreshes its live part over htmx every 10 s. Under the test's
    # in-memory SQLite, a refresh landing while another page writes its session makes
    # SQLite answer "table is locked"; the test reloads instead (PostgreSQL is fine).
    settings.SOTAY_MEETING_LIVE_REFRESH = 3600
    second = make_user(make_member(world.branch, "Hoàng Thị Hoa"))
    secretary = new_page()
    alpha = new_page()  # Nguyễn Văn An: checks in with the button
    beta = new_page()  # Hoàng Thị Hoa: checks in through the QR URL
    for p in (secretary, alpha, beta):
        p.on("dialog", lambda d: d.accept())

    # The secretary schedules and announces the meeting.
    sign_in(secretary, server, world.secretary.username)
    secretary.get_by_role("link", name="Sinh hoạt").click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Sinh hoạt chi bộ")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Lập lịch họp").click()
    day, start, end = _times()
    secretary.get_by_label("Chủ đề").fill("Sinh hoạt chi bộ thường kỳ tháng 12")
    secretary.get_by_label("Ngày họp").fill(day)
    secretary.get_by_label("Giờ bắt đầu").fill(start)
    secretary.get_by_label("Giờ kết thúc").fill(end)
    secretary.get_by_label("Địa điểm").fill("Nhà văn hóa khu phố 1")
    assert scroll_width(secretary) <= WIDTH
    secretary.evaluate("window.scrollTo(0, 0)")
    shoot(secretary, "meetings_schedule_form")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Lưu dự thảo").click()
    expect(secretary.locator(".msg-success")).to_contain_text("Đã lưu dự thảo lịch họp")
    meeting = Meeting.objects.get(topic="Sinh hoạt chi bộ thường kỳ tháng 12")
    secretary.get_by_text("Thêm nội dung chương trình").click()
    secretary.locator("#agenda form").last.get_by_label("Nội dung").fill(
        "Đánh giá kết quả thực hiện nghị quyết tháng 11"
    )
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Thêm", exact=True).click()
    expect(secretary.locator(".agenda-title")).to_have_text(
        ["Đánh giá kết quả thực hiện nghị quyết tháng 11"]
    )
    # After 22:00 local time the meeting is shorter than 90 minutes (it ends by 23:59) and
    # that warning comes first; the one about materials is there at any hour.
    expect(secretary.locator(".meeting-warning", has_text="Chưa có tài liệu")).to_have_count(1)
    secretary.get_by_text("Tải lên tệp (PDF, DOCX)").click()
    upload = secretary.locator("#materials form[enctype]")
    upload.get_by_label(re.compile("Tệp tài liệu")).set_input_files(
        files=[{"name": "du-thao-nghi-quyet.pdf", "mimeType": "application/pdf",
                "buffer": pdf_bytes("Du thao nghi quyet thang 12")}]
    )  # fmt: skip
    upload.get_by_label(re.compile("Tên tài liệu")).fill("Dự thảo nghị quyết tháng 12")
    with secretary.expect_navigation():
        upload.get_by_role("button", name="Tải lên").click()
    expect(secretary.locator("#materials .doc-files")).to_contain_text(
        "Dự thảo nghị quyết tháng 12"
    )
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Thông báo lịch họp").click()
    expect(secretary.locator(".msg-success")).to_contain_text("Đã thông báo lịch họp")
    shoot(secretary, "meetings_secretary_meeting_page")

    # The member sees it announced before the start.
    sign_in(alpha, server, world.member.username)
    alpha.get_by_role("link", name="Sinh hoạt").click()
    expect(alpha.locator(".meeting-item")).to_contain_text("Sinh hoạt chi bộ thường kỳ tháng 12")
    with alpha.expect_navigation():
        alpha.get_by_role("link", name="Sinh hoạt chi bộ thường kỳ tháng 12").click()
    material = alpha.get_by_role("link", name="Dự thảo nghị quyết tháng 12")
    expect(material).to_be_visible()
    got = alpha.request.get(server + material.get_attribute("href"))
    assert got.status == 200 and got.body().startswith(b"%PDF-")
    shoot(alpha, "meetings_member_meeting_page")
    alpha.goto(server + "/sinh-hoat/")
    shoot(alpha, "meetings_member_list")

    # The secretary starts it: the roster is taken and the QR code shows.
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Vào điều hành cuộc họp").click()
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Bắt đầu cuộc họp").click()
    qr = secretary.locator(".qr svg")
    expect(qr).to_be_visible()
    expect(secretary.locator('[data-count="total"]')).to_have_text("0")
    checkin_url = secretary.locator(".qr").get_attribute("data-checkin-url")
    assert re.search(rf"/sinh-hoat/{meeting.pk}/diem-danh/\?ma=[0-9a-f]{{20}}$", checkin_url)

    # One member checks in with the button on the meeting page.
    alpha.goto(f"{server}/sinh-hoat/{meeting.pk}/")
    with alpha.expect_navigation():
        alpha.get_by_role("button", name="Điểm danh").click()
    with alpha.expect_navigation():
        alpha.get_by_role("button", name="Tôi có mặt").click()
    expect(alpha.locator(".checked-in")).to_contain_text("Đồng chí đã điểm danh: Có mặt")
    assert scroll_width(alpha) <= WIDTH
    shoot(alpha, "meetings_member_check_in")

    # The other opens the URL the QR code holds, as a phone camera would.
    sign_in(beta, server, second.username)
    beta.goto(checkin_url)
    expect(beta.get_by_role("button", name="Tôi có mặt")).to_be_visible()
    shoot(beta, "meetings_member_qr_check_in")
    with beta.expect_navigation():
        beta.get_by_role("button", name="Tôi có mặt").click()
    expect(beta.locator(".checked-in")).to_contain_text("Có mặt")

    # The secretary marks themself present (no phone needed) and sees the counts move.
    secretary.reload()
    line = secretary.locator(".roster-line", has_text="Lê Đức Cường")
    with secretary.expect_navigation():
        line.get_by_role("button", name="Có mặt").click()
    expect(secretary.locator('[data-count="total"]')).to_have_text("3")
    expect(secretary.locator('[data-count="full"]')).to_have_text("3")
    expect(secretary.locator('[data-count="denominator"]')).to_have_text("4")
    expect(secretary.locator(".quorum")).to_contain_text("có thể thông qua")
    secretary.evaluate("window.scrollTo(0, 0)")
    shoot(secretary, "meetings_run_screen_qr_counts")

    # Two motions: an open vote on the resolution and a secret ballot on candidates.
    form = secretary.locator("#motions details form")
    form.get_by_label("Nội dung biểu quyết").fill("Thông qua nghị quyết tháng 12 của chi bộ")
    with secretary.expect_navigation():
        form.get_by_role("button", name="Mở biểu quyết").click()
    secretary.get_by_text("Mở biểu quyết mới").click()
    form = secretary.locator("#motions details form").last
    form.get_by_label("Nội dung biểu quyết").fill("Bầu bổ sung chi ủy viên")
    form.get_by_label("Loại").select_option("nhan_su")
    form.get_by_label("Hình thức").select_option("secret")
    form.get_by_label(re.compile("Danh sách ứng cử")).fill(
        "Nguyễn Văn An\nHoàng Thị Hoa\nLê Đức Cường"
    )
    form.get_by_label("Số người được chọn tối đa").fill("2")
    with secretary.expect_navigation():
        form.get_by_role("button", name="Mở biểu quyết").click()
    expect(secretary.locator(".motion-open")).to_have_count(2)
    open_vote, secret = Motion.objects.filter(meeting=meeting).order_by("pk")

    # Members vote from their phones.
    for p, yes in ((alpha, True), (beta, True)):
        p.goto(f"{server}/sinh-hoat/{meeting.pk}/")
        with p.expect_navigation():
            p.get_by_role("button", name=re.compile("Thông qua nghị quyết tháng 12")).click()
        expect(p.get_by_role("button", name="Tán thành", exact=True)).to_be_visible()
        if p is alpha:
            assert scroll_width(p) <= WIDTH
            shoot(p, "meetings_member_vote_page")
        with p.expect_navigation():
            p.get_by_role(
                "button", name="Tán thành" if yes else "Không tán thành", exact=True
            ).click()
        expect(p.locator(".voted")).to_contain_text("Đồng chí đã biểu quyết nội dung này.")
    shoot(alpha, "meetings_member_voted")
    # the secretary votes too, from the same page a member uses
    secretary.goto(f"{server}/sinh-hoat/{meeting.pk}/bieu-quyet/{open_vote.pk}/")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="Tán thành", exact=True).click()
    expect(secretary.locator(".voted")).to_be_visible()
    # a second vote is refused with a message, nothing more is recorded
    alpha.goto(f"{server}/sinh-hoat/{meeting.pk}/bieu-quyet/{open_vote.pk}/")
    expect(alpha.get_by_role("button", name="Tán thành", exact=True)).to_have_count(0)

    for p, picks in ((alpha, ["Nguyễn Văn An", "Hoàng Thị Hoa"]), (beta, ["Hoàng Thị Hoa"])):
        p.goto(f"{server}/sinh-hoat/{meeting.pk}/bieu-quyet/{secret.pk}/")
        expect(
            p.get_by_text("Bỏ phiếu kín: không ai biết đồng chí chọn phương án nào.")
        ).to_be_visible()
        for name in picks:
            p.get_by_label(name).check()
        if p is beta:
            shoot(p, "meetings_member_secret_ballot")
        with p.expect_navigation():
            p.get_by_role("button", name="Gửi phiếu").click()
        expect(p.locator(".voted")).to_contain_text("Phiếu kín")

    # While open the secretary sees only how many have voted.
    secretary.goto(f"{server}/sinh-hoat/{meeting.pk}/dieu-hanh/")
    expect(secretary.locator(".motion-open .cast-count")).to_have_text(["3", "2"])
    expect(secretary.locator(".motion-result")).to_have_count(0)
    for _ in range(2):
        with secretary.expect_navigation():
            secretary.locator(".motion-open").first.get_by_role(
                "button", name="Kết thúc biểu quyết"
            ).click()
    results = secretary.locator(".motion-result")
    expect(results).to_have_count(2)
    # 3 "Tán thành" of a denominator of 4 full members (Lan, whose account is pending,
    # is summoned and absent) is more than half
    expect(results.first.locator(".result-label")).to_have_text("Thông qua")
    expect(results.first.locator(".result-counts li").first).to_contain_text("Tán thành 3")
    expect(results.nth(1)).to_contain_text("Hoàng Thị Hoa 2")
    assert is_nfc(results.first.inner_text())
    secretary.evaluate("window.scrollTo(0, 0)")
    shoot(secretary, "meetings_results")
    assert Vote.objects.filter(motion=open_vote).count() == 3
    assert VoterMark.objects.filter(motion=secret).count() == 2


def test_secretary_sets_the_monthly_pattern_and_gets_drafts(page, server, world):
    from sotay.meetings.models import Meeting

    sign_in(page, server, world.secretary.username)
    page.goto(server + "/sinh-hoat/")
    with page.expect_navigation():
        page.get_by_role("button", name="Lịch họp hằng tháng").click()
    page.get_by_label("Ngày trong tháng").fill("5")
    page.get_by_label("Giờ bắt đầu").fill("19:30")
    page.get_by_label("Thời lượng (phút)").fill("120")
    page.get_by_label("Chủ đề mẫu").fill("Sinh hoạt chi bộ thường kỳ")
    page.get_by_label("Địa điểm").fill("Nhà văn hóa khu phố 1")
    page.get_by_label("Lập dự thảo cho số tháng tới").fill("3")
    assert scroll_width(page) <= WIDTH
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "meetings_pattern_form")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu và lập dự thảo").click()
    expect(page.locator(".msg-success")).to_contain_text("Đã lập 3 dự thảo lịch họp")
    drafts = Meeting.objects.filter(organization=world.branch, state="draft")
    assert drafts.count() == 3
    assert {timezone.localtime(m.starts_at).strftime("%d %H:%M") for m in drafts} == {"05 19:30"}
    expect(page.locator(".meeting-draft")).to_have_count(3)
    shoot(page, "meetings_secretary_list_drafts")
