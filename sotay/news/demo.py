"""Demo news posts for `seed_demo`: a pinned one for the whole city with a cover image,
two for a ward and a branch, and one scheduled for a few days ahead.

`seed_news()` is idempotent: a post whose title exists is left as it is, and nothing is
done when the demo tree or the admin account is missing.
"""

from __future__ import annotations

import datetime as dt
import io
import math

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from sotay.accounts.models import User
from sotay.news import services
from sotay.news.models import Post
from sotay.organizations.models import Organization

# (org code, title, summary, body, pinned, days ahead to schedule or None, cover)
POSTS = [
    (
        "HN",
        "Hội nghị sơ kết 6 tháng đầu năm 2026",
        "Ban Thường vụ Thành ủy tổ chức hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu "
        "năm và triển khai nhiệm vụ 6 tháng cuối năm.",
        """<p>Sáng nay, Ban Thường vụ Thành ủy tổ chức hội nghị sơ kết công tác xây dựng
Đảng 6 tháng đầu năm 2026, triển khai nhiệm vụ trọng tâm 6 tháng cuối năm.</p>
<h2>Kết quả nổi bật</h2>
<ul>
<li>100% chi bộ duy trì sinh hoạt định kỳ hằng tháng theo Hướng dẫn 42-HD/BTCTW.</li>
<li>98,3% đảng viên đã kích hoạt tài khoản Sổ tay đảng viên điện tử.</li>
<li>Kết nạp 1.245 đảng viên mới, vượt 12% chỉ tiêu.</li>
</ul>
<h2>Nhiệm vụ 6 tháng cuối năm</h2>
<p>Các cấp ủy tiếp tục nâng cao chất lượng sinh hoạt chi bộ, đẩy mạnh chuyển đổi số
trong công tác đảng; chuẩn bị tốt công tác kiểm điểm, đánh giá, xếp loại chất lượng
cuối năm.</p>""",
        True,
        None,
        True,
    ),
    (
        "HN.HK",
        "Đảng ủy phường Hoàn Kiếm ra mắt mô hình “Chi bộ số”",
        "Các chi bộ khu dân cư đăng tài liệu sinh hoạt lên ứng dụng trước ít nhất một ngày.",
        """<p>Đảng ủy phường Hoàn Kiếm ra mắt mô hình <strong>“Chi bộ số”</strong>: tài liệu
sinh hoạt được đăng lên Sổ tay đảng viên điện tử trước buổi sinh hoạt ít nhất một ngày,
đảng viên đọc trước và góp ý ngay trên ứng dụng.</p>
<p>Đồng chí Bí thư Đảng ủy phường đề nghị các chi bộ hướng dẫn đảng viên cao tuổi cài đặt
và sử dụng ứng dụng.</p>""",
        False,
        None,
        False,
    ),
    (
        "HN.HK.CB1",
        "Thông báo lịch sinh hoạt chi bộ tháng 12",
        "Chi bộ sinh hoạt thường kỳ tối thứ Năm tuần đầu tháng tại nhà văn hóa khu dân cư.",
        """<p>Chi bộ sinh hoạt thường kỳ vào <strong>19 giờ 30 tối thứ Năm</strong> tuần đầu
tháng 12 tại nhà văn hóa khu dân cư.</p>
<p>Nội dung: kiểm điểm, đánh giá, xếp loại chất lượng đảng viên năm 2026. Đề nghị các
đồng chí đảng viên chuẩn bị bản tự kiểm điểm theo mẫu.</p>""",
        False,
        None,
        False,
    ),
    (
        "HN.HK",
        "Hội nghị học tập, quán triệt Nghị quyết Đại hội Đảng bộ phường",
        "Hội nghị trực tuyến tới các chi bộ; đảng viên theo dõi tại điểm cầu chi bộ.",
        """<p>Đảng ủy phường tổ chức hội nghị học tập, quán triệt Nghị quyết Đại hội Đảng bộ
phường nhiệm kỳ 2025–2030, kết nối trực tuyến tới các chi bộ.</p>
<p>Sau hội nghị, đảng viên làm bài thu hoạch trên ứng dụng.</p>""",
        False,
        3,
        False,
    ),
]


def _cover() -> bytes:
    """A plain red banner with a yellow star: no photo of real people in demo data."""
    img = Image.new("RGB", (1200, 630), (179, 20, 15))
    draw = ImageDraw.Draw(img)
    cx, cy, r = 600, 315, 180
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.38
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=(255, 213, 74))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@transaction.atomic
def seed_news() -> int:
    """Add the demo posts a database lacks; returns how many were added."""
    admin = User.objects.filter(username="admin", is_superuser=True).first()
    orgs = {o.code: o for o in Organization.objects.filter(code__in={p[0] for p in POSTS})}
    if admin is None or not orgs:
        return 0
    added = 0
    for code, title, summary, body, pinned, ahead, cover in POSTS:
        org = orgs.get(code)
        if org is None or Post.objects.filter(title=title).exists():
            continue
        post = services.create_draft(
            actor=admin,
            title=title,
            summary=summary,
            body=body,
            audience_org=org,
            pinned=pinned,
            cover=_cover() if cover else None,
        )
        at = None
        if ahead:
            day = timezone.localdate() + dt.timedelta(days=ahead)
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))
        services.publish(actor=admin, post=post, publish_at=at)
        added += 1
    return added
