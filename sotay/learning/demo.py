"""Demo study programme for `seed_demo`: "Học tập Nghị quyết 57-NQ/TW" for the ward of
Hoàn Kiếm, with a reading lesson, a short audio lesson (a generated tone: the demo
ships no recorded speech), a quiz of five questions drawn from a bank of seven in two
categories, linked to the resolution in the library.

`seed_learning()` is idempotent: nothing is done when the programme exists, or when the
demo tree or the admin account is missing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sotay.accounts.models import User
from sotay.documents.models import Document
from sotay.learning import quizzes, services
from sotay.learning.models import Programme
from sotay.learning.testing import upload, wav_bytes
from sotay.organizations.models import Organization

TITLE = "Học tập, quán triệt Nghị quyết số 57-NQ/TW của Bộ Chính trị"
LESSON = """<h2>1. Quan điểm chỉ đạo</h2>
<p>Phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số là đột phá quan trọng
hàng đầu, là động lực chính để phát triển nhanh lực lượng sản xuất hiện đại.</p>
<h2>2. Nhiệm vụ của đảng viên</h2>
<ul><li>Nghiên cứu, nắm vững nội dung Nghị quyết.</li>
<li>Gương mẫu ứng dụng công nghệ số trong công tác và sinh hoạt chi bộ.</li>
<li>Viết bài thu hoạch, liên hệ với nhiệm vụ được giao.</li></ul>"""
QUESTIONS = [
    ("Nội dung cơ bản", "single", "Nghị quyết 57-NQ/TW do cơ quan nào ban hành?",
     [("Bộ Chính trị", True), ("Quốc hội", False), ("Chính phủ", False)],
     "Nghị quyết của Bộ Chính trị, ngày 22/12/2024."),
    ("Nội dung cơ bản", "single", "Nghị quyết 57-NQ/TW được ban hành năm nào?",
     [("2024", True), ("2020", False), ("2019", False)], ""),
    ("Nội dung cơ bản", "single", "Nghị quyết xác định khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số là gì?",
     [("Đột phá quan trọng hàng đầu", True), ("Nhiệm vụ thường xuyên", False), ("Việc của riêng doanh nghiệp", False)], ""),
    ("Nội dung cơ bản", "single", "Chuyển đổi số lấy ai làm trung tâm?",
     [("Người dân và doanh nghiệp", True), ("Cơ quan nhà nước", False), ("Máy móc", False)], ""),
    ("Vận dụng", "multiple", "Những việc nào đảng viên nên làm sau khi học tập Nghị quyết?",
     [("Viết bài thu hoạch", True), ("Ứng dụng công nghệ số trong công tác", True), ("Bỏ sinh hoạt chi bộ", False)],
     "Chấm theo quy tắc đúng trừ sai: chọn cả phương án sai bị trừ."),
    ("Vận dụng", "multiple", "Những điều kiện nào giúp chuyển đổi số thành công?",
     [("Hạ tầng số", True), ("Nhân lực số", True), ("Hồ sơ giấy", False)], ""),
    ("Vận dụng", "single", "Sinh hoạt chi bộ có thể dùng công nghệ số thế nào?",
     [("Gửi tài liệu trước trên ứng dụng", True), ("Bỏ biên bản", False), ("Không cần điểm danh", False)], ""),
]  # fmt: skip


def seed_learning() -> int:
    """Add the demo programme a database lacks; returns 1 when added."""
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    ward = Organization.objects.filter(code="HN.HK").first()
    if admin is None or ward is None or Programme.objects.filter(title=TITLE).exists():
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        programme = services.create_programme(
            actor=admin,
            organization=ward,
            title=TITLE,
            summary="Chuyên đề học tập Nghị quyết về đột phá phát triển khoa học, công nghệ, "
            "đổi mới sáng tạo và chuyển đổi số quốc gia. Học hết các bài và làm bài trắc "
            "nghiệm, hoặc nộp bài thu hoạch.",
            opens_on=today - dt.timedelta(days=7),
            closes_on=today + dt.timedelta(days=21),
        )
        services.add_lesson(actor=admin, programme=programme, kind="text",
                            title="Những nội dung cơ bản của Nghị quyết", body=LESSON)  # fmt: skip
        services.add_lesson(actor=admin, programme=programme, kind="audio",
                            title="Bài nghe: tóm tắt (âm thanh mẫu)",
                            upload=upload(wav_bytes(4.0), "tom-tat-nq57.wav"))  # fmt: skip
        for category, kind, text, options, explanation in QUESTIONS:
            quizzes.add_question(actor=admin, programme=programme, category=category, kind=kind,
                                 text=text, options=options, explanation=explanation)  # fmt: skip
        cats = {c.name: c.pk for c in programme.categories.all()}
        quizzes.configure_quiz(
            actor=admin, programme=programme, time_limit_minutes=10, max_attempts=3,
            pass_mark=60, quotas={cats["Nội dung cơ bản"]: 3, cats["Vận dụng"]: 2},
        )  # fmt: skip
        resolution = Document.objects.filter(symbol="57-NQ/TW", state="published").first()
        if resolution is not None:
            services.link_document(actor=admin, programme=programme, document=resolution)
        services.publish_programme(actor=admin, programme=programme)
    return 1
