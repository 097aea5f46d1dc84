"""Studying a resolution on a phone: a member reads a lesson, listens to an audio lesson
(a generated WAV, played to the end), takes the quiz one question a page and sees the
result; the branch secretary follows the branch and reads its report."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, scroll_width, shoot, sign_in, sign_out

pytestmark = pytest.mark.e2e


def test_member_studies_listens_takes_the_quiz_and_the_secretary_reads_the_report(
    page, server, world, settings, tmp_path
):
    from sotay.learning.models import Attempt, LessonProgress, Option, ProgrammeProgress
    from sotay.learning.testing import build_programme

    settings.PRIVATE_ROOT = tmp_path
    programme = build_programme(world)

    sign_in(page, server, world.member.username)
    expect(page.get_by_role("heading", name="Chuyên đề cần học")).to_be_visible()
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_home_block")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Học tập"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Học tập nghị quyết")
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_programmes")
    with page.expect_navigation():
        page.get_by_role("link", name=programme.title).click()
    expect(page.locator(".learn-status").first).to_have_text("Chưa học")
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_programme")

    # The text lesson.
    with page.expect_navigation():
        page.get_by_role("link", name="1. Những nội dung cơ bản").click()
    expect(page.locator(".doc-body h2")).to_have_text("Quan điểm chỉ đạo")
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_lesson_text")

    # The audio lesson: played to the end, which the player reports as finished. The
    # browser fetches the file by byte ranges (206), which is what lets a phone seek.
    media = []
    page.on(
        "response",
        lambda r: (
            media.append((r.status, r.headers.get("content-range"))) if "/tep/" in r.url else None
        ),
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Bài tiếp theo →").click()
    player = page.locator("audio#learn-player")
    expect(player).to_be_visible()
    # Listened to 1.2 s, then came back: the player resumes there.
    page.evaluate(
        """() => { const a = document.getElementById('learn-player'); a.muted = true;
                   a.currentTime = 1.2; a.dispatchEvent(new Event('pause')); }"""
    )
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => e.name.includes('/vi-tri/'))"
    )
    audio = programme.lessons.get(kind="audio")
    page.reload()
    page.wait_for_function(
        "() => { const a = document.getElementById('learn-player'); return a.readyState >= 1 && a.currentTime > 1; }"
    )
    expect(page.locator("#learn-resume-note")).to_be_visible()
    assert LessonProgress.objects.get(lesson=audio, member=world.member.member).position == 1.2
    with page.expect_response(
        lambda r: "/vi-tri/" in r.url and "finished=1" in (r.request.post_data or "")
    ) as posted:
        page.evaluate(
            """() => { const a = document.getElementById('learn-player'); a.muted = true;
                       return a.play(); }"""
        )
    assert posted.value.json()["finished"] is True
    assert LessonProgress.objects.get(lesson=audio, member=world.member.member).finished_at
    shoot(page, "learning_lesson_audio")
    assert any(status == 206 and (rng or "").startswith("bytes ") for status, rng in media), media

    # The quiz: one question a page, the right options chosen.
    page.goto(f"{server}/hoc-tap/{programme.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Bắt đầu làm bài").click()
    for n in range(1, 5):
        expect(page.locator(".doc-meta").nth(1)).to_contain_text(f"Câu {n}/4")
        question_id = int(page.locator("input[name=question]").get_attribute("value"))
        if n == 1:
            assert scroll_width(page) <= WIDTH
            shoot(page, "learning_quiz_question")
        for option in Option.objects.filter(question_id=question_id, is_correct=True):
            page.locator(f"input[name=option][value='{option.pk}']").check()
        with page.expect_navigation():
            page.get_by_role(
                "button", name="Lưu và tiếp →" if n < 4 else "Lưu và xem lại bài"
            ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xem lại bài làm")
    expect(page.locator("main")).to_contain_text("4/4")
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp bài").click()
    expect(page.locator(".learn-score-figure")).to_have_text("100,0%")
    expect(page.locator(".learn-score")).to_contain_text("Đạt")
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_quiz_result")
    assert Attempt.objects.get(member=world.member.member).score == 100
    standing = ProgrammeProgress.objects.get(programme=programme, member=world.member.member)
    assert standing.status == "completed"
    page.goto(f"{server}/hoc-tap/{programme.pk}/")
    expect(page.locator(".learn-progress .learn-status")).to_have_text("Đã hoàn thành")

    # The branch secretary: the branch page and the report with its member table.
    sign_out(page, server)
    sign_in(page, server, world.secretary.username)
    page.goto(f"{server}/hoc-tap/{programme.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Theo dõi chi bộ").click()
    expect(page.locator(".learn-members")).to_contain_text("Nguyễn Văn An")
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_branch")
    with page.expect_navigation():
        page.get_by_role("link", name="Báo cáo của chi bộ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả học tập")
    expect(page.locator(".stat-grid")).to_contain_text("hoàn thành")
    expect(page.locator("table").last).to_contain_text("Nguyễn Văn An")
    expect(page.locator(".chart-box")).to_be_visible()
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_report")


def test_reflection_review_and_the_office_editor(page, server, world, settings, tmp_path):
    from sotay.learning.models import Reflection
    from sotay.learning.testing import build_programme

    settings.PRIVATE_ROOT = tmp_path
    programme = build_programme(world)
    draft = build_programme(world, org=world.commune, publish=False, title="Chuyên đề nháp C1")

    sign_in(page, server, world.member.username)
    page.goto(f"{server}/hoc-tap/{programme.pk}/thu-hoach/")
    page.get_by_label("Bài thu hoạch").fill(
        "Qua học tập, tôi nhận thức rõ vai trò của chuyển đổi số."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Nộp bài thu hoạch").click()
    expect(page.locator(".msg-success")).to_contain_text("Đã nộp bài thu hoạch")
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_reflection")

    sign_out(page, server)
    sign_in(page, server, world.secretary.username)
    page.goto(f"{server}/hoc-tap/{programme.pk}/chi-bo/")
    with page.expect_navigation():
        page.locator(".card", has_text="chờ nhận xét").get_by_role(
            "link", name="Nguyễn Văn An"
        ).click()
    page.get_by_label("Đạt", exact=True).check()
    page.get_by_role("textbox", name="Nhận xét").fill("Bài viết nghiêm túc.")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu nhận xét").click()
    expect(page.locator(".msg-success")).to_have_text("Đã lưu.")
    assert Reflection.objects.get(member=world.member.member).state == "accepted"
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_member_secretary")

    sign_out(page, server)
    sign_in(page, server, world.office.username)
    page.goto(f"{server}/hoc-tap/{draft.pk}/sua/")
    expect(page.get_by_role("heading", name="Bài học (2)")).to_be_visible()
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_editor")
    with page.expect_navigation():
        page.get_by_role("button", name="Giao học chuyên đề").click()
    expect(page.locator(".msg-success")).to_have_text("Đã giao học chuyên đề.")


def test_the_commune_office_drills_the_report_down_to_a_branch(
    page, server, world, settings, tmp_path
):
    from sotay.learning import quizzes
    from sotay.learning.testing import answer_all, build_programme

    settings.PRIVATE_ROOT = tmp_path
    programme = build_programme(world, org=world.commune)
    for user, right in ((world.member, True), (world.outsider, False)):
        attempt = quizzes.start_attempt(user=user, quiz=programme.quiz)
        quizzes.submit_attempt(user=user, attempt=attempt, answers=answer_all(attempt, right=right))
    sign_in(page, server, world.commune_officer.username)
    page.goto(f"{server}/hoc-tap/{programme.pk}/bao-cao/")
    expect(page.get_by_role("heading", name="Theo tổ chức")).to_be_visible()
    expect(page.locator(".learn-children")).to_contain_text("Chi bộ Khu phố 2")
    expect(page.get_by_role("heading", name="Đảng viên (4)")).to_have_count(0)  # counts only
    assert scroll_width(page) <= WIDTH
    shoot(page, "learning_report_commune")
    with page.expect_navigation():
        page.get_by_role("link", name="Chi bộ Khu phố 1").click()
    expect(page.locator("main")).to_contain_text("Chi bộ Khu phố 1")
