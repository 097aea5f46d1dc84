"""Demo documents for `seed_demo`: a few real central documents (number, date, title and
a summary only — the full text lives with the issuing body) and local implementation plans
of the demo city and a ward, linked to them, one required reading for the ward.

`seed_documents()` is idempotent: a document whose symbol exists is left as it is, and
nothing is done when the demo tree or the admin account is missing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from sotay.accounts.models import User
from sotay.documents import services
from sotay.documents.models import AudienceLevel, Document, LinkRelation
from sotay.organizations.models import Organization

CENTRAL = "Bộ Chính trị"
# (key, audience org code, issuer name or None for the audience org, kind, symbol, issued,
#  title, summary, body, implements)
DOCUMENTS = [
    ("nq57", "HN", CENTRAL, "nghi_quyet", "57-NQ/TW", dt.date(2024, 12, 22),
     "Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và "
     "chuyển đổi số quốc gia",
     "Nghị quyết của Bộ Chính trị xác định phát triển khoa học, công nghệ, đổi mới sáng tạo "
     "và chuyển đổi số quốc gia là đột phá quan trọng hàng đầu.",
     "Văn bản do Bộ Chính trị ban hành ngày 22/12/2024.\n\nTrích yếu: về đột phá phát triển "
     "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.\n\nToàn văn xem tại "
     "nguồn chính thức của Đảng; cấp ủy các cấp xây dựng kế hoạch thực hiện.", None),
    ("qd144", "HN", CENTRAL, "quy_dinh", "144-QĐ/TW", dt.date(2024, 5, 9),
     "Quy định số 144-QĐ/TW về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên trong giai "
     "đoạn mới",
     "Quy định của Bộ Chính trị về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên.",
     "Văn bản do Bộ Chính trị ban hành ngày 09/5/2024.\n\nToàn văn xem tại nguồn chính thức "
     "của Đảng.", None),
    ("nq52", "HN", CENTRAL, "nghi_quyet", "52-NQ/TW", dt.date(2019, 9, 27),
     "Nghị quyết số 52-NQ/TW về một số chủ trương, chính sách chủ động tham gia cuộc Cách "
     "mạng công nghiệp lần thứ tư",
     "Nghị quyết của Bộ Chính trị về chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư.",
     "Văn bản do Bộ Chính trị ban hành ngày 27/9/2019.\n\nToàn văn xem tại nguồn chính thức "
     "của Đảng.", None),
    ("ct05", "HN", CENTRAL, "chi_thi", "05-CT/TW", dt.date(2016, 5, 15),
     "Chỉ thị số 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ "
     "Chí Minh",
     "Chỉ thị của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách "
     "Hồ Chí Minh.",
     "Văn bản do Bộ Chính trị ban hành ngày 15/5/2016.\n\nToàn văn xem tại nguồn chính thức "
     "của Đảng.", None),
    ("kh57", "HN", None, "ke_hoach", "112-KH/TU", dt.date(2025, 3, 10),
     "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị (dữ liệu mẫu)",
     "Kế hoạch của Thành ủy triển khai Nghị quyết 57-NQ/TW tới các đảng bộ, chi bộ trực "
     "thuộc (văn bản mẫu để dùng thử).",
     "I. MỤC ĐÍCH, YÊU CẦU\n\n1. Quán triệt sâu sắc Nghị quyết 57-NQ/TW tới 100% cán bộ, "
     "đảng viên.\n\n2. Mỗi chi bộ đưa nội dung chuyển đổi số vào sinh hoạt chuyên đề.\n\n"
     "II. NHIỆM VỤ, GIẢI PHÁP\n\n1. Tổ chức học tập, quán triệt trên ứng dụng Sổ tay đảng "
     "viên điện tử, có bài trắc nghiệm sau học tập.\n\n2. Đăng tải tài liệu sinh hoạt chi bộ "
     "lên ứng dụng trước ít nhất một ngày.\n\nIII. TỔ CHỨC THỰC HIỆN\n\nCác đảng ủy trực "
     "thuộc xây dựng kế hoạch cụ thể, báo cáo kết quả trước ngày 15/12 hằng năm.", "nq57"),
    ("hk57", "HN.HK", None, "ke_hoach", "45-KH/ĐU", dt.date(2025, 4, 2),
     "Kế hoạch học tập, quán triệt Nghị quyết 57-NQ/TW tại Đảng bộ phường (dữ liệu mẫu)",
     "Đảng ủy phường tổ chức học tập Nghị quyết 57-NQ/TW cho đảng viên các chi bộ.",
     "1. Thời gian: trong tháng 4/2025.\n\n2. Hình thức: trực tiếp tại chi bộ kết hợp học "
     "trên ứng dụng.\n\n3. Mỗi đảng viên viết bài thu hoạch, nộp cho bí thư chi bộ.",
     "kh57"),
    ("tb-hk", "HN.HK", None, "thong_bao", "12-TB/ĐU", dt.date(2026, 11, 2),
     "Thông báo lịch sinh hoạt chi bộ tháng 11/2026 (dữ liệu mẫu)",
     "Các chi bộ sinh hoạt định kỳ trong tuần đầu tháng; tài liệu đăng trên ứng dụng trước "
     "một ngày.",
     "Các chi bộ trực thuộc tổ chức sinh hoạt định kỳ tháng 11/2026 từ ngày 03 đến ngày "
     "07/11/2026.\n\nNội dung: kiểm điểm việc thực hiện nghị quyết tháng 10; chuẩn bị kiểm "
     "điểm, đánh giá, xếp loại chất lượng cuối năm.", None),
    ("hd-cap-uy", "HN.HK", None, "huong_dan", "03-HD/ĐU", dt.date(2026, 10, 20),
     "Hướng dẫn nội bộ về chuẩn bị kiểm điểm cuối năm (chỉ dành cho cấp ủy, dữ liệu mẫu)",
     "Hướng dẫn cấp ủy viên chuẩn bị kiểm điểm, đánh giá, xếp loại cuối năm.",
     "Văn bản chỉ gửi cấp ủy viên: lịch kiểm điểm, phân công dự họp các chi bộ.", None),
]  # fmt: skip
COMMITTEE_ONLY = {"hd-cap-uy"}


def seed_documents() -> int:
    """Publish the demo documents a database lacks; returns how many were added."""
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    orgs = {o.code: o for o in Organization.objects.filter(code__in={d[1] for d in DOCUMENTS})}
    if admin is None or len(orgs) < 2:
        return 0
    added = 0
    with transaction.atomic():
        made: dict[str, Document] = {}
        for key, code, issuer, kind, symbol, issued, title, summary, body, implements in DOCUMENTS:
            existing = Document.objects.filter(symbol=symbol, title=title).first()
            if existing:
                made[key] = existing
                continue
            org = orgs[code]
            document = services.create_draft(
                actor=admin,
                kind=kind,
                symbol=symbol,
                title=title,
                summary=summary,
                body=body,
                issuer_org=None if issuer else org,
                issuer_name=issuer or "",
                issued_on=issued,
                effective_on=issued,
                audience_org=org,
                audience_level=(
                    AudienceLevel.COMMITTEE if key in COMMITTEE_ONLY else AudienceLevel.ALL
                ),
                tags="chuyển đổi số" if "57" in symbol or key == "hk57" else "",
            )
            made[key] = services.publish(actor=admin, document=document)
            if implements:
                services.link_documents(
                    actor=admin,
                    source=made[key],
                    target=made[implements],
                    relation=LinkRelation.IMPLEMENTS,
                )
            added += 1
        if added:
            services.require_reading(
                actor=admin,
                document=made["hk57"],
                organization=orgs["HN.HK"],
                due_on=timezone.localdate() + dt.timedelta(days=14),
            )
    return added
