"""News posts at Hà Nội scale for benchmarks (called by `seed_scale_content`)."""

from __future__ import annotations

import datetime as dt
import random

from sotay.core.bulk import insert_rows
from sotay.documents.text import search_text
from sotay.news.models import Post

TOPICS = (
    "Hội nghị sơ kết 6 tháng", "Ra quân chuyển đổi số", "Học tập và làm theo Bác",
    "Ngày hội Đại đoàn kết toàn dân tộc", "Trao Huy hiệu Đảng", "Kết nạp đảng viên mới",
    "Tổng kết công tác xây dựng Đảng", "Phong trào thi đua yêu nước", "Tháng thanh niên",
    "Hiến máu tình nguyện", "Giải phóng mặt bằng", "Vệ sinh môi trường khu dân cư",
)  # fmt: skip


def load_posts(rng: random.Random, tree: dict, n: int, now: dt.datetime) -> int:
    """`n` published posts, 10 % to the city and 90 % to commune-level committees, one
    every 53 minutes back from `now`; the three newest city posts pinned. Skipped when
    the table already holds `n`."""
    if Post.objects.count() >= n:
        return 0
    root, committees = tree["root"], tree["committees"]
    cols = [
        "title", "summary", "body", "cover", "cover_thumb", "audience_org_id", "path",
        "pinned", "state", "publish_at", "withdrawn_reason", "search_text", "created_at",
        "updated_at",
    ]  # fmt: skip
    rows, pinned = [], 0
    for i in range(n):
        org = root if rng.random() < 0.1 else rng.choice(committees)
        title = f"{rng.choice(TOPICS)} tại {org[1]} (bản tin {i:05d})"
        summary = f"{title}: các chi bộ tham gia đông đủ, đạt nhiều kết quả."
        body = f"<p>{summary}</p><p>Ban Tuyên giáo thông tin.</p>"
        at = now - dt.timedelta(minutes=53 * i)
        pin = org is root and pinned < 3
        pinned += pin
        rows.append(
            (title, summary, body, "", "", org[0], org[1], pin, "published", at, "",
             search_text(title, summary, body), at, at)
        )  # fmt: skip
    for start in range(0, len(rows), 10_000):
        insert_rows(Post, cols, rows[start : start + 10_000])
    return n
