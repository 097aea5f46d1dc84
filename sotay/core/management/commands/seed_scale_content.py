"""Hà Nội-scale content for benchmarks, on top of `seed_scale`: 200,000 published
documents and 20,000 news posts addressed across the tree, with read receipts for the
bench member, loaded with COPY in one transaction.

Documents: 10 % to the city (central and city documents every member sees), 30 % to a
commune-level committee, 60 % to a branch; one in ten for committee members only. News:
10 % city, 90 % commune-level; three city posts pinned. A branch member therefore sees
about 20,000 documents and 2,000 posts, as in a real city where most traffic comes from
the top. PostgreSQL only; `--reset` deletes the content first.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from sotay.core.bulk import insert_rows
from sotay.documents.models import Document, DocumentRead
from sotay.documents.text import search_text, symbol_key, words

WORDS = (  # noqa: SIM905
    "xây dựng chỉnh đốn Đảng hệ thống chính trị đổi mới sáng tạo phát triển kinh tế xã hội "
    "quốc phòng an ninh đối ngoại văn hóa giáo dục đào tạo khoa học công nghệ chuyển đổi số "
    "nông nghiệp nông thôn đô thị môi trường tài nguyên biển đảo dân vận mặt trận đoàn thể "
    "thanh niên phụ nữ cựu chiến binh công đoàn cán bộ đảng viên tổ chức cơ sở chi bộ sinh "
    "hoạt kiểm tra giám sát kỷ luật phòng chống tham nhũng lãng phí tiêu cực học tập làm theo "
    "tư tưởng đạo đức phong cách Hồ Chí Minh"
).split()
KINDS = [
    ("nghi_quyet", "NQ", "Nghị quyết"), ("chi_thi", "CT", "Chỉ thị"),
    ("quy_dinh", "QĐ", "Quy định"), ("ket_luan", "KL", "Kết luận"),
    ("huong_dan", "HD", "Hướng dẫn"), ("ke_hoach", "KH", "Kế hoạch"),
    ("thong_bao", "TB", "Thông báo"), ("cong_van", "CV", "Công văn"),
]  # fmt: skip
NOW = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Nạp 200.000 văn bản và 20.000 tin bài cho đo hiệu năng (sau seed_scale)."

    def add_arguments(self, parser):
        parser.add_argument("--documents", type=int, default=200_000)
        parser.add_argument("--posts", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=339)
        parser.add_argument("--reset", action="store_true")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale_content chỉ chạy trên PostgreSQL.")
        rng = random.Random(opts["seed"])
        with transaction.atomic():
            if opts["reset"]:
                with connection.cursor() as cur:
                    cur.execute("TRUNCATE documents_document CASCADE")
                    if _has_table("news_post"):
                        cur.execute("TRUNCATE news_post CASCADE")
            tree = _tree()
            if Document.objects.count() < opts["documents"]:
                n = load_documents(rng, tree, opts["documents"])
                self.stdout.write(f"{n:,} văn bản")
            if _has_table("news_post"):
                from sotay.news.scale import load_posts

                n = load_posts(rng, tree, opts["posts"], NOW)
                self.stdout.write(f"{n:,} tin bài")
            n = load_reads(rng)
            self.stdout.write(f"{n:,} lượt đọc của bench_member")
        with connection.cursor() as cur:
            for table in ("documents_document", "documents_documentread", "news_post"):
                if not _has_table(table):
                    continue
                cur.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 - fixed names


def _has_table(name: str) -> bool:
    return name in connection.introspection.table_names()


def _tree() -> dict:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, path, org_type FROM organizations_organization WHERE valid_to IS NULL"
        )
        rows = cur.fetchall()
    root = min(rows, key=lambda r: len(r[1]))
    committees = [r for r in rows if len(r[1]) == 8]
    branches = [r for r in rows if r[2] in ("chi_bo", "chi_bo_co_so")]
    return {"root": root, "committees": committees, "branches": branches}


def load_documents(rng: random.Random, tree: dict, n: int) -> int:
    root, committees, branches = tree["root"], tree["committees"], tree["branches"]
    cols = [
        "kind", "symbol", "symbol_key", "title", "summary", "issuer_name", "issued_on",
        "body", "tags", "audience_org_id", "audience_level", "path", "state",
        "withdrawn_reason", "search_text", "title_key", "created_at", "updated_at",
        "published_at",
    ]  # fmt: skip
    rows = []
    for i in range(n):
        kind, code, name = rng.choice(KINDS)
        r = rng.random()
        org = root if r < 0.1 else rng.choice(committees if r < 0.4 else branches)
        level = "committee" if rng.random() < 0.1 else "all"
        symbol = f"{i % 997 + 1}-{code}/{'TW' if org is root else 'ĐU'}"
        title = f"{name} số {symbol} về " + " ".join(rng.sample(WORDS, 8))
        summary = " ".join(rng.choices(WORDS, k=25)).capitalize() + "."
        body = " ".join(rng.choices(WORDS, k=120)) + f" mã {i:06d}"
        at = NOW - dt.timedelta(minutes=i * 7)
        rows.append(
            (
                kind, symbol, symbol_key(symbol), title, summary, "Ban Thường vụ", at.date(),
                body, "", org[0], level, org[1], "published", "",
                search_text(symbol, name, title, summary, body, symbol=symbol),
                f" {' '.join(words(title))} ", at, at, at,
            )
        )  # fmt: skip
        if len(rows) == 10_000:
            insert_rows(Document, cols, rows)
            rows = []
    insert_rows(Document, cols, rows)
    return n


def load_reads(rng: random.Random) -> int:
    """The bench member has read about a third of the documents it sees."""
    from sotay.accounts.models import User
    from sotay.documents.queries import documents_visible_to

    user = User.objects.filter(username="bench_member").first()
    if user is None:
        return 0
    DocumentRead.objects.filter(user=user).delete()
    ids = list(documents_visible_to(user).values_list("pk", flat=True))
    picked = [pk for pk in ids if rng.random() < 0.33]
    insert_rows(DocumentRead, ["user_id", "document_id", "first_read_at"],
                [(user.pk, pk, NOW) for pk in picked])  # fmt: skip
    return len(picked)
